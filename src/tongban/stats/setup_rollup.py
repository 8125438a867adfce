"""Wiring of the stats roll-ups: the built-in sources, the scheduled jobs ``stats.rollup`` (10 min)
and ``stats.snapshot`` (5 min), the 统计计算 navigation entry and the demo hook (order 800)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _can_manage(user: Any) -> bool:
    from tongban.stats import access

    return access.can_manage(user)


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.stats import demo_rollup, sources_builtin, tasks_rollup

    sources_builtin.register_builtin()
    schedule.register("stats.rollup", tasks_rollup.rollup_task, seconds=600)
    schedule.register("stats.snapshot", tasks_rollup.snapshot_task, seconds=300)
    nav.register(
        nav.NavItem(
            key="stats_rollup",
            label=_("统计计算"),
            url_name="stats_rollup:status",
            icon="bi-calculator",
            section=_("考核统计"),
            order=806,
            visible=_can_manage,
        )
    )
    demo.register("stats_rollup", demo_rollup.seed, order=800)
