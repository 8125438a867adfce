from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Workbench panel: the latest notices addressed to the user, unread first."""
    from tongban.notices import selectors

    if not getattr(request.user, "is_authenticated", False):
        return None
    return {
        "latest": selectors.latest_for_home(user=request.user),
        "unread": selectors.unread_count(user=request.user),
    }


class NoticesConfig(AppConfig):
    name = "tongban.notices"
    label = "notices"
    verbose_name = _("通知公告")

    def ready(self) -> None:
        from tongban.core import demo as demo_hooks
        from tongban.core import home, nav
        from tongban.notices import demo, selectors
        from tongban.notify import events

        events.register("notices.published", _("通知公告"), default_channels=("inapp",), order=30)
        events.register(
            "notices.published_urgent", _("紧急通知公告"), default_channels=("inapp", "sms"), order=31
        )
        events.register(
            "notices.reminder", _("通知公告阅读提醒"), default_channels=("inapp", "sms"), order=32
        )
        nav.register(
            nav.NavItem(
                key="notices",
                label=_("通知公告"),
                url_name="notices:list",
                icon="bi-megaphone",
                section=_("公文办理"),
                order=230,
                badge=lambda user: selectors.unread_count(user=user),
            )
        )
        home.register(
            home.HomePanel(key="notices", template="notices/_home_panel.html", context=home_panel, order=15)
        )
        demo_hooks.register("notices", demo.seed, order=60)
