"""Bearer tokens for integrations (django-ninja), their scopes and the API's rate limit.

- :class:`ApiTokenAuth`: only live tokens of active accounts pass. A token with scopes (e.g.
  ``["approvals:read"]``) may only GET/HEAD the API paths of those scopes; anything else is refused
  with 403 ``api.scope`` — the account's own rights still apply on top (the scopes only narrow them).
  An empty scope list is a legacy full token.
- The scope → path-prefix table is *registered* here by a higher layer (``tongban.exchange.setup``
  calls :func:`register_scopes`): identity sits low in the layers and must not import exchange.
  Until something is registered a scoped token reaches nothing (fail closed).
- :class:`ApiRateLimitMiddleware`: every ``/api/v1/`` request is counted per token, per session user
  or (anonymous) per client address in a fixed one-minute window in the Django cache (atomic
  ``incr``); over the limit it answers 429 ``api.rate_limited`` with ``Retry-After``, before the view
  runs (nothing changes). Every counted answer carries ``X-RateLimit-Limit`` / ``-Remaining``.
  Limits: ``ApiToken.rate_per_minute`` or ``TONGBAN_API_RATE_PER_MINUTE`` (tokens),
  ``TONGBAN_API_SESSION_RATE_PER_MINUTE`` (session users), ``TONGBAN_API_ANON_RATE_PER_MINUTE``
  (anonymous, per address); 0 switches a limit off."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from tongban.core.audit import client_ip
from tongban.core.errors import PermissionDenied
from tongban.identity import services
from tongban.identity.models import ApiToken

API_PREFIX = "/api/v1/"
READ_METHODS = frozenset({"GET", "HEAD"})
# Paths every scoped token may read whatever its scopes: who am I (to check the token).
ALWAYS_READABLE = ("/api/v1/me",)

DEFAULT_TOKEN_RATE = 120
DEFAULT_SESSION_RATE = 1200
DEFAULT_ANON_RATE = 300
WINDOW = 60

# --- scopes ----------------------------------------------------------------------------------

_SCOPES: dict[str, tuple[str, ...]] = {}


def register_scopes(mapping: Mapping[str, Iterable[str]]) -> None:
    """Register (or replace) scope names with the API path prefixes they open for reading."""
    for scope, prefixes in mapping.items():
        _SCOPES[scope] = tuple(prefixes)


def known_scopes() -> list[str]:
    return sorted(_SCOPES)


def scope_prefixes(scope: str) -> tuple[str, ...]:
    return _SCOPES.get(scope, ())


def scope_allows(scopes: Iterable[str], method: str, path: str) -> bool:
    """Whether a token with ``scopes`` (non-empty) may call ``method path``: reads only, on the
    registered prefixes of its scopes (a prefix ending in "/" covers what is under it; otherwise the
    path itself and what is under it)."""
    if method.upper() not in READ_METHODS:
        return False
    if path in ALWAYS_READABLE:
        return True
    for scope in scopes:
        for prefix in _SCOPES.get(scope, ()):
            base = prefix.rstrip("/")
            if path == base or path.startswith(base + "/"):
                return True
    return False


# --- the auth class --------------------------------------------------------------------------

_TOKEN_ATTR = "_tongban_api_token"  # noqa: S105 - an attribute name


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    parts = header.split(" ", 1)
    if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1].strip():
        return parts[1].strip()
    return None


def request_token(request: HttpRequest) -> ApiToken | None:
    """The live token of the request's bearer header (looked up once per request), or None."""
    if hasattr(request, _TOKEN_ATTR):
        return getattr(request, _TOKEN_ATTR)
    raw = _bearer(request)
    token = services.api_token_lookup(raw) if raw else None
    setattr(request, _TOKEN_ATTR, token)
    return token


class ApiTokenAuth(HttpBearer):
    openapi_description = (
        "manage.py create_api_token --user NAME [--scope approvals:read …] 或“数据交换 › 集成客户端”"
        "页面签发的令牌。带授权范围的令牌只能以 GET/HEAD 读取其范围内的接口。"
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = request_token(request)
        if found is None:
            return None
        if found.scopes and not scope_allows(found.scopes, request.method or "GET", request.path):
            raise PermissionDenied("api.scope", _("该令牌无权访问此接口"))
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


# --- rate limit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateState:
    limit: int
    count: int
    reset_in: int  # seconds to the end of the window

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def hit(key: str, limit: int, *, now: float | None = None) -> RateState:
    """Count one request of ``key`` in the current one-minute window (atomic in the cache)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    reset_in = max(1, math.ceil((window + 1) * WINDOW - now))
    cache_key = f"api-rate:{key}:{window}"
    if cache.add(cache_key, 1, timeout=WINDOW + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=WINDOW + 5)
            count = 1
    return RateState(limit=limit, count=count, reset_in=reset_in)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def rate_subject(request: HttpRequest) -> tuple[str, int] | None:
    """(cache key, limit) of the request's caller, or None when not limited."""
    if _bearer(request) is not None:
        token = request_token(request)
        if token is not None:
            limit = token.rate_per_minute or _setting("TONGBAN_API_RATE_PER_MINUTE", DEFAULT_TOKEN_RATE)
            return f"t{token.pk}", limit
        # A wrong token is refused by the auth (401); count it with the address.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}", _setting("TONGBAN_API_SESSION_RATE_PER_MINUTE", DEFAULT_SESSION_RATE)
    ip = client_ip(request) or "unknown"
    digest = hashlib.sha256(f"tongban:{ip}".encode()).hexdigest()[:24]
    return f"a{digest}", _setting("TONGBAN_API_ANON_RATE_PER_MINUTE", DEFAULT_ANON_RATE)


def too_many(state: RateState) -> JsonResponse:
    response = JsonResponse(
        {
            "detail": _("请求过于频繁，请 %(seconds)s 秒后再试") % {"seconds": state.reset_in},
            "code": "api.rate_limited",
        },
        status=429,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(state.reset_in)
    return response


class ApiRateLimitMiddleware:
    """Rate limit of the REST API (see the module docstring). Put it after Django's
    AuthenticationMiddleware (it reads ``request.user`` of session callers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        subject = rate_subject(request)
        if subject is None or subject[1] <= 0:
            return self.get_response(request)
        key, limit = subject
        state = hit(key, limit)
        if state.exceeded:
            response: HttpResponse = too_many(state)
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(state.limit)
        response["X-RateLimit-Remaining"] = str(state.remaining)
        return response
