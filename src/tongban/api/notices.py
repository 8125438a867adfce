"""REST endpoints of the notices domain."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["notices"])
