"""Per-request security policy (GB/T 22239-2019 8.1.4.1): the idle timeout set by the security
administrator, and a forced password change after an administrator's reset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

_ALLOWED_WHILE_CHANGING = ("identity:password_change", "identity:logout")
RENEW_STEP_SECONDS = 60


def renew_idle_deadline(request: HttpRequest, idle_seconds: int) -> None:
    """Keep the session's expiry at now + the idle time, as an absolute deadline that is moved
    only when it would move by a minute or more. A session therefore ends between (idle − 1
    minute) and idle after its last request — never later — and the page views within one
    minute write nothing (without this every request rewrote its session: an UPDATE and a
    commit, or a cache write). A changed policy moves the deadline either way at once."""
    deadline = timezone.now() + timedelta(seconds=idle_seconds)
    current = request.session.get("_session_expiry")
    if isinstance(current, str):
        try:
            if abs((deadline - datetime.fromisoformat(current)).total_seconds()) < RENEW_STEP_SECONDS:
                return
        except ValueError:
            pass
    request.session.set_expiry(deadline)


def start_idle_deadline(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """user_logged_in receiver: the idle deadline starts at login (in the login's own session
    write), so the first page after it need not write the session again."""
    if request is not None and hasattr(request, "session"):
        from tongban.identity.selectors import security_policy

        renew_idle_deadline(request, security_policy().idle_minutes * 60)


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from tongban.identity.selectors import security_policy

            # 8.1.4.1 b: the session ends after this many idle minutes (renewed on each request).
            renew_idle_deadline(request, security_policy().idle_minutes * 60)
            if getattr(user, "must_change_password", False) and not self._allowed(request):
                return redirect(reverse("identity:password_change"))
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(("/static/", "/i18n/", "/api/")):
            return True
        return any(path == reverse(name) for name in _ALLOWED_WHILE_CHANGING)
