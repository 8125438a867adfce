"""REST endpoints: the public service catalogue (办事指南), anonymous, under /api/v1/public/catalogue/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["approvals_guide"])
