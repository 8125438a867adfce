"""The search page: a box, kind/year/unit filters, paging, highlighted snippets. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.core.errors import PermissionDenied
from tongban.orgs.selectors import county_for_user, unit_choices
from tongban.search import registry, selectors


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    try:
        selectors.access_search(request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    year = request.GET.get("year", "")
    unit = request.GET.get("unit", "")
    ctx: dict[str, Any] = {
        "q": q,
        "kind": kind,
        "year": year,
        "unit": unit,
        "kinds": [(k.kind, str(k.label)) for k in registry.kinds()],
        "years": selectors.year_choices(),
        "units": unit_choices(county_for_user(request.user)),
    }
    if q:
        ctx["results"] = selectors.search(
            user=request.user, q=q, kind=kind, year=year, unit_id=unit, page=request.GET.get("page", 1)
        )
        params = request.GET.copy()
        params.pop("page", None)
        ctx["base_query"] = params.urlencode()
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render(request, "search/_results.html", ctx)
    return render(request, "search/search.html", ctx)
