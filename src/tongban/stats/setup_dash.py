"""Wiring of stats dash: nav entries (统计总览, 单位对比, 效益报告, 意见处理, 意见建议), the notify
event ``stats.feedback_answered`` and the demo hook (order 820: unit costs, feedback, changelog)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _any_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def ready() -> None:
    from tongban.core import demo, nav
    from tongban.notify import events
    from tongban.stats import access, demo_dash

    section = _("考核统计")
    for key, label, url_name, icon, order, visible in (
        (
            "stats_overview",
            _("统计总览"),
            "stats_dash:overview",
            "bi-bar-chart-line",
            800,
            access.can_view_stats,
        ),
        ("stats_units", _("单位对比"), "stats_dash:units", "bi-list-ol", 801, access.can_view_county),
        ("stats_effect", _("效益报告"), "stats_dash:effect", "bi-tree", 804, access.can_view_county),
        (
            "stats_feedback_manage",
            _("意见处理"),
            "stats_dash:feedback_manage",
            "bi-inboxes",
            805,
            access.can_manage,
        ),
    ):
        nav.register(
            nav.NavItem(
                key=key,
                label=label,
                url_name=url_name,
                icon=icon,
                section=section,
                order=order,
                visible=visible,
            )
        )
    nav.register(
        nav.NavItem(
            key="stats_feedback",
            label=_("意见建议"),
            url_name="stats_dash:feedback_mine",
            icon="bi-chat-square-heart",
            section=_("常用"),
            order=450,
            visible=_any_staff,
        )
    )
    events.register("stats.feedback_answered", _("意见建议已答复"), default_channels=("inapp",), order=820)
    demo.register("stats.dash", demo_dash.seed, order=820)
