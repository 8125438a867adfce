from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Workbench panel: the five newest items in 待办 (hidden for the three administrators)."""
    from tongban.workflow import selectors

    if getattr(request.user, "admin_role", ""):
        return None
    return {"result": selectors.inbox(user=request.user, box="todo", per_page=5)}


class WorkflowConfig(AppConfig):
    name = "tongban.workflow"
    label = "workflow"
    verbose_name = _("流程引擎")

    def ready(self) -> None:
        from tongban.core import home, nav, schedule
        from tongban.notify import events
        from tongban.workflow import assignees, definitions, selectors, tasks

        assignees.register_builtins()
        events.register("workflow.todo", _("新的待办事项"), default_channels=("inapp",), order=20)
        events.register("workflow.toread", _("新的待阅事项"), default_channels=("inapp",), order=21)
        events.register("workflow.urge", _("催办提醒"), default_channels=("inapp", "sms"), order=22)
        events.register("workflow.due", _("办理期限提醒"), default_channels=("inapp", "sms"), order=23)
        events.register("workflow.error", _("流程运行出错"), default_channels=("inapp", "email"), order=24)
        home.register(
            home.HomePanel(key="workflow", template="workflow/_home_panel.html", context=home_panel, order=1)
        )
        schedule.register("workflow.remind_due_items", tasks.remind_due_items_task, cron="*/30 * * * *")
        post_migrate.connect(definitions.on_post_migrate, sender=self, dispatch_uid="workflow_sync_defaults")

        section = _("公文办理")
        staff = lambda user: bool(user.is_authenticated and not getattr(user, "admin_role", ""))  # noqa: E731
        for order, (box, icon) in enumerate(
            (
                ("todo", "bi-inbox"),
                ("done", "bi-check2-square"),
                ("started", "bi-send"),
                ("toread", "bi-eye"),
                ("read", "bi-eye-fill"),
            ),
            start=1,
        ):
            nav.register(
                nav.NavItem(
                    # the 公文办理 section comes first (orders 100–299); the key keeps the boxes in order
                    key=f"workflow_{order}{box}",
                    label=selectors.BOXES[box],
                    url_name=f"workflow:{box}",
                    icon=icon,
                    section=section,
                    order=100,
                    visible=staff,
                    badge=selectors.nav_badge(box) if box in ("todo", "toread") else None,
                )
            )
        nav.register(
            nav.NavItem(
                key="workflow_6delegations",
                label=_("委托办理"),
                url_name="workflow:delegations",
                icon="bi-person-check",
                section=section,
                order=100,
                visible=staff,
            )
        )
        nav.register(
            nav.NavItem(
                key="workflow_definitions",
                label=_("流程定义"),
                url_name="workflow:definitions",
                icon="bi-diagram-3",
                section=_("系统管理"),
                order=930,
                visible=lambda user: bool(getattr(user, "is_security_admin", False)),
            )
        )
        nav.register(
            nav.NavItem(
                key="workflow_errors",
                label=_("流程异常"),
                url_name="workflow:errors",
                icon="bi-exclamation-octagon",
                section=_("系统管理"),
                order=931,
                visible=lambda user: bool(getattr(user, "is_system_admin", False)),
            )
        )
