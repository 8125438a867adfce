"""/api/v1/ endpoints of exchange."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["数据交换"])
