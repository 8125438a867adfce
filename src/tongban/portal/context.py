"""Template context of the public site (/portal/ and Wagtail previews of portal pages): the
portal identity (meta tags and footer), the top navigation and the current channel. Everything
here comes from one cached snapshot per host (:func:`tongban.portal.site.snapshot`), so a page's
frame costs no query once the site is warm."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    if not (request.path.startswith("/portal/") or getattr(request, "is_preview", False)):
        return {}
    from tongban.portal.site import snapshot

    snap = snapshot(request)
    section = ""
    for entry in snap.channels:
        if entry.url and request.path.startswith(entry.url):
            section = entry.slug
    return {
        "portal_identity": snap.identity,
        "portal_nav": snap.channels,
        "portal_home_url": snap.home_url,
        "portal_section": section,
    }
