"""Wiring of the meetings' schedules part: the nav entry 领导日程 (county leaders, their
secretaries and the schedule clerks) and the demo data (order 440: after the portal's demo site,
400, so this week can be published to the 县领导 column)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _visible(user: Any) -> bool:
    from tongban.meetings import selectors

    return bool(user.is_authenticated) and selectors.nav_facts(user).schedules


def ready() -> None:
    from tongban.core import demo, nav
    from tongban.meetings import demo_schedules

    nav.register(
        nav.NavItem(
            key="meetings_schedules",
            label=_("领导日程"),
            url_name="schedules:index",
            icon="bi-calendar-week",
            section=_("会议"),
            order=343,
            visible=_visible,
        )
    )
    demo.register("meetings.schedules", demo_schedules.seed, order=440)
