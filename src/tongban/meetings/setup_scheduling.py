"""Wiring of the meetings' scheduling part (called from MeetingsConfig.ready): the nav entries
我的会议 and 会场管理 in 会议, the notification events of notices and 回执, the 30-minute 回执催报
job and the demo hook."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SECTION = _("会议")


def _staff(user: Any) -> bool:
    return bool(user.is_authenticated)


def _organiser(user: Any) -> bool:
    from tongban.meetings import selectors

    return bool(user.is_authenticated) and selectors.nav_facts(user).organiser


def _badge(user: Any) -> int:
    from tongban.meetings import selectors

    return selectors.nav_facts(user).badge


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.meetings import demo_scheduling, tasks_scheduling
    from tongban.notify import events

    for order, (code, label, channels) in enumerate(
        (
            ("meetings.notice", _("会议通知"), ("inapp", "sms")),
            ("meetings.changed", _("会议变更"), ("inapp", "sms")),
            ("meetings.cancelled", _("会议取消"), ("inapp", "sms")),
            ("meetings.confirm_reminder", _("参会回执催报"), ("inapp", "sms")),
            ("meetings.confirmed", _("参会单位已回执"), ("inapp",)),
        ),
        start=400,
    ):
        events.register(code, label, default_channels=channels, order=order)
    nav.register(
        nav.NavItem(
            key="meetings_index",
            label=_("我的会议"),
            url_name="meetings:index",
            icon="bi-camera-video",
            section=SECTION,
            order=340,
            visible=_staff,
            badge=_badge,
        )
    )
    nav.register(
        nav.NavItem(
            key="meetings_venues",
            label=_("会场管理"),
            url_name="meetings:venues",
            icon="bi-building",
            section=SECTION,
            order=341,
            visible=_organiser,
        )
    )
    schedule.register("meetings.confirm_reminders", tasks_scheduling.confirm_reminders, seconds=30 * 60)
    demo.register("meetings.scheduling", demo_scheduling.seed, order=400)
