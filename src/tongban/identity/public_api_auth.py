"""The API's authentication for the public side: the applicant's public-account session
(:mod:`tongban.identity.public`), never a staff login or token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie

from tongban.identity import public


class PublicSessionAuth(APIKeyCookie):
    """A logged-in public account (网上办事账户) through its session cookie. Unsafe methods need the
    CSRF token too (django-ninja checks it for cookie authentication). The account is
    ``request.auth``."""

    param_name = "sessionid"
    openapi_description = "网上办事账户登录会话（/api/v1/public/login 或 /ban/login/）"

    def __init__(self, csrf: bool = True) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=csrf)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return public.current(request)
