from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Workbench: 待签收 for clerks (hidden for people without a 收文 role)."""
    from tongban.receiving import selectors

    if not selectors.receiving_units(request.user):
        return None
    pending = list(
        selectors.incoming_list(user=request.user, tab="pending").filter(
            unit_id__in=[u.pk for u in selectors.receiving_units(request.user)]
        )[:5]
    )
    return {"pending": pending, "pending_count": selectors.pending_count(request.user)}


class ReceivingConfig(AppConfig):
    name = "tongban.receiving"
    label = "receiving"
    verbose_name = _("收文办理")

    def ready(self) -> None:
        from django.urls import reverse

        from tongban.core import demo as demo_hooks
        from tongban.core import home, nav, schedule
        from tongban.documents import hooks as document_hooks
        from tongban.notify import events
        from tongban.receiving import demo, rules, selectors, services, tasks
        from tongban.workflow import registry as wfr

        events.register("receiving.arrived", _("收文待签收"), default_channels=("inapp", "sms"), order=40)
        events.register("receiving.returned", _("来文被退回"), default_channels=("inapp", "sms"), order=41)
        events.register(
            "receiving.deadline", _("收文办理到期提醒"), default_channels=("inapp", "sms"), order=42
        )

        wfr.register_default_definition(
            key=rules.PROCESS_KEY, name=_("收文"), path=Path(__file__).parent / "processes" / "incoming.bpmn"
        )
        wfr.register_subject(
            subject_type=rules.SUBJECT_TYPE,
            url=lambda pk: reverse("receiving:detail", args=[pk]),
            label=_("收文"),
        )
        wfr.register_listener(rules.SUBJECT_TYPE, services.on_workflow_event)

        document_hooks.register_issued_listener(services.distribute)
        document_hooks.register_visibility_extension(selectors.documents_visible_as_recipient)

        try:
            from tongban.search import registry as search_registry

            search_registry.register_kind(
                "receiving.incoming",
                _("收文"),
                visible_ids=selectors.visible_ids,
                url=lambda pk: reverse("receiving:detail", args=[pk]),
            )
        except ImportError:  # pragma: no cover - search not installed
            pass
        try:
            from tongban.archive import registry as archive_registry

            archive_registry.register_kind(
                rules.SUBJECT_TYPE,
                _("收文"),
                visible_ids=selectors.visible_ids,
                url=lambda pk: reverse("receiving:detail", args=[pk]),
            )
        except ImportError:  # pragma: no cover - archive registry not there yet
            pass

        schedule.register("receiving.deadline_reminders", tasks.reminders_send_task, cron="30 8 * * *")
        demo_hooks.register("receiving", demo.seed, order=70)
        nav.register(
            nav.NavItem(
                key="receiving",
                label=_("收文办理"),
                url_name="receiving:list",
                icon="bi-inbox",
                section=_("公文办理"),
                order=220,
                visible=lambda user: bool(selectors.receiving_units(user)),
                badge=selectors.pending_count,
            )
        )
        home.register(
            home.HomePanel(
                key="receiving", template="receiving/_home_panel.html", context=home_panel, order=25
            )
        )
