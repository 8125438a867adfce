"""The one gate for pages that belong to an administrator role (三员分立, GB/T 22239-2019 8.1.4.2):
each page belongs to exactly one of the system, security and audit administrators, and a Django
superuser gets no exception. Anonymous users are sent to log in; any other user gets 403 and
nothing runs. Core reads ``user.admin_role`` without importing identity."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

View = Callable[..., HttpResponse]

ROLE_MESSAGES = {
    "system": gettext_noop("只有系统管理员可以访问此页面。"),
    "security": gettext_noop("只有安全管理员可以访问此页面。"),
    "audit": gettext_noop("只有审计管理员可以访问此页面。"),
}


def has_admin_role(user: Any, role: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "admin_role", "") == role
    )


def admin_role_required(role: str) -> Callable[[View], View]:
    if role not in ROLE_MESSAGES:
        raise ValueError(f"unknown administrator role: {role!r}")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_admin_role(request.user, role):
                raise PermissionDenied(_(ROLE_MESSAGES[role]))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
