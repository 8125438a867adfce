"""Demo data of the meetings' scheduling part (order 400). Filled in below."""

from __future__ import annotations

from tongban.core.demo import DemoContext


def seed(ctx: DemoContext) -> str:
    return "会议：演示数据待补充"
