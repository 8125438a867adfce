"""Wiring of the catalogue part (called from ApprovalsConfig.ready): the 事项管理 nav entry (for
事项管理员 only, with the number of versions waiting for publication for the approval office)
and the demo catalogue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _pending_badge(user: Any) -> int:
    from tongban.approvals import catalogue_selectors as sel

    if not sel.is_office_admin(user):
        return 0
    return sel.items_for_staff(user, status=sel.PENDING).count()


def ready() -> None:
    from tongban.approvals import catalogue_selectors as sel
    from tongban.approvals import demo_catalogue
    from tongban.core import demo, nav

    nav.register(
        nav.NavItem(
            "approvals_catalogue",
            _("事项管理"),
            "approvals:catalogue",
            icon="bi-journal-text",
            section=_("网上审批"),
            order=406,
            visible=sel.is_catalogue_admin,
            badge=_pending_badge,
        )
    )
    demo.register("approvals_catalogue", demo_catalogue.seed, order=70)
