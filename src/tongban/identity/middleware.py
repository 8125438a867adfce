"""Per-request security policy (GB/T 22239-2019 8.1.4.1): the idle timeout set by the security
administrator, and a forced password change after an administrator's reset."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

_ALLOWED_WHILE_CHANGING = ("identity:password_change", "identity:logout")
RENEW_STEP_SECONDS = 60


IDLE_KEY = "tb_idle_until"


def renew_idle_deadline(request: HttpRequest, idle_seconds: int) -> None:
    """Keep the session's idle deadline (a Unix time kept in the session, checked here on every
    request) at now + the idle time, moved only when it would move by a minute or more. A session
    therefore ends between (idle − 1 minute) and idle after its last request — never later — and
    the page views within one minute write nothing. A changed policy moves the deadline either way
    at once. The cookie itself stays a browser-session cookie, so closing the browser on a shared
    office PC ends the session too."""
    deadline = time.time() + idle_seconds
    current = request.session.get(IDLE_KEY)
    if isinstance(current, int | float) and abs(deadline - current) < RENEW_STEP_SECONDS:
        return
    request.session[IDLE_KEY] = deadline


def idle_expired(request: HttpRequest) -> bool:
    current = request.session.get(IDLE_KEY)
    return isinstance(current, int | float) and time.time() >= current


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
            if idle_expired(request):
                return self._end_idle_session(request, user)
            renew_idle_deadline(request, security_policy().idle_minutes * 60)
            if getattr(user, "must_change_password", False) and not self._allowed(request):
                return redirect(reverse("identity:password_change"))
        return self.get_response(request)

    def _end_idle_session(self, request: HttpRequest, user: object) -> HttpResponse:
        from tongban.identity import services

        services.login_event("identity.session_expired", request=request, user=user, success=True)  # type: ignore[arg-type]
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)  # now anonymous: the API answers 401
        messages.info(request, _("因长时间未操作，您已自动退出登录，请重新登录。"))
        return redirect_to_login(request.get_full_path())

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(("/static/", "/i18n/", "/api/")):
            return True
        return any(path == reverse(name) for name in _ALLOWED_WHILE_CHANGING)
