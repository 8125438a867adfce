"""REST endpoints of the seals domain."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["seals"])
