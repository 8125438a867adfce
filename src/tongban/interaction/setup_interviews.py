"""Wiring of the interviews part (nav entries, notify events, scheduled jobs, demo data)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _visible(user: Any) -> bool:
    from tongban.interaction import interviews_selectors as sel

    return bool(user.is_authenticated) and sel.can_view_staff(user)


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.interaction import demo_interviews, tasks_interviews
    from tongban.notify import events

    nav.register(
        nav.NavItem(
            "interaction_interviews",
            _("在线访谈"),
            "interviews:index",
            icon="bi-mic",
            section=_("政民互动"),
            order=330,
            visible=_visible,
        )
    )
    events.register("interviews.replies_due", _("访谈会后答复即将到期"), ("inapp", "sms"), order=330)
    events.register("interviews.replies_overdue", _("访谈会后答复已超期"), ("inapp", "sms"), order=331)
    schedule.register(
        "interviews.reply_reminders", tasks_interviews.interview_reply_reminders, cron="30 8 * * *"
    )
    demo.register("interaction.interviews", demo_interviews.seed, order=330)
