"""Demo data: a few incoming documents at 政府办 and 财政局 in different states (idempotent)."""

from __future__ import annotations

from typing import Any


def seed(ctx: Any) -> str:
    return "receiving: skipped"
