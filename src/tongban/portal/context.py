"""Template context of the public site: the portal identity (meta tags and footer) on /portal/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/portal/"):
        return {}
    from tongban.portal.site import identity_for

    return {"portal_identity": identity_for(request)}
