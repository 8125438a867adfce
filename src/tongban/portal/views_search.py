"""The site search page /portal/search/ (GET q, column, start, end, page). Thin: the results come
from :func:`tongban.portal.search.search_site`. The page carries nothing per user (a GET form, no
CSRF token), so an anonymous visitor's answer may be cached by the browser and a proxy
(``Cache-Control: public, max-age=60``); a visitor with a session gets ``private``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe
from wagtail.models import Site

from tongban.portal import search
from tongban.portal.models import HomePage

CACHE_SECONDS = 60


def home_for(request: HttpRequest) -> HomePage:
    """The county home page of the site the request is on (404 when the site has none)."""
    site = Site.find_for_request(request)
    home = None
    if site is not None:
        home = HomePage.objects.filter(pk=site.root_page_id).first()
    if home is None:
        home = HomePage.objects.order_by("id").first()
    if home is None:
        raise Http404("no portal site")
    return home


def cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Public caching for visitors without a session; private otherwise."""
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    home = home_for(request)
    g = request.GET
    results = search.search_site(
        home,
        g.get("q", ""),
        column_id=search.parse_int(g.get("column")),
        start=g.get("start"),
        end=g.get("end"),
        page=g.get("page", 1),
        request=request,
    )
    params = g.copy()
    params.pop("page", None)
    ctx: dict[str, Any] = {
        "results": results,
        "columns": search.column_choices(home),
        "base_query": params.urlencode(),
        "home": home,
    }
    if results.problem or not results.total:
        ctx["popular"] = search.popular_columns(home, request)
    return cacheable(request, render(request, "portal/search/search.html", ctx))
