"""The public site's page cache: published pages are served from the Django cache to anonymous
visitors and invalidated on publish (issue #5: "published pages are served from cache and
invalidated on publish").

Design (see also docs: the portal's caching):

- **What is cached**: the whole response of an anonymous ``GET``/``HEAD`` of a Wagtail page without
  a query string, when the visitor carries no login (no staff user, no public account), no pending
  messages and no preview. Responses are identical for every anonymous visitor: the portal's pages
  hold no CSRF token (the search box is a GET form, the large-text and language switches are GET
  links), and a render that asked for a CSRF token, wrote the session or set a cookie is not stored.
- **Key**: (generation, scheme, host, path, language, large-text flag). The large-text mode is the
  ``tb_large_text`` cookie (the same cookie as the staff shell's switch), so the two variants of a
  page are two entries; the language is the one ``LocaleMiddleware`` chose (cookie or
  Accept-Language). No database query is needed to compute the key or to answer a hit; the session
  is only looked at when the request carries a session cookie.
- **Invalidation**: one generation counter in the cache; :func:`invalidate` bumps it, so every
  page of the site (lists on the home page, channel and column pages included) is rebuilt on its
  next request. :mod:`tongban.portal.setup_site` connects it to Wagtail's page_published /
  page_unpublished / post_page_move / page deletion, view restriction changes, documents and images,
  Site and :class:`~tongban.portal.models.PortalIdentity` saves. Other parts whose data shows on
  the home page (published letters, interviews, surveys) may call :func:`invalidate` too; otherwise
  entries expire after ``settings.TONGBAN_PORTAL_CACHE_SECONDS``.
- **HTTP**: a cacheable anonymous response says ``Cache-Control: public, max-age=60`` (so nginx
  may keep it for a minute, issue #7) and ``Vary: Accept-Language, Cookie``; any other response of
  the site says ``Cache-Control: private, no-store``. ``X-Portal-Cache: hit|miss`` tells which.

With the Redis cache (``TONGBAN_REDIS_URL``) the generation is shared by all processes; with the
local-memory cache (development, tests) each process has its own."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

GEN_KEY = "portal:generation"
LARGE_TEXT_COOKIE = "tb_large_text"
PUBLIC_MAX_AGE = 60
_AUTH_SESSION_KEYS = ("_auth_user_id", "tb_public_account", "_messages")


def generation() -> int:
    """The current generation of the site's cache (a number bumped by :func:`invalidate`)."""
    gen = cache.get(GEN_KEY)
    if gen is None:
        # A fresh cache starts from the clock, so keys of a generation used before a restart of a
        # shared cache can never be reused.
        cache.add(GEN_KEY, int(time.time() * 1000), None)
        gen = cache.get(GEN_KEY)
    return int(gen or 0)


def invalidate(reason: str = "") -> None:
    """Drop every cached page and fragment of the site (the entries of older generations are never
    read again and expire on their own)."""
    try:
        cache.incr(GEN_KEY)
    except ValueError:
        cache.set(GEN_KEY, int(time.time() * 1000), None)
    logger.debug("portal cache invalidated: %s", reason)


def lifetime() -> int:
    return int(getattr(settings, "TONGBAN_PORTAL_CACHE_SECONDS", 600))


def cached_fragment(key: str, build: Callable[[], str], timeout: int) -> str:
    """A piece of HTML (or any string) cached until the next :func:`invalidate` or ``timeout``."""
    full = f"portal:frag:{generation()}:{key}"
    value = cache.get(full)
    if value is None:
        value = build()
        cache.set(full, value, timeout)
    return str(value)


def cached_value(key: str, build: Callable[[], object], timeout: int | None = None) -> object:
    """Like :func:`cached_fragment` for any picklable value (the site's navigation, identity)."""
    full = f"portal:val:{generation()}:{key}"
    value = cache.get(full)
    if value is None:
        value = build()
        cache.set(full, value, lifetime() if timeout is None else timeout)
    return value


# --- whole pages -------------------------------------------------------------------------------


def large_text(request: HttpRequest) -> bool:
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


def request_is_cacheable(request: HttpRequest) -> bool:
    """An anonymous GET/HEAD without a query string, a login, pending messages or a preview. The
    session is read only when the request has a session cookie."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.META.get("QUERY_STRING"):
        return False
    if getattr(request, "is_preview", False) or request.headers.get("HX-Request"):
        return False
    if request.COOKIES.get("messages"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        session = getattr(request, "session", None)
        if session is not None and any(session.get(k) for k in _AUTH_SESSION_KEYS):
            return False
    return True


def page_key(request: HttpRequest) -> str:
    parts = "|".join(
        (
            "https" if request.is_secure() else "http",
            request.get_host(),
            request.path,
            translation.get_language() or "",
            "L" if large_text(request) else "N",
        )
    )
    digest = hashlib.sha256(parts.encode()).hexdigest()[:40]
    return f"portal:page:{generation()}:{digest}"


@dataclass(frozen=True)
class Stored:
    status: int
    content_type: str
    content: bytes
    location: str = ""


def lookup(request: HttpRequest) -> HttpResponse | None:
    stored = cache.get(page_key(request))
    if not isinstance(stored, Stored):
        return None
    response = HttpResponse(stored.content, content_type=stored.content_type, status=stored.status)
    if stored.location:
        response["Location"] = stored.location
    mark_public(response, "hit")
    return response


def response_is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Only plain answers that say nothing about the visitor: 200s and redirects, no cookie set, no
    CSRF token asked for, the session not written, no caching refused by the page itself."""
    if response.status_code not in (200, 301, 302):
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        logger.warning("portal page %s used a CSRF token: not cached", request.path)
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    cc = response.get("Cache-Control", "")
    return not any(word in cc for word in ("private", "no-store", "no-cache"))


def store(request: HttpRequest, response: HttpResponse) -> None:
    stored = Stored(
        status=response.status_code,
        content_type=response.get("Content-Type", "text/html; charset=utf-8"),
        content=bytes(response.content),
        location=response.get("Location", ""),
    )
    cache.set(page_key(request), stored, lifetime())


def mark_public(response: HttpResponse, state: str) -> None:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response["X-Portal-Cache"] = state


def mark_private(response: HttpResponse) -> None:
    if "no-store" not in response.get("Cache-Control", ""):
        if "Cache-Control" in response:
            del response["Cache-Control"]
        patch_cache_control(response, private=True, no_store=True)
    response["X-Portal-Cache"] = "bypass"
