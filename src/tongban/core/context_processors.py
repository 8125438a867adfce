from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tongban.core import nav
from tongban.core import shell as shell_registry


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's shell (top bar, left navigation, footer) needs."""
    user = getattr(request, "user", None)
    ctx: dict[str, Any] = {
        "site_name": settings.TONGBAN_SITE_NAME,
        "large_text": request.COOKIES.get("tb_large_text") == "1",
    }
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true":
        return ctx  # an htmx fragment has no shell: skip the navigation badges' queries
    if user is not None and user.is_authenticated:
        ctx["nav_items"] = nav.items_for(user, request.path)
        for provider in shell_registry.PROVIDERS:
            ctx.update(provider(request))
    return ctx
