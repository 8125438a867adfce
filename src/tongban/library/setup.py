"""Wiring of library: nav entry, notify events, demo data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from tongban.core import demo as demo_hooks
    from tongban.core import nav
    from tongban.library import access, demo
    from tongban.notify import events

    events.register("library.request_new", _("共享资源申请"), default_channels=("inapp",), order=445)
    events.register("library.request_decided", _("共享资源申请答复"), default_channels=("inapp",), order=446)
    nav.register(
        nav.NavItem(
            key="library",
            label=_("共享资源库"),
            url_name="library:catalogue",
            icon="bi-database",
            section=_("常用"),
            order=445,
            visible=access.can_see_library,
        )
    )
    demo_hooks.register("library", demo.seed, order=830)
