"""The archive search page (档案查询): by year, unit, type, number and title words; paged. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.archive import selectors
from tongban.archive.models import Retention
from tongban.core.errors import PermissionDenied
from tongban.orgs.selectors import county_for_user, unit_choices


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@login_required
def archive_list(request: HttpRequest) -> HttpResponse:
    try:
        selectors.access_archive(request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    g = request.GET
    f = {
        "year": g.get("year", "")[:4],
        "unit": g.get("unit", "")[:12],
        "doc_type": g.get("doc_type", "")[:8],
        "number": g.get("number", "").strip()[:64],
        "q": g.get("q", "").strip()[:100],
    }
    qs = selectors.archive_search(
        user=request.user,
        year=_int(f["year"]),
        unit_id=_int(f["unit"]),
        doc_type=f["doc_type"],
        number=f["number"],
        q=f["q"],
    )
    page = Paginator(qs, selectors.PER_PAGE).get_page(g.get("page"))
    for record in page.object_list:
        record.url = selectors.subject_url(record)
        record.kind_label = selectors.kind_label(record.subject_type)
    params = g.copy()
    params.pop("page", None)
    ctx: dict[str, Any] = {
        "f": f,
        "page": page,
        "base_query": params.urlencode(),
        "years": selectors.year_choices(),
        "units": unit_choices(county_for_user(request.user)),
        "doc_types": selectors.DOC_TYPES,
        "retentions": Retention.choices,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "archive-results":
        return render(request, "archive/_results.html", ctx)
    return render(request, "archive/list.html", ctx)
