"""/api/v1/ endpoints of netmon."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["网络监测"])
