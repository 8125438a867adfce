"""/api/v1/ endpoints of stats_assess."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["考核统计"])
