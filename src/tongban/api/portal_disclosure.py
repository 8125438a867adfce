"""Portal endpoints (disclosure): ``router`` under /api/v1/portal/, ``public_router`` under /api/v1/public/portal/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["portal"])
public_router = Router(tags=["portal (public)"])
