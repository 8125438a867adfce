"""Wiring of the portal's editorial part (called from PortalConfig.ready): role grants → Wagtail
groups, column and home saves → permissions, Wagtail moderation signals → platform notifications,
the scheduled-publishing job, the nav entries 网站编辑 / 编辑部 and the demo desks (order 410)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _portal_staff(user: Any) -> bool:
    from tongban.portal import editorial_selectors

    return bool(getattr(user, "is_authenticated", False)) and editorial_selectors.is_portal_staff(user)


def _pending_badge(user: Any) -> int:
    from tongban.portal import editorial_selectors

    return editorial_selectors.pending_count(user)


def seed_demo(ctx: Any) -> str:
    """Demo: every desk of 青山县 with its groups, permissions and workflow; people in their groups."""
    from tongban.orgs.demo import COUNTY_CODE
    from tongban.orgs.models import County
    from tongban.portal import editorial

    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return "网站编辑部：没有演示县"
    summary = editorial.sync_all(county)
    return f"网站编辑部：{summary.desks} 个单位编辑部，{summary.users} 名编辑、审核和网站管理员已入组"


def ready() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail import signals as wagtail_signals

    from tongban.core import demo, nav, schedule
    from tongban.notify import events
    from tongban.orgs.models import RoleGrant
    from tongban.portal import editorial
    from tongban.portal.models import ColumnPage, HomePage

    post_save.connect(editorial.on_grant_changed, sender=RoleGrant, dispatch_uid="portal_desk_grant_saved")
    post_delete.connect(
        editorial.on_grant_changed, sender=RoleGrant, dispatch_uid="portal_desk_grant_deleted"
    )
    post_save.connect(editorial.on_column_saved, sender=ColumnPage, dispatch_uid="portal_desk_column_saved")
    post_save.connect(editorial.on_home_saved, sender=HomePage, dispatch_uid="portal_desk_home_saved")
    wagtail_signals.task_submitted.connect(
        editorial.on_task_submitted, dispatch_uid="portal_review_submitted"
    )
    wagtail_signals.task_approved.connect(editorial.on_task_approved, dispatch_uid="portal_review_approved")
    wagtail_signals.task_rejected.connect(editorial.on_task_rejected, dispatch_uid="portal_review_rejected")

    events.register("portal.review_requested", _("网站稿件待审核"), default_channels=("inapp",), order=70)
    events.register("portal.review_done", _("网站稿件审核结果"), default_channels=("inapp",), order=71)
    schedule.register("portal.publish_scheduled", editorial.publish_scheduled_pages, cron="* * * * *")

    nav.register(
        nav.NavItem(
            "portal_cms",
            _("网站编辑"),
            "wagtailadmin_home",
            icon="bi-pencil-square",
            section=_("门户网站"),
            order=600,
            visible=_portal_staff,
            badge=_pending_badge,
        )
    )
    nav.register(
        nav.NavItem(
            "portal_desks",
            _("编辑部"),
            "portal_desks:index",
            icon="bi-people",
            section=_("门户网站"),
            order=601,
            visible=_portal_staff,
        )
    )
    demo.register("portal_desks", seed_demo, order=410)
