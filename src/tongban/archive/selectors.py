"""Archive reads, filtered for the actor.

Who sees what: a unit's clerks (文书), office heads (办公室主任) and leaders (单位领导) see the
whole archive of that unit; everybody else sees a record only when its subject is in the
registered kind's ``visible_ids(user)``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.archive import registry
from tongban.archive.models import ArchiveRecord
from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, RoleGrant
from tongban.orgs.selectors import county_for_user

ARCHIVE_ROLES = (BusinessRole.CLERK, BusinessRole.OFFICE_HEAD, BusinessRole.UNIT_LEADER)
PER_PAGE = 20


def is_archived(subject_type: str, subject_id: int) -> bool:
    return ArchiveRecord.objects.filter(subject_type=subject_type, subject_id=subject_id).exists()


def record_for(subject_type: str, subject_id: int) -> ArchiveRecord | None:
    return ArchiveRecord.objects.filter(subject_type=subject_type, subject_id=subject_id).first()


def archive_unit_ids(user: Any) -> list[int]:
    """Units whose whole archive the user may read."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return []
    return list(
        RoleGrant.objects.filter(user=user, role__in=ARCHIVE_ROLES, unit__is_active=True)
        .values_list("unit_id", flat=True)
        .distinct()
    )


def visible_records(user: Any) -> QuerySet[ArchiveRecord]:
    none = ArchiveRecord.objects.none()
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return none
    county = county_for_user(user)
    if county is None:
        return none
    cond = Q(unit_id__in=archive_unit_ids(user))
    for k in registry.kinds():
        cond |= Q(subject_type=k.subject_type, subject_id__in=k.visible_ids(user))
    return ArchiveRecord.objects.filter(county=county).filter(cond)


def can_use_archive(user: Any) -> bool:
    """Whether the archive page is offered at all (navigation): a business role or a staff post."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and not (
            getattr(user, "is_system_admin", False)
            or getattr(user, "is_security_admin", False)
            or getattr(user, "is_audit_admin", False)
        )
    )


def archive_search(
    *,
    user: Any,
    year: int | None = None,
    unit_id: int | None = None,
    doc_type: str = "",
    number: str = "",
    q: str = "",
    subject_type: str = "",
) -> QuerySet[ArchiveRecord]:
    """The user's visible records matching the filters, newest year first."""
    qs = visible_records(user)
    if year:
        qs = qs.filter(year=year)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    number = (number or "").strip()[:64]
    if number:
        qs = qs.filter(number__icontains=number)
    for word in (q or "").split()[:5]:
        qs = qs.filter(title__icontains=word[:50])
    return qs.select_related("unit").order_by("-year", "-archived_at", "-id")


def access_record(record_id: int, user: Any) -> ArchiveRecord:
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("archive.login_required", _("请先登录。"))
    record = visible_records(user).filter(pk=record_id).select_related("unit").first()
    if record is None:
        raise NotFound("archive.not_found", _("档案不存在或无权查看。"))
    return record


def subject_url(record: ArchiveRecord) -> str:
    k = registry.get_kind(record.subject_type)
    return k.url(record.subject_id) if k else ""


def kind_label(subject_type: str) -> str:
    k = registry.get_kind(subject_type)
    return str(k.label) if k else subject_type
