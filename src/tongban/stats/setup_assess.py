"""Wiring of the usage assessment: the nav entries 考核评分 and 考核方案, the daily job
``stats.scores`` (06:30, after the night's roll-up) and the demo scheme (order 810, after the
roll-up's demo history at 800)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.stats import access, demo_assess, tasks_assess

    nav.register(
        nav.NavItem(
            key="stats_scorecards",
            label=_("考核评分"),
            url_name="stats_assess:scorecards",
            icon="bi-trophy",
            section=_("考核统计"),
            order=802,
            visible=access.can_view_stats,
        )
    )
    nav.register(
        nav.NavItem(
            key="stats_schemes",
            label=_("考核方案"),
            url_name="stats_assess:schemes",
            icon="bi-list-check",
            section=_("考核统计"),
            order=803,
            visible=access.can_manage,
        )
    )
    schedule.register("stats.scores", tasks_assess.scores_task, cron="30 6 * * *")
    demo.register("stats.assess", demo_assess.seed, order=810)
