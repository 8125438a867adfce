"""URLconf for bench/bench_portal.py: the platform's URLs plus one view that returns the home
page's HTML bytes from memory (the bench writes them to $PORTAL_BENCH_HTML after fetching the home
page once). The issue's target: the portal's home page under gunicorn handles ≥ 50 % of the
requests per second of this view on the same machine."""

from __future__ import annotations

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tongban.urls import urlpatterns as platform_urlpatterns

_HTML: dict[str, bytes] = {}


def from_memory(request: HttpRequest) -> HttpResponse:
    body = _HTML.get("home")
    if body is None:
        body = _HTML["home"] = Path(os.environ["PORTAL_BENCH_HTML"]).read_bytes()
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/memory/", from_memory), *platform_urlpatterns]
