"""Reads of outgoing documents, already filtered for the actor.

Visibility (the issue, "Visibility"): a document is visible to those on its route (every work item,
done or open, including 抄送/传阅 readers), to its recipients' handlers (through extensions that
receiving registers in ``hooks``), and to the 文书/办公室主任 of its drafting unit, who keep the
unit's 发文 register. A 密级 document is visible ONLY to its named readers, and every view of it
is audited."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied
from tongban.documents import hooks, rules
from tongban.documents.models import (
    Attachment,
    BodyVersion,
    Document,
    NumberRecord,
    NumberSeries,
    Recipient,
)
from tongban.documents.sanitize import html_to_text
from tongban.identity.models import User
from tongban.orgs import selectors as org_selectors
from tongban.orgs.models import BusinessRole, Post, RoleGrant, Unit

SUBJECT_TYPE = "documents.document"
MANAGER_ROLES = (BusinessRole.CLERK, BusinessRole.OFFICE_HEAD)


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def _route_q(user: Any) -> Q:
    """Documents whose route the user is on: assigned, completed, sent, or pooled to their role."""
    from tongban.workflow.models import WorkItem

    grants = RoleGrant.objects.filter(user=user).values_list("unit_id", "role")
    pooled = Q(pk__in=[])
    for unit_id, role in grants:
        pooled |= Q(unit_id=unit_id, role=role, assignee__isnull=True)
    items = WorkItem.objects.filter(subject_type=SUBJECT_TYPE, subject_id=OuterRef("pk")).filter(
        Q(assignee=user) | Q(completed_by=user) | Q(delegated_from=user) | Q(sender=user) | pooled
    )
    # EXISTS per candidate uses the (subject_type, subject_id) index; ``pk IN (subquery)`` made
    # PostgreSQL hash all of a busy clerk's work items on every check (search: 31 ms → 5 ms for
    # 1,000 candidates)
    return Q(Exists(items))


def _manager_units(user: Any) -> list[int]:
    return list(
        RoleGrant.objects.filter(user=user, role__in=MANAGER_ROLES, unit__is_active=True).values_list(
            "unit_id", flat=True
        )
    )


def visible_documents(user: Any) -> QuerySet[Document]:
    """Every document ``user`` may see (one query)."""
    if not _authenticated(user):
        return Document.objects.none()
    open_q = (
        _route_q(user)
        | Q(created_by=user)
        | Q(unit_id__in=_manager_units(user))
        | hooks.extension_filter(user)
    )
    named = Document.named_readers.through.objects.filter(user_id=user.pk).values("document_id")
    return Document.objects.filter((Q(secrecy="") & open_q) | (~Q(secrecy="") & Q(pk__in=named)))


def visible_ids(user: Any) -> QuerySet[Any]:
    """For the search and archive registries: the pks of visible documents."""
    return visible_documents(user).values_list("pk", flat=True)


def can_see(document: Document, user: Any) -> bool:
    if not _authenticated(user):
        return False
    if document.is_classified:
        return document.named_readers.filter(pk=user.pk).exists()
    if document.created_by_id == user.pk or document.unit_id in _manager_units(user):
        return True
    try:
        from tongban.workflow import selectors as wfs

        if user.pk in wfs.participant_user_ids(subject_type=SUBJECT_TYPE, subject_id=document.pk):
            return True
    except ImportError:
        pass
    return visible_documents(user).filter(pk=document.pk).exists()


def access_document(pk: Any, user: Any, *, request: Any = None, purpose: str = "view") -> Document:
    """The document if ``user`` may see it. A 密级 document's every view is audited."""
    if not _authenticated(user):
        raise PermissionDenied("documents.login_required", _("请先登录。"))
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("documents.not_found", _("公文不存在。")) from None
    doc = Document.objects.select_related("unit", "series", "created_by", "instance").filter(pk=pk).first()
    if doc is None or not can_see(doc, user):
        raise NotFound("documents.not_found", _("公文不存在。"))
    if doc.is_classified:
        # the issue: every view of a 密级 document is audited
        audit.record(
            "documents.classified_viewed",
            actor=user,
            request=request,
            obj=doc,
            unit_id=doc.unit_id,
            new={"purpose": purpose, "secrecy": doc.secrecy},
        )
    return doc


def access_attachment(pk: Any, user: Any, *, request: Any = None) -> Attachment:
    att = Attachment.objects.filter(pk=pk).first()
    if att is None:
        raise NotFound("documents.not_found", _("附件不存在。"))
    access_document(att.document_id, user, request=request, purpose="attachment")
    return att


@dataclass
class DocumentFilter:
    q: str = ""
    status: str = ""
    doc_type: str = ""
    year: int | None = None
    scope: str = "unit"  # unit | mine | all


def document_list(user: Any, f: DocumentFilter | None = None) -> QuerySet[Document]:
    """The 发文 list: visible documents, by default those of the user's units."""
    f = f or DocumentFilter()
    qs = visible_documents(user)
    if f.scope == "mine":
        qs = qs.filter(created_by=user)
    elif f.scope == "unit":
        qs = qs.filter(unit_id__in=[u.pk for u in org_selectors.units_for_user(user)])
    if f.status:
        qs = qs.filter(status=f.status)
    if f.doc_type:
        qs = qs.filter(doc_type=f.doc_type)
    if f.year:
        qs = qs.filter(created_at__year=f.year)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(doc_number__icontains=f.q))
    return qs.select_related("unit", "created_by").order_by("-created_at", "-id")


def recipient_lists(doc: Document) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"main_units": [], "cc_units": [], "main_external": [], "cc_external": []}
    if doc.pk is None:
        return out
    for r in doc.recipients.all():
        prefix = "main" if r.kind == Recipient.Kind.MAIN else "cc"
        if r.unit_id:
            out[f"{prefix}_units"].append(r.unit_id)
        else:
            out[f"{prefix}_external"].append(r.external_name)
    return out


def _role_holders(unit_ids: list[int], roles: list[str]) -> list[User]:
    ids = RoleGrant.objects.filter(unit_id__in=unit_ids, role__in=roles, user__is_active=True).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=ids).order_by("pinyin", "id"))


def next_candidates(doc: Document, step: str) -> list[User]:
    """Who may be chosen for the next step. 拟稿 → 部门负责人审核: the unit's leaders and office head
    and the people of the drafter's office; 办公室核稿 → 领导签发: the unit's leaders, the county
    leaders in charge of the unit (分管) and the county leaders."""
    unit = doc.unit
    if step in {rules.STEP_DRAFT, rules.STEP_DEPT_REVIEW}:
        people = _role_holders([unit.pk], [BusinessRole.UNIT_LEADER, BusinessRole.OFFICE_HEAD])
        office_ids = (
            Post.objects.filter(user_id=doc.created_by_id, unit=unit).exclude(office=None).values("office_id")
        )
        people += list(
            User.objects.filter(posts__office_id__in=office_ids, is_active=True).exclude(pk=doc.created_by_id)
        )
        return list({u.pk: u for u in people}.values())
    if step in {rules.STEP_OFFICE_REVIEW, rules.STEP_SIGN}:
        people = _role_holders([unit.pk], [BusinessRole.UNIT_LEADER])
        people += org_selectors.leaders_in_charge_of(unit)
        county_leaders = RoleGrant.objects.filter(
            county_id=doc.county_id, role=BusinessRole.COUNTY_LEADER, user__is_active=True
        ).values("user_id")
        people += list(User.objects.filter(pk__in=county_leaders).order_by("pinyin", "id"))
        return list({u.pk: u for u in people}.values())
    return []


def body_changed_since_signoff(doc: Document) -> bool:
    last = doc.signoffs.order_by("-signed_at").first()
    if last is None:
        return False
    return doc.versions.filter(created_at__gt=last.signed_at).exists()


def versions(doc: Document) -> list[BodyVersion]:
    return list(doc.versions.select_related("created_by").order_by("version"))


@dataclass
class DiffRow:
    kind: str  # equal | replace | delete | insert
    left: str
    right: str
    left_no: int | None
    right_no: int | None


def version_diff(a: BodyVersion, b: BodyVersion) -> list[DiffRow]:
    """Side by side, line by line (one block a line); texts are plain and escaped by the template."""
    left = html_to_text(a.html).splitlines()
    right = html_to_text(b.html).splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=left, b=right, autojunk=False).get_opcodes():
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            li, rj = i1 + k, j1 + k
            rows.append(
                DiffRow(
                    kind=tag,
                    left=left[li] if li < i2 else "",
                    right=right[rj] if rj < j2 else "",
                    left_no=li + 1 if li < i2 else None,
                    right_no=rj + 1 if rj < j2 else None,
                )
            )
    return rows


def series_for_unit(unit: Unit, *, active_only: bool = True) -> QuerySet[NumberSeries]:
    qs = NumberSeries.objects.filter(unit=unit)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("prefix")


def number_records(series: NumberSeries, *, year: int | None = None) -> QuerySet[NumberRecord]:
    qs = NumberRecord.objects.filter(series=series).select_related("document", "assigned_by")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-serial")


def access_series(pk: Any, user: Any) -> NumberSeries:
    """A series the user manages (office head or clerk of its unit)."""
    series = NumberSeries.objects.select_related("unit").filter(pk=pk).first()
    if series is None or not _authenticated(user):
        raise NotFound("documents.series_not_found", _("发文字号系列不存在。"))
    if not any(org_selectors.user_has_role(user, r, series.unit) for r in MANAGER_ROLES):
        raise NotFound("documents.series_not_found", _("发文字号系列不存在。"))
    return series


def managed_units(user: Any) -> list[Unit]:
    """Units whose 发文字号 the user manages (office head)."""
    if not _authenticated(user):
        return []
    ids = RoleGrant.objects.filter(user=user, role=BusinessRole.OFFICE_HEAD).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("sort", "id"))
