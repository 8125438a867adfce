"""django-axes hooks: the cool-off time comes from the security policy, and a locked-out person
gets a clear Chinese message saying how long and whom to contact (GB/T 22239-2019 8.1.4.1 b)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_FAILURES_SEEN = "tb_axes_failures_seen"


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler without two needless queries at a successful login.

    At every login axes deletes the expired attempts of everybody and then this user's attempts
    (AXES_RESET_ON_SUCCESS): two SELECTs (the ORM collects rows before deleting) even when there
    is nothing to delete. The same request has just counted this user's live failures (the lock
    check before the password or key is accepted); when that count was 0 there is nothing to reset,
    so both are skipped. Expired attempts never count towards a lock (axes filters them by time)
    and are still removed at the next failed login. A failure recorded in this request forgets the
    count; one recorded concurrently by another request stays (stricter, never laxer)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        if request is not None:
            setattr(request, _FAILURES_SEEN, (get_client_username(request, credentials), failures))
        return failures

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        if request is not None and hasattr(request, _FAILURES_SEEN):
            delattr(request, _FAILURES_SEEN)
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        seen = getattr(request, _FAILURES_SEEN, None)
        if settings.AXES_DISABLE_ACCESS_LOG and seen == (user.get_username(), 0):
            return
        super().user_logged_in(sender, request, user, **kwargs)


def cooloff_time(request: HttpRequest | None = None) -> timedelta:
    from tongban.identity.selectors import security_policy

    return timedelta(minutes=security_policy().lockout_minutes)


def lockout_message(minutes: int) -> str:
    return _(
        "连续登录失败次数过多，账号已被锁定 %(minutes)d 分钟。请在 %(minutes)d 分钟后再试，"
        "或联系本单位安全管理员解锁。"
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Called by axes (3-argument or 2-argument form) whenever a locked account tries to log in."""
    from tongban.core import audit
    from tongban.identity.selectors import security_policy

    credentials = kwargs.get("credentials")
    if credentials is None:
        credentials = next((a for a in args if isinstance(a, dict)), None)
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    username = username or request.POST.get("username", "") or str(getattr(request, "tb_login_username", ""))
    minutes = security_policy().lockout_minutes
    audit.record(
        "identity.locked_out",
        request=request,
        actor_name=username[:150],
        object_type="identity.user",
        object_repr=username[:255],
        message=f"账号锁定 {minutes} 分钟",
        success=False,
    )
    message = lockout_message(minutes)
    if "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json":
        return JsonResponse({"ok": False, "locked": True, "error": message}, status=403)
    return render(request, "identity/locked.html", {"message": message, "minutes": minutes}, status=403)
