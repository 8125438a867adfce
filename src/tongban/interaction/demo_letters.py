"""Demo letters (filled below)."""

from __future__ import annotations

from tongban.core.demo import DemoContext


def seed(ctx: DemoContext) -> str:
    return "letters: -"
