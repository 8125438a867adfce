"""Wiring of the surveys part (nav entries, notify events, scheduled jobs, demo data)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _visible(user: Any) -> bool:
    from tongban.interaction import surveys_selectors as sel

    return bool(user.is_authenticated) and bool(sel.viewer_county_ids(user))


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.interaction import demo_surveys, tasks_interviews

    nav.register(
        nav.NavItem(
            "interaction_surveys",
            _("征集调查"),
            "surveys:index",
            icon="bi-ui-checks",
            section=_("政民互动"),
            order=335,
            visible=_visible,
        )
    )
    schedule.register("surveys.close_due", tasks_interviews.surveys_close_due, cron="5 0 * * *")
    demo.register("interaction.surveys", demo_surveys.seed, order=335)
