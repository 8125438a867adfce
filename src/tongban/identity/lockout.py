"""django-axes hooks: cool-off time from the security policy, and a clear lockout message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse


def cooloff_time(request: HttpRequest | None = None) -> timedelta:
    return timedelta(minutes=30)


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("账号因连续登录失败已被锁定，请稍后再试或联系安全管理员解锁。", status=403)
