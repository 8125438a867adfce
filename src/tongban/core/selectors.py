"""Core reads, already filtered for the actor."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import health
from tongban.core.errors import PermissionDenied
from tongban.core.models import AuditRecord, Heartbeat, SchedulerLease
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


# --- platform health ------------------------------------------------------------------------


def _heartbeat_status(hb: Heartbeat | None, stale: int) -> dict[str, Any]:
    if hb is None:
        return {"last_seen": None, "age_seconds": None, "ok": False}
    age = (timezone.now() - hb.at).total_seconds()
    # No host names or process ids: /healthz is open to anyone who can reach the server.
    return {"last_seen": hb.at.isoformat(), "age_seconds": round(age, 1), "ok": age <= stale}


def _cache_status() -> dict[str, Any]:
    try:
        key = "tongban:healthz"
        token = timezone.now().isoformat()
        cache.set(key, token, 30)
        ok = cache.get(key) == token
        return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
    except Exception as exc:  # a cache outage is "degraded", never a crash
        return {"ok": False, "error": exc.__class__.__name__}


def platform_health() -> tuple[dict[str, Any], int]:
    """(body, HTTP status) of /healthz: 200 while the database answers ("ok", or "degraded" when
    the cache, the worker, the scheduler or a registered optional check (``core.health``, e.g.
    Janus under ``checks.janus``) is not well), 503 when it does not."""
    stale = int(settings.TONGBAN_HEARTBEAT_STALE_SECONDS)
    body: dict[str, Any] = {"status": "ok", "stale_after_seconds": stale}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beats = {hb.name: hb for hb in Heartbeat.objects.filter(name__in=["worker", "scheduler"])}
        lease = SchedulerLease.objects.filter(name="scheduler").first()
        body["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any driver error means the database is not usable
        body["status"] = "error"
        body["database"] = {"ok": False, "error": exc.__class__.__name__}
        body["cache"] = _cache_status()
        body["worker"] = {"last_seen": None, "ok": False}
        body["scheduler"] = {"last_seen": None, "ok": False}
        return body, 503
    body["cache"] = _cache_status()
    body["worker"] = _heartbeat_status(beats.get("worker"), stale)
    body["scheduler"] = _heartbeat_status(beats.get("scheduler"), stale)
    body["scheduler"]["lease_held"] = lease is not None and lease.expires_at >= timezone.now()
    body["checks"] = health.run_checks()
    checks_ok = all(c["ok"] for c in body["checks"].values())
    if not (body["cache"]["ok"] and body["worker"]["ok"] and body["scheduler"]["ok"] and checks_ok):
        body["status"] = "degraded"
    return body, 200


def heartbeats() -> list[Heartbeat]:
    """Every process's last heartbeat with its host and pid (for administrators only)."""
    return list(Heartbeat.objects.order_by("name"))


def task_queue_summary() -> dict[str, Any]:
    """Task results of the database backend by status, and the failures of the last 24 hours."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
    since = timezone.now() - timedelta(hours=24)
    failures = list(
        DBTaskResult.objects.filter(status="FAILED", finished_at__gte=since)
        .order_by("-finished_at")
        .values("task_path", "finished_at", "exception_class_path")[:20]
    )
    return {"counts": counts, "failures": failures}
