"""Wiring of the watch part (called from SupervisionConfig.ready): the sweep's schedule and case
listener, the alert events, the 电子监察 navigation, the demo hook."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _is_supervisor(user: Any) -> bool:
    from tongban.supervision import selectors_watch

    return selectors_watch.is_supervisor(user)


def _is_unit_head(user: Any) -> bool:
    from tongban.supervision import selectors_watch

    return bool(selectors_watch.head_unit_ids(user)) and not selectors_watch.is_supervisor(user)


def _open_for_unit(user: Any) -> int:
    from tongban.supervision import selectors_watch

    return selectors_watch.open_rectifications_for_unit_head(user)


def ready() -> None:
    from tongban.approvals import hooks
    from tongban.core import demo, nav, schedule
    from tongban.notify import events
    from tongban.supervision import demo_watch, sweep, tasks

    events.register("supervision.light", _("办件预警与黄牌红牌"), default_channels=("inapp", "sms"), order=80)
    events.register("supervision.rectification", _("整改通知"), default_channels=("inapp", "sms"), order=81)
    schedule.register("supervision.sweep", tasks.sweep_task, seconds=300)
    hooks.register_case_listener("supervision.watch", sweep.on_case_event)
    section = _("电子监察")
    for key, label, url_name, icon, order in (
        ("supervision_dashboard", _("监察总览"), "supervision:dashboard", "bi-speedometer2", 600),
        ("supervision_anomalies", _("异常办件"), "supervision:anomalies", "bi-exclamation-triangle", 610),
        (
            "supervision_rectifications",
            _("整改通知"),
            "supervision:rectifications",
            "bi-clipboard-check",
            620,
        ),
        ("supervision_settings", _("监察设置"), "supervision:settings", "bi-sliders", 690),
    ):
        nav.register(
            nav.NavItem(
                key=key, label=label, url_name=url_name, icon=icon, section=section, order=order,
                visible=_is_supervisor,
            )
        )  # fmt: skip
    nav.register(
        nav.NavItem(
            key="supervision_unit_rectifications",
            label=_("整改通知"),
            url_name="supervision:rectifications",
            icon="bi-clipboard-check",
            section=_("网上审批"),
            order=590,
            visible=_is_unit_head,
            badge=_open_for_unit,
        )
    )
    demo.register("supervision_watch", demo_watch.seed, order=90)
