"""REST endpoints: supervision_complaints (see tongban/api/main.py for where they are mounted)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["supervision_complaints"])
