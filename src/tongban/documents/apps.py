from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

PROCESS_FILE = Path(__file__).resolve().parent / "processes" / "outgoing.bpmn"


def _document_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("documents:detail", args=[pk])


def _leaders_in_charge(ctx):  # type: ignore[no-untyped-def]
    """Assignee rule ``leaders_in_charge``: the county leaders in charge (分管) of the instance's
    unit, or of the unit in case data ``unit_id``."""
    from tongban.orgs import selectors as org_selectors
    from tongban.orgs.models import Unit
    from tongban.workflow.registry import Assignee

    unit = ctx.instance.starter_unit
    if ctx.data.get("unit_id"):
        unit = Unit.objects.filter(pk=ctx.data["unit_id"], county_id=ctx.instance.county_id).first() or unit
    if unit is None:
        return []
    return [Assignee(user=u) for u in org_selectors.leaders_in_charge_of(unit)]


def _home_panel(request):  # type: ignore[no-untyped-def]
    """Workbench: the user's own documents still in progress (hidden for people who cannot draft)."""
    from tongban.documents import selectors
    from tongban.documents.models import DocStatus
    from tongban.orgs import selectors as org_selectors

    if not org_selectors.units_for_user(request.user):
        return None
    f = selectors.DocumentFilter(scope="mine")
    active = [DocStatus.DRAFT, DocStatus.REVIEW, DocStatus.SIGNED, DocStatus.NUMBERED, DocStatus.SEALED]
    return {"drafts": list(selectors.document_list(request.user, f).filter(status__in=active)[:5])}


class DocumentsConfig(AppConfig):
    name = "tongban.documents"
    label = "documents"
    verbose_name = _("公文")

    def ready(self) -> None:
        from tongban.core import demo, home, nav
        from tongban.documents import selectors, services
        from tongban.documents.demo import seed_documents

        nav.register(
            nav.NavItem(
                "documents",
                _("发文"),
                "documents:list",
                icon="bi-file-earmark-text",
                section=_("公文办理"),
                order=210,
            )
        )
        nav.register(
            nav.NavItem(
                "documents_series",
                _("发文字号"),
                "documents:series",
                icon="bi-123",
                section=_("公文办理"),
                order=212,
                visible=lambda user: bool(user.is_authenticated) and bool(selectors.managed_units(user)),
            )
        )
        demo.register("documents", seed_documents, order=60)
        home.register(
            home.HomePanel(
                key="documents", template="documents/_home_panel.html", context=_home_panel, order=24
            )
        )

        from tongban.workflow import registry as wfr

        wfr.register_default_definition(key=services.PROCESS_KEY, name=_("发文"), path=PROCESS_FILE)
        wfr.register_subject(subject_type=services.SUBJECT_TYPE, url=_document_url, label=_("发文"))
        wfr.register_assignee_rule("leaders_in_charge", _leaders_in_charge)
        wfr.register_listener(services.SUBJECT_TYPE, services.on_workflow_event)

        from tongban.archive import registry as archive_registry
        from tongban.search import registry as search_registry

        search_registry.register_kind(
            "documents.document", _("发文"), visible_ids=selectors.visible_ids, url=_document_url
        )
        archive_registry.register_kind(
            "documents.document", _("发文"), visible_ids=selectors.visible_ids, url=_document_url
        )
