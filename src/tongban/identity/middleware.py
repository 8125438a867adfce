"""Per-request security policy (GB/T 22239-2019 8.1.4.1): the idle timeout set by the security
administrator, and a forced password change after an administrator's reset."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

_ALLOWED_WHILE_CHANGING = ("identity:password_change", "identity:logout")


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from tongban.identity.selectors import security_policy

            # 8.1.4.1 b: the session ends after this many idle minutes (renewed on each request).
            request.session.set_expiry(security_policy().idle_minutes * 60)
            if getattr(user, "must_change_password", False) and not self._allowed(request):
                return redirect(reverse("identity:password_change"))
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(("/static/", "/i18n/", "/api/")):
            return True
        return any(path == reverse(name) for name in _ALLOWED_WHILE_CHANGING)
