"""REST endpoints: approvals_cases (see tongban/api/main.py for where they are mounted)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["approvals_cases"])
