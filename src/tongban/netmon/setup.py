"""Wiring of netmon: the nav entry 网络监测 (network administrators and the system administrator),
the notification events (site down / back up: in-app and SMS), the ``netmon.probe`` job every 60 s,
the health check of the probe job, and the demo hook (order 840)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _visible(user: Any) -> bool:
    from tongban.netmon import access

    return access.can_monitor(user)


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.netmon import demo as netmon_demo
    from tongban.netmon import tasks
    from tongban.notify import events

    nav.register(
        nav.NavItem(
            key="netmon",
            label=_("网络监测"),
            url_name="netmon:index",
            icon="bi-hdd-network",
            section=_("系统管理"),
            order=970,
            visible=_visible,
        )
    )
    events.register("netmon.site_down", _("站点网络中断"), default_channels=("inapp", "sms"), order=970)
    events.register("netmon.site_up", _("站点网络恢复"), default_channels=("inapp", "sms"), order=971)
    schedule.register("netmon.probe", tasks.probe, seconds=60)
    demo.register("netmon", netmon_demo.seed, order=840)
