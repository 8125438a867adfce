from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_audit_admin(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "admin_role", "") == "audit"


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from tongban.core import dbguard, nav, schedule, tasks
        from tongban.core.permissions import has_admin_role

        connection_created.connect(dbguard.register_sqlite_functions, dispatch_uid="tongban_audit_guard")
        nav.register(
            nav.NavItem(key="home", label=_("工作台"), url_name="core:home", icon="bi-house", order=0)
        )
        nav.register(
            nav.NavItem(
                key="calendar",
                label=_("工作日历"),
                url_name="core:calendar",
                icon="bi-calendar3",
                section=_("常用"),
                order=420,
            )
        )
        nav.register(
            nav.NavItem(
                key="audit",
                label=_("审计日志"),
                url_name="core:audit_log",
                icon="bi-journal-text",
                section=_("系统管理"),
                order=950,
                visible=_is_audit_admin,
            )
        )
        nav.register(
            nav.NavItem(
                key="system_status",
                label=_("系统状态"),
                url_name="core:system_status",
                icon="bi-activity",
                section=_("系统管理"),
                order=990,
                visible=lambda user: has_admin_role(user, "system"),
            )
        )
        schedule.register("core.worker_heartbeat", tasks.worker_heartbeat, seconds=30)
        schedule.register("core.prune_task_results", tasks.prune_task_results, cron="30 3 * * *")
