"""Wiring of the portal's health part: nav entries (health check; error reports with a badge),
the notify events, the daily reminder job (07:30)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _errors_badge(user: Any) -> int:
    from tongban.portal import errors

    return errors.new_count(user)


def _can_view(user: Any) -> bool:
    from tongban.portal import health

    return health.can_view(user)


def _can_handle(user: Any) -> bool:
    from tongban.portal import errors

    return errors.can_handle(user)


def ready() -> None:
    from tongban.core import nav, schedule
    from tongban.notify import events
    from tongban.portal import health

    nav.register(
        nav.NavItem(
            key="portal_health",
            label=_("网站健康检查"),
            url_name="portal_health:index",
            icon="bi-heart-pulse",
            section=_("门户网站"),
            order=730,
            visible=_can_view,
        )
    )
    nav.register(
        nav.NavItem(
            key="portal_errors",
            label=_("网站纠错"),
            url_name="portal_health:errors",
            icon="bi-bug",
            section=_("门户网站"),
            order=731,
            visible=_can_handle,
            badge=_errors_badge,
        )
    )
    events.register("portal.health_reminder", _("网站栏目更新提醒"), ("inapp", "sms"))
    events.register("portal.error_reported", _("网站纠错"), ("inapp",))
    schedule.register("portal.health_reminders", health.notify_owners, cron="30 7 * * *")
