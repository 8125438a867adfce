"""Wiring of the disclosure part (nav entries, notify events, scheduled jobs, demo data)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _visible(user: Any) -> bool:
    from tongban.interaction.disclosure import is_officer

    return bool(user.is_authenticated) and is_officer(user)


def _badge(user: Any) -> int:
    from tongban.interaction.disclosure_selectors import open_count

    return open_count(user)


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.interaction import tasks_disclosure
    from tongban.notify import events

    nav.register(
        nav.NavItem(
            "interaction.disclosure", _("依申请公开"), "disclosure:index", icon="bi-file-earmark-text",
            section=_("政民互动"), order=520, visible=_visible, badge=_badge,
        )
    )  # fmt: skip
    events.register("disclosure.received", _("收到政府信息公开申请"), ("inapp",))
    events.register("disclosure.due_soon", _("政府信息公开申请即将到期"), ("inapp",))
    events.register("disclosure.overdue", _("政府信息公开申请已超期"), ("inapp", "sms"))
    schedule.register("interaction.disclosure_daily", tasks_disclosure.daily_task, cron="10 8 * * *")

    def _demo(ctx: Any) -> str:
        from tongban.interaction.demo_disclosure import seed

        return seed(ctx)

    demo.register("interaction.disclosure", _demo, order=320)
