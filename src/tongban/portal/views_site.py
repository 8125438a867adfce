"""Serving the portal's pages. Anonymous GETs are answered from the page cache when they can be
(:mod:`tongban.portal.cache`); everything else goes to Wagtail's own ``serve``.

The large-text (适老化/无障碍) and language switches of the public site are GET links to the two
small views below, not POST forms: a cached page must be the same for every visitor and so cannot
carry a CSRF token. Both only set a preference cookie and go back to the page (a same-site path)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import SimpleTemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from wagtail import views as wagtail_views
from wagtail.models import Page

from tongban.portal import cache as page_cache

PREFERENCE_MAX_AGE = 365 * 24 * 3600


def serve(request: HttpRequest, path: str) -> HttpResponse:
    if not page_cache.request_is_cacheable(request):
        response = wagtail_views.serve(request, path)
        page_cache.mark_private(response)
        return response
    hit = page_cache.lookup(request)
    if hit is not None:
        return hit
    response = wagtail_views.serve(request, path)
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    if page_cache.response_is_storable(request, response) and not _restricted(request, path):
        page_cache.store(request, response)
        page_cache.mark_public(response, "miss")
    else:
        page_cache.mark_private(response)
    return response


def _restricted(request: HttpRequest, path: str) -> bool:
    """A page behind a Wagtail view restriction (password, login, groups) is never cached."""
    route = Page.route_for_request(request, path)
    if route is None:
        return True
    return bool(route[0].get_view_restrictions())


def _back(request: HttpRequest) -> str:
    target = request.GET.get("next", "") or "/portal/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/portal/"
    return target


@require_GET
def large_text(request: HttpRequest) -> HttpResponse:
    """Toggle the large-text mode (rules.md §6: the footer's accessibility mode). ``on=1``/``on=0``
    sets it explicitly; without it the mode flips."""
    wanted = request.GET.get("on")
    on = wanted == "1" if wanted in ("0", "1") else not page_cache.large_text(request)
    response = HttpResponseRedirect(_back(request))
    response.set_cookie(
        page_cache.LARGE_TEXT_COOKIE, "1" if on else "0", max_age=PREFERENCE_MAX_AGE, samesite="Lax"
    )
    page_cache.mark_private(response)
    return response


@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """Switch the site's language (the same cookie as Django's ``set_language``)."""
    code = request.GET.get("language", "")
    response = HttpResponseRedirect(_back(request))
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE or PREFERENCE_MAX_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            samesite="Lax",
        )
    page_cache.mark_private(response)
    return response
