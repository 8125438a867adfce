"""REST endpoint that renders a document described in DocumentSpec to PDF without storing it."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["render"])
