"""Reads of incoming documents, already filtered for the actor.

Who sees an incoming document: the holders of a 收文 role (文书, 办公室主任, 单位领导) in the
receiving unit, and everyone on its route (handlers of the lead and assisting units, readers it was
circulated to). The sending unit's clerks see the distribution status of their own documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import RoleGrant, Unit
from tongban.receiving import rules
from tongban.receiving.models import IncomingDocument, IncomingStatus

PAGE_SIZE = 20

TABS: dict[str, tuple[str, ...]] = {
    "pending": (IncomingStatus.PENDING,),
    "processing": (IncomingStatus.PROCESSING,),
    "done": (IncomingStatus.FINISHED, IncomingStatus.ARCHIVED, IncomingStatus.RETURNED),
}


def receiving_units(user: Any) -> list[Unit]:
    """Units whose 收文 register the user sees (holds 文书, 办公室主任 or 单位领导 there)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    grants = (
        RoleGrant.objects.filter(user_id=user.pk, role__in=rules.UNIT_ROLES, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__sort", "unit_id")
    )
    seen: dict[int, Unit] = {}
    for g in grants:
        seen.setdefault(g.unit_id, g.unit)
    return list(seen.values())


def is_clerk(user: Any, unit_id: int) -> bool:
    return RoleGrant.objects.filter(user_id=getattr(user, "pk", None), unit_id=unit_id, role="clerk").exists()


def _route_ids(user: Any) -> QuerySet[Any]:
    """Incoming ids the user is on the route of (any work item, task or reading, assigned to,
    completed by or pooled to them)."""
    from tongban.workflow.models import WorkItem

    pooled = RoleGrant.objects.filter(user_id=user.pk).values_list("unit_id", "role")
    cond = Q(assignee_id=user.pk) | Q(completed_by_id=user.pk) | Q(delegated_from_id=user.pk)
    for unit_id, role in pooled:
        cond |= Q(assignee__isnull=True, unit_id=unit_id, role=role)
    return WorkItem.objects.filter(cond, subject_type=rules.SUBJECT_TYPE).values("subject_id")


def visible_incoming(user: Any) -> QuerySet[IncomingDocument]:
    if user is None or not getattr(user, "is_authenticated", False):
        return IncomingDocument.objects.none()
    units = RoleGrant.objects.filter(user_id=user.pk, role__in=rules.UNIT_ROLES).values("unit_id")
    return IncomingDocument.objects.filter(Q(unit_id__in=units) | Q(pk__in=_route_ids(user)))


def visible_ids(user: Any) -> Any:
    return visible_incoming(user).values_list("pk", flat=True)


def access_incoming(pk: int, user: Any, *, request: Any = None) -> IncomingDocument:
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("receiving.login_required", _("请先登录。"))
    incoming = (
        visible_incoming(user)
        .filter(pk=pk)
        .select_related(
            "unit", "source", "source__unit", "signed_by", "instructed_by", "lead_unit", "instance"
        )
        .first()
    )
    if incoming is None:
        raise NotFound("receiving.not_found", _("收文不存在。"))
    if incoming.secrecy:  # every view of a 密级 document is audited
        audit.record(
            "receiving.viewed_classified", actor=user, request=request, obj=incoming, unit_id=incoming.unit_id
        )
    return incoming


def incoming_list(
    *,
    user: Any,
    unit: Unit | None = None,
    tab: str = "processing",
    q: str = "",
    handling: str = "",
    kind: str = "",
    year: int | None = None,
    overdue: bool = False,
) -> QuerySet[IncomingDocument]:
    """A unit's 收文 register (待签收 / 办理中 / 已办结; 交办件: other units' incoming documents this
    unit leads or assists in handling), or — without a unit — everything the user handles."""
    if unit is not None and tab == "assigned":
        qs = (
            IncomingDocument.objects.filter(Q(lead_unit=unit) | Q(assist_units=unit))
            .exclude(unit=unit)
            .filter(pk__in=visible_ids(user))
            .distinct()
        )
    elif unit is not None:
        qs = IncomingDocument.objects.filter(unit=unit)
        if unit.pk not in {u.pk for u in receiving_units(user)}:
            qs = qs.filter(pk__in=visible_ids(user))
    else:
        qs = visible_incoming(user)
    if tab != "assigned" or unit is None:
        qs = qs.filter(status__in=TABS.get(tab, TABS["processing"]))
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(title__contains=q)
            | Q(register_no__contains=q)
            | Q(source_number__contains=q)
            | Q(source_organ__contains=q)
        )
    if handling:
        qs = qs.filter(handling=handling)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(received_at__year=year)
    if overdue:
        from django.utils import timezone

        qs = qs.filter(due_date__lt=timezone.localdate(), status=IncomingStatus.PROCESSING)
    return qs.select_related("unit", "lead_unit").order_by("-received_at", "-id")


def incoming_page(qs: QuerySet[IncomingDocument], page: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(qs, per_page).get_page(page)


def tab_counts(*, user: Any, unit: Unit) -> dict[str, int]:
    rows = IncomingDocument.objects.filter(unit=unit).values("status").annotate(n=Count("id"))
    by_status = {r["status"]: r["n"] for r in rows}
    counts = {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in TABS.items()}
    counts["assigned"] = (
        IncomingDocument.objects.filter(
            Q(lead_unit=unit) | Q(assist_units=unit), status=IncomingStatus.PROCESSING, step="handle"
        )
        .exclude(unit=unit)
        .distinct()
        .count()
    )
    return counts


def pending_count(user: Any) -> int:
    """待签收 across the units where the user is 文书 (navigation badge)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    units = RoleGrant.objects.filter(user_id=user.pk, role="clerk").values("unit_id")
    return IncomingDocument.objects.filter(unit_id__in=units, status=IncomingStatus.PENDING).count()


# --- route, circulation, slip ------------------------------------------------------------------
@dataclass
class RouteLine:
    step_name: str
    name: str
    unit: str
    opinion: str
    at: datetime | None
    action: str
    status: str


def route(incoming: IncomingDocument) -> list[RouteLine]:
    """Every step done so far with its opinion, name and time (the 办理单)."""
    if incoming.instance is None:
        return []
    from tongban.workflow import selectors as wfs

    lines = []
    for item in wfs.route(incoming.instance):
        if getattr(item, "kind", "task") != "task":
            continue
        who = item.completed_by or item.assignee
        lines.append(
            RouteLine(
                step_name=item.step_name,
                name=(getattr(who, "full_name", "") or getattr(who, "username", "")) if who else "",
                unit=item.unit.display_name if getattr(item, "unit", None) else "",
                opinion=item.opinion,
                at=item.completed_at,
                action=item.action,
                status=item.status,
            )
        )
    return lines


@dataclass
class Reader:
    name: str
    unit: str
    sent_at: datetime | None
    read_at: datetime | None


def circulation(incoming: IncomingDocument) -> list[Reader]:
    """传阅: who it was sent to for reading and who has read it (READ work items)."""
    if incoming.instance_id is None:
        return []
    from tongban.workflow.models import WorkItem

    items = (
        WorkItem.objects.filter(instance_id=incoming.instance_id, kind="read")
        .exclude(status="cancelled")
        .select_related("assignee")
        .order_by("created_at", "id")
    )
    user_ids = [i.assignee_id for i in items if i.assignee_id]
    units: dict[int, str] = {}
    from tongban.orgs.models import Post

    for post in Post.objects.filter(user_id__in=user_ids, is_primary=True).select_related("unit"):
        units[post.user_id] = post.unit.display_name
    out = []
    for i in items:
        u = i.assignee
        read_at = i.read_at or (i.completed_at if i.status == "done" else None)
        out.append(
            Reader(
                name=(u.full_name or u.username) if u else "",
                unit=units.get(i.assignee_id or 0, ""),
                sent_at=i.created_at,
                read_at=read_at,
            )
        )
    return out


def my_open_steps(incoming: IncomingDocument, user: Any) -> list[Any]:
    """The user's open work items on this incoming document (tasks and reading items)."""
    if incoming.instance_id is None:
        return []
    from tongban.workflow import selectors as wfs

    return list(wfs.open_items_for(user=user, subject_type=rules.SUBJECT_TYPE, subject_id=incoming.pk))


# --- the sender's view ---------------------------------------------------------------------------
def access_distribution(document_id: int, user: Any) -> Any:
    """The source document of a distribution, for its unit's 收文/发文 staff and its route."""
    from tongban.documents.models import Document

    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("receiving.login_required", _("请先登录。"))
    doc = Document.objects.filter(pk=document_id).select_related("unit").first()
    if doc is None:
        raise NotFound("receiving.document_not_found", _("公文不存在。"))
    allowed = (
        doc.created_by_id == user.pk
        or RoleGrant.objects.filter(user_id=user.pk, unit_id=doc.unit_id, role__in=rules.UNIT_ROLES).exists()
    )
    if not allowed and doc.instance_id is not None:
        from tongban.workflow import selectors as wfs

        allowed = user.pk in wfs.participant_user_ids(subject_type="documents.document", subject_id=doc.pk)
    if not allowed:
        raise NotFound("receiving.document_not_found", _("公文不存在。"))
    return doc


def distribution(document: Any) -> QuerySet[IncomingDocument]:
    """Each recipient unit's copy of ``document``: 签收 time, current step, returns with reasons."""
    return (
        IncomingDocument.objects.filter(source=document)
        .select_related("unit", "signed_by")
        .order_by("kind", "unit__sort", "unit_id")
    )


def returns_for_document(document_id: int) -> list[IncomingDocument]:
    return list(
        IncomingDocument.objects.filter(source_id=document_id, status=IncomingStatus.RETURNED).select_related(
            "unit"
        )
    )


def documents_visible_as_recipient(user: Any) -> Q:
    """documents.hooks visibility extension: source documents of incoming documents the user
    sees (never widens 密级 documents: the documents domain keeps those to named readers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(pk__in=visible_incoming(user).filter(source__isnull=False).values("source_id"))


def can_read_source(incoming: IncomingDocument, user: Any) -> bool:
    """The body, attachments and sealed PDF of a 密级 source document are for its named readers
    only (the documents domain's rule); everyone who sees the incoming copy reads a non-密级 one."""
    source = incoming.source
    if source is None:
        return True
    if not source.secrecy:
        return True
    return source.named_readers.filter(pk=getattr(user, "pk", None)).exists()
