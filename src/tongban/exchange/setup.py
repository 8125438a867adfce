"""Wiring of exchange: the scopes of integration tokens, the nav entry 数据交换 (system
administrator), the notification of a failed push, the scheduled push and the demo data."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _visible(user: Any) -> bool:
    from tongban.exchange.selectors import is_exchange_admin

    return is_exchange_admin(user)


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.exchange import demo as exchange_demo
    from tongban.exchange import scopes, tasks
    from tongban.identity import api_auth
    from tongban.notify import events

    api_auth.register_scopes(scopes.scope_table())
    nav.register(
        nav.NavItem(
            key="exchange",
            label=_("数据交换"),
            url_name="exchange:index",
            icon="bi-arrow-left-right",
            section=_("系统管理"),
            order=975,
            visible=_visible,
        )
    )
    events.register("exchange.push_failed", _("数据推送失败"), ("inapp",), order=975)
    schedule.register("exchange.push", tasks.exchange_push, seconds=300)
    demo.register("exchange", exchange_demo.seed, order=850)
