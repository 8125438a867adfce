"""The portal's site: which county's site a request is on, and its identity (meta tags, footer)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail.models import Site

from tongban.portal.models import PortalIdentity


def identity_for(request: HttpRequest) -> Any:
    site = Site.find_for_request(request)
    if site is None:
        return None
    return PortalIdentity.for_site(site)
