"""REST endpoints: approvals_public (see tongban/api/main.py for where they are mounted)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["approvals_public"])
