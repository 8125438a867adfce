"""Wiring of the feedback part (called from SupervisionConfig.ready): nav entries in 电子监察,
notification events, the rating listener, the nightly score job and the demo hook."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SECTION = _("电子监察")
UNIT_SECTION = _("网上审批")


def _supervisor(user: Any) -> bool:
    from tongban.supervision import selectors_feedback as sel

    return bool(user.is_authenticated) and sel.is_supervisor(user)


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
    # Supervisors: in 电子监察 after the watch part's entries (600–620; its settings are at 690).
    for key, label, url_name, icon, order, badge in (
        (
            "supervision_complaints",
            _("投诉处理"),
            "supervision:complaints",
            "bi-chat-square-text",
            630,
            _complaints_badge,
        ),
        (
            "supervision_followups",
            _("差评整改"),
            "supervision:followups",
            "bi-hand-thumbs-down",
            640,
            _followups_badge,
        ),
        ("supervision_performance", _("绩效考核"), "supervision:performance", "bi-bar-chart-line", 650, None),
    ):
        nav.register(
            nav.NavItem(
                key=key, label=label, url_name=url_name, icon=icon, section=SECTION, order=order,
                visible=_supervisor, badge=badge,
            )
        )  # fmt: skip
    # Unit heads (not supervisors): their unit's follow-ups, complaints forwarded to it and its
    # score, next to the watch part's 整改通知 (网上审批, 590).
    for key, label, url_name, icon, order, badge in (
        (
            "unit_followups",
            _("差评整改"),
            "supervision:followups",
            "bi-hand-thumbs-down",
            591,
            _followups_badge,
        ),
        (
            "unit_complaints",
            _("投诉处理"),
            "supervision:complaints",
            "bi-chat-square-text",
            592,
            _complaints_badge,
        ),
        ("unit_performance", _("绩效考核"), "supervision:performance", "bi-bar-chart-line", 593, None),
    ):
        nav.register(
            nav.NavItem(
                key=key, label=label, url_name=url_name, icon=icon, section=UNIT_SECTION, order=order,
                visible=_unit_head_only, badge=badge,
            )
        )  # fmt: skip
    hooks.register_rating_listener("supervision.followups", followups.on_rating)
    # 01:30 every night: the current and the previous month (late answers and ratings).
    schedule.register(
        "supervision.performance_nightly", tasks_feedback.performance_nightly, cron="30 1 * * *"
    )
    demo.register("supervision_feedback", demo_feedback.seed, order=95)
