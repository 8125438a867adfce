"""REST endpoints of interaction surveys (staff: ``router``; public, under /api/v1/public/: ``public_router``)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["interaction_surveys"])
public_router = Router(tags=["interaction_surveys (public)"])
