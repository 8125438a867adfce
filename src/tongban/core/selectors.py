"""Core reads, already filtered for the actor."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import PermissionDenied
from tongban.core.models import AuditRecord
from tongban.core.permissions import has_admin_role


def can_read_audit_log(user: Any) -> bool:
    """三员分立: only the audit administrator reads the audit log (GB/T 22239-2019 8.1.4.2)."""
    return has_admin_role(user, "audit")


def audit_events() -> list[str]:
    return list(AuditRecord.objects.order_by("event").values_list("event", flat=True).distinct())


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def audit_records(
    *,
    user: Any,
    actor: str = "",
    event: str = "",
    unit: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    success: bool | None = None,
) -> QuerySet[AuditRecord]:
    """Audit records, newest first, matching the filters (dates are local days, both inclusive)."""
    if not can_read_audit_log(user):
        raise PermissionDenied("core.audit_forbidden", _("只有审计管理员可以查看审计日志。"))
    qs = AuditRecord.objects.order_by("-seq")
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if event:
        qs = qs.filter(event=event)
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    if date_from is not None:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    if success is not None:
        qs = qs.filter(success=success)
    return qs
