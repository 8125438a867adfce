"""/api/v1/ endpoints of library."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["共享资源库"])
