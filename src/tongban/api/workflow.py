"""REST endpoints of the workflow domain."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["workflow"])
