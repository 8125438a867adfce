"""Core services: the only writers of core data (calendar overrides, heartbeats)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core import calendar as workcal
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import CalendarOverride, CalendarStamp, Heartbeat

KINDS = {CalendarOverride.Kind.HOLIDAY.value, CalendarOverride.Kind.WORKDAY.value}


def can_edit_calendar(user: Any) -> bool:
    """Only system administrators (三员之系统管理员) edit the working-day calendar."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "admin_role", "") == "system"


def _require_calendar_admin(actor: Any) -> None:
    if not can_edit_calendar(actor):
        raise PermissionDenied("core.calendar_forbidden", _("只有系统管理员可以调整工作日历。"))


def _bump_calendar_version() -> None:
    _stamp, created = CalendarStamp.objects.get_or_create(id=1, defaults={"version": 1})
    if not created:
        CalendarStamp.objects.filter(id=1).update(version=F("version") + 1)
    workcal.invalidate()
    transaction.on_commit(workcal.invalidate)


def _snapshot(ov: CalendarOverride | None) -> dict[str, str] | None:
    if ov is None:
        return None
    return {"date": ov.date.isoformat(), "kind": ov.kind, "reason": ov.reason}


def calendar_override_set(
    *, actor: Any, day: date, kind: str, reason: str = "", request: HttpRequest | None = None
) -> CalendarOverride:
    """Make ``day`` a holiday or a working day, whatever chinesecalendar says (replaces an
    existing override of that day). Audited as ``calendar.override_set`` with old and new."""
    _require_calendar_admin(actor)
    if kind not in KINDS:
        raise TongbanError("core.calendar_bad_kind", _("类型应为“休息日”或“工作日”。"), field="kind")
    reason = reason.strip()
    if len(reason) > 200:
        raise TongbanError("core.calendar_reason_too_long", _("事由不能超过 200 个字。"), field="reason")
    if not workcal.FIRST_YEAR <= day.year <= workcal.LAST_YEAR:
        raise TongbanError(
            "core.calendar_out_of_range",
            _("日期应在 %(a)s–%(b)s 年之间。") % {"a": workcal.FIRST_YEAR, "b": workcal.LAST_YEAR},
            field="date",
        )
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=day).first()
        old = _snapshot(existing)
        if existing is None:
            ov = CalendarOverride.objects.create(
                date=day,
                kind=kind,
                reason=reason,
                created_by_id=getattr(actor, "pk", None),
                created_by_name=getattr(actor, "username", ""),
            )
        else:
            if existing.kind == kind and existing.reason == reason:
                return existing
            existing.kind, existing.reason = kind, reason
            existing.created_by_id = getattr(actor, "pk", None)
            existing.created_by_name = getattr(actor, "username", "")
            existing.save(update_fields=["kind", "reason", "created_by_id", "created_by_name"])
            ov = existing
        _bump_calendar_version()
        audit.record(
            "calendar.override_set", actor=actor, request=request, obj=ov, old=old, new=_snapshot(ov)
        )
    return ov


def calendar_override_remove(*, actor: Any, day: date, request: HttpRequest | None = None) -> None:
    """Remove the override of ``day`` (chinesecalendar / weekends apply again). Audited as
    ``calendar.override_removed`` with the old value."""
    _require_calendar_admin(actor)
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if existing is None:
            raise TongbanError(
                "core.calendar_no_override", _("%(d)s 没有调整记录。") % {"d": day.isoformat()}, field="date"
            )
        old = _snapshot(existing)
        pk = existing.pk
        existing.delete()
        _bump_calendar_version()
        audit.record(
            "calendar.override_removed",
            actor=actor,
            request=request,
            object_type="core.calendaroverride",
            object_id=str(pk),
            object_repr=str(day.isoformat()),
            old=old,
        )


def heartbeat_beat(*, name: str, info: dict[str, Any] | None = None) -> Heartbeat:
    """Record that the background process ``name`` is alive (not audited: it is not a security event)."""
    hb, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now(), "info": info or {}}
    )
    return hb


def task_results_prune(*, successful_days: int, failed_days: int) -> int:
    """Delete finished results of the database task backend older than the given ages; returns how
    many. Queued and running tasks are never touched. A no-op with any other task backend."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    finished = DBTaskResult.objects.finished().filter(
        Q(status="SUCCESSFUL", finished_at__lte=now - timedelta(days=successful_days))
        | Q(status="FAILED", finished_at__lte=now - timedelta(days=failed_days))
    )
    deleted, _ = finished.delete()
    return deleted
