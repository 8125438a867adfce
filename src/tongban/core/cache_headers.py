"""Cache-Control for every dynamic response, so that no shared cache (the county's nginx micro-cache,
a township's proxy) can ever keep a personal page (docs/deploy.md, "The portal cache").

Rules, applied after every inner middleware has finished with the response:

1. A response that sets a cookie, carries a CSRF token (the page has a form), or answers a
   logged-in staff member or public account is ``private, no-store`` — even when a view marked it
   ``public`` (a mistake there must not leak one visitor's page to the next).
2. A response that says nothing about caching is ``private, no-store`` too: only responses that
   explicitly opt in (the portal's anonymous pages, ``public, max-age=60``, see
   :mod:`tongban.portal.cache`) may be stored by a shared cache.
3. Any other explicit ``Cache-Control`` a view chose is kept.

Static files never reach this middleware (WhiteNoise answers them earlier, and nginx serves them in
production). No database query is made: the user is looked at only when the request has a session
cookie and the response would otherwise be public."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

PRIVATE = "private, no-store"
_PUBLIC_SESSION_KEY = "tb_public_account"


def _csrf_used(request: HttpRequest) -> bool:
    return bool(request.META.get("CSRF_COOKIE_USED") or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def _logged_in(request: HttpRequest) -> bool:
    """Staff login or a public account, read only when the request carries a session cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(_PUBLIC_SESSION_KEY))


def is_personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    """True when the response may say something about who asked."""
    if response.cookies or response.has_header("Set-Cookie"):
        return True
    if _csrf_used(request):
        return True
    return _logged_in(request)


def make_private(response: HttpResponseBase) -> None:
    if response.has_header("Cache-Control"):
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)


def apply(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    cc = response.get("Cache-Control", "")
    if not cc or ("public" in cc and is_personal(request, response)):
        make_private(response)
    return response


class CacheHeadersMiddleware:
    """Register right after WhiteNoise in ``MIDDLEWARE`` (outside the session, CSRF and
    authentication middleware, so it sees their cookies)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return apply(request, self.get_response(request))
