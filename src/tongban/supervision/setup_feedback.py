"""Wiring of the feedback part (called from SupervisionConfig.ready): nav entries in 电子监察,
notification events, the rating listener, the nightly score job and the demo hook."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SECTION = _("电子监察")


def _supervisor(user: Any) -> bool:
    from tongban.supervision import selectors_feedback as sel

    return bool(user.is_authenticated) and sel.is_supervisor(user)


def _reader(user: Any) -> bool:
    from tongban.supervision import selectors_feedback as sel

    return bool(user.is_authenticated) and sel.can_use_feedback(user)


def _unit_head_only(user: Any) -> bool:
    from tongban.supervision import selectors_feedback as sel

    return bool(user.is_authenticated) and not sel.is_supervisor(user) and bool(sel.led_unit_ids(user))


def _complaints_badge(user: Any) -> int:
    from tongban.supervision import selectors_feedback as sel

    return sel.complaints_badge(user)


def _followups_badge(user: Any) -> int:
    from tongban.supervision import selectors_feedback as sel

    return sel.followups_badge(user)


def ready() -> None:
    from tongban.approvals import hooks
    from tongban.core import demo, nav, schedule
    from tongban.notify import events
    from tongban.supervision import demo_feedback, followups, tasks_feedback

    events.register("supervision.complaint_received", _("收到投诉"), default_channels=("inapp",), order=420)
    events.register(
        "supervision.complaint_assigned", _("投诉转办本单位"), default_channels=("inapp", "sms"), order=421
    )
    events.register(
        "supervision.complaint_stated", _("被投诉单位已说明情况"), default_channels=("inapp",), order=422
    )
    events.register(
        "supervision.followup_opened", _("差评待整改"), default_channels=("inapp", "sms"), order=423
    )
    nav.register(
        nav.NavItem(
            key="supervision_complaints",
            label=_("投诉处理"),
            url_name="supervision:complaints",
            icon="bi-chat-square-text",
            section=SECTION,
            order=520,
            visible=_reader,
            badge=_complaints_badge,
        )
    )
    nav.register(
        nav.NavItem(
            key="supervision_followups",
            label=_("差评整改"),
            url_name="supervision:followups",
            icon="bi-hand-thumbs-down",
            section=SECTION,
            order=521,
            visible=_reader,
            badge=_followups_badge,
        )
    )
    nav.register(
        nav.NavItem(
            key="supervision_performance",
            label=_("绩效考核"),
            url_name="supervision:performance",
            icon="bi-bar-chart-line",
            section=SECTION,
            order=522,
            visible=_reader,
        )
    )
    hooks.register_rating_listener("supervision.followups", followups.on_rating)
    # 01:30 every night: the current and the previous month (late answers and ratings).
    schedule.register(
        "supervision.performance_nightly", tasks_feedback.performance_nightly, cron="30 1 * * *"
    )
    demo.register("supervision_feedback", demo_feedback.seed, order=95)
