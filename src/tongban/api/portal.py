"""REST endpoints of portal (staff: ``router``; public, under /api/v1/public/: ``public_router``)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["portal"])
public_router = Router(tags=["portal (public)"])
