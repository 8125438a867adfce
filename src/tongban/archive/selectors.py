"""Archive reads, filtered for the actor.

Who sees what: a unit's clerks (文书), office heads (办公室主任) and leaders (单位领导) see the
whole archive of that unit; everybody else sees a record only when its subject is in the
registered kind's ``visible_ids(user)``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.archive import registry
from tongban.archive.models import ArchiveRecord
from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, RoleGrant
from tongban.orgs.selectors import county_for_user

# 条例 第八条: the 15 types of 公文 (the archive does not import the documents app)
DOC_TYPES = (
    "决议",
    "决定",
    "命令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
)
ARCHIVE_ROLES = (BusinessRole.CLERK, BusinessRole.OFFICE_HEAD, BusinessRole.UNIT_LEADER)
PER_PAGE = 20


def is_archived(subject_type: str, subject_id: int) -> bool:
    return ArchiveRecord.objects.filter(subject_type=subject_type, subject_id=subject_id).exists()


def record_for(subject_type: str, subject_id: int) -> ArchiveRecord | None:
    return ArchiveRecord.objects.filter(subject_type=subject_type, subject_id=subject_id).first()


def archive_unit_ids(user: Any) -> list[int]:
    """Units whose whole archive the user may read."""
    if not can_use_archive(user):
        return []
    return list(
        RoleGrant.objects.filter(user=user, role__in=ARCHIVE_ROLES, unit__is_active=True)
        .values_list("unit_id", flat=True)
        .distinct()
    )


def visible_records(user: Any) -> QuerySet[ArchiveRecord]:
    none = ArchiveRecord.objects.none()
    if not can_use_archive(user):
        return none
    county = county_for_user(user)
    if county is None:
        return none
    cond = Q(unit_id__in=archive_unit_ids(user))
    for k in registry.kinds():
        cond |= Q(subject_type=k.subject_type, subject_id__in=k.visible_ids(user))
    return ArchiveRecord.objects.filter(county=county).filter(cond)


def can_use_archive(user: Any) -> bool:
    """Staff may open the archive (and see what ``visible_records`` allows); the three
    administrators (三员) do not read documents."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and not getattr(user, "admin_role", "")
    )


def access_archive(user: Any) -> None:
    """Raise unless ``user`` may use the archive (the one check for the page and the API)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("archive.login_required", _("请先登录。"))
    if not can_use_archive(user):
        raise PermissionDenied("archive.forbidden", _("管理员账号不能查阅档案。"))


def year_choices() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 10, -1))


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
