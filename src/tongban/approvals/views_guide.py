"""The public 办事指南 (/ban/): the hall's home (search, items by department and by type, popular
items), an item's guide page with every element of rules.md §3, and sample downloads. Anonymous;
only published items are ever shown."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.models import ItemType
from tongban.approvals.views_catalogue import sample_response
from tongban.core.errors import NotFound

PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    county = sel.hall_county()
    q = request.GET.get("q", "").strip()[:100]
    try:
        department_id = int(request.GET.get("department") or 0) or None
    except ValueError:
        department_id = None
    item_type = request.GET.get("type", "")
    if item_type not in ItemType.values:
        item_type = ""
    departments = sel.published_departments(county)
    ctx: dict[str, Any] = {
        "q": q,
        "department_id": department_id,
        "item_type": item_type,
        "departments": departments,
        "types": sel.published_type_counts(county),
        "all_types": ItemType.choices,
    }
    if q or department_id or item_type:
        qs = sel.items_published(county=county, q=q, department_id=department_id, item_type=item_type)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        ctx.update(
            page=page,
            query=query.urlencode(),
            department=next((d for d in departments if d.pk == department_id), None),
            type_label=dict(ItemType.choices).get(item_type, ""),
        )
    else:
        ctx["popular"] = sel.popular_items(county)
    return render(request, "approvals/guide/home.html", ctx)


@require_GET
def item(request: HttpRequest, code: str) -> HttpResponse:
    try:
        it = sel.item_by_code(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "approvals/guide/item.html",
        {"item": it, "v": sel.guide_version(it), "children": sel.published_children(it)},
    )


@require_GET
def sample(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """A sample file, served only for the current version of a published item."""
    try:
        material = sel.public_sample(code, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return sample_response(material)
