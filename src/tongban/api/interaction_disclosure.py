"""REST endpoints of interaction disclosure (staff: ``router``; public, under /api/v1/public/: ``public_router``)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["interaction_disclosure"])
public_router = Router(tags=["interaction_disclosure (public)"])
