"""The only writer of the archive. ``archive_create`` is called by the domain that finishes a
subject (发文 after 核发, 收文 after 办结); the domain then treats the subject as read-only
(``selectors.is_archived``). Records are never changed or deleted."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.archive.models import ArchiveRecord, Retention
from tongban.core import audit
from tongban.core.errors import TongbanError


@transaction.atomic
def archive_create(
    *,
    subject_type: str,
    subject_id: int,
    county: Any,
    unit: Any,
    year: int,
    doc_type: str,
    number: str,
    title: str,
    retention: str,
    actor: Any,
) -> ArchiveRecord:
    """Archive a subject once, with its retention period (永久 / 30年 / 10年)."""
    if retention not in Retention.values:
        raise TongbanError(
            "archive.bad_retention", _("请选择保管期限（永久、30年或10年）。"), field="retention"
        )
    if not (title or "").strip():
        raise TongbanError("archive.title_required", _("题名不能为空。"), field="title")
    if getattr(unit, "county_id", None) != getattr(county, "pk", county):
        raise TongbanError("archive.bad_unit", _("立档单位不属于该县。"), field="unit")
    if ArchiveRecord.objects.filter(subject_type=subject_type, subject_id=subject_id).exists():
        raise TongbanError("archive.already_archived", _("该文件已归档，不能重复归档。"))
    try:
        with transaction.atomic():
            record = ArchiveRecord.objects.create(
                county_id=getattr(county, "pk", county),
                unit=unit,
                subject_type=subject_type,
                subject_id=subject_id,
                year=year,
                doc_type=doc_type or "",
                number=(number or "")[:64],
                title=title.strip()[:300],
                retention=retention,
                archived_at=timezone.now(),
                archived_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:  # a concurrent archive of the same subject won the race
        raise TongbanError("archive.already_archived", _("该文件已归档，不能重复归档。")) from exc
    audit.record(
        "archive.create",
        actor=actor,
        obj=record,
        unit_id=unit.pk,
        new={
            "subject_type": subject_type,
            "subject_id": subject_id,
            "year": year,
            "number": record.number,
            "retention": retention,
        },
    )
    return record
