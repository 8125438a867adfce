"""REST endpoints of interaction interviews (staff: ``router``; public, under /api/v1/public/: ``public_router``)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["interaction_interviews"])
public_router = Router(tags=["interaction_interviews (public)"])
