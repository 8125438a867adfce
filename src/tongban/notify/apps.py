from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def shell_provider(request: HttpRequest) -> dict[str, Any]:
    """Top-bar bell: the unread count (one COUNT query) and where the bell leads."""
    from django.urls import reverse

    from tongban.notify import selectors

    return {"notify_unread": selectors.unread_count(user=request.user), "notify_url": reverse("notify:list")}


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Workbench panel: the five latest notifications, unread first."""
    from tongban.notify import selectors

    latest = list(selectors.notifications_for(user=request.user)[:5])
    return {"latest": latest}


class NotifyConfig(AppConfig):
    name = "tongban.notify"
    label = "notify"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from tongban.core import demo as demo_hooks
        from tongban.core import home, nav, schedule, shell
        from tongban.notify import events, selectors, tasks

        events.register(
            "notify.test", _("系统测试消息"), default_channels=("inapp", "email", "sms"), order=900
        )
        events.register(
            "identity.security", _("账号安全提醒"), default_channels=("inapp", "email", "sms"), order=10
        )

        events.register("notify.welcome", _("平台公告"), default_channels=("inapp",), order=1)
        from tongban.notify import demo

        demo_hooks.register("notify", demo.seed, order=10)
        shell.register(shell_provider)
        home.register(
            home.HomePanel(key="notify", template="notify/_home_panel.html", context=home_panel, order=10)
        )
        schedule.register("notify.retry_due_deliveries", tasks.retry_due_deliveries_task, seconds=60)
        nav.register(
            nav.NavItem(
                key="notify",
                label=_("消息通知"),
                url_name="notify:list",
                icon="bi-bell",
                section=_("常用"),
                order=400,
                badge=lambda user: selectors.unread_count(user=user),
            )
        )
        nav.register(
            nav.NavItem(
                key="notify_deliveries",
                label=_("投递记录"),
                url_name="notify:deliveries",
                icon="bi-send-check",
                section=_("系统管理"),
                order=960,
                visible=lambda user: bool(getattr(user, "is_system_admin", False)),
            )
        )
