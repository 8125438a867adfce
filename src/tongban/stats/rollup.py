"""The daily roll-ups: :func:`compute_day` fills one day's :class:`UserDay` and :class:`UnitDay`
rows from the registered sources (:mod:`tongban.stats.sources`); :func:`run_pending` computes the
days that need it — never computed, dirty (late events), failed, or computed before the day ended
(so today is recomputed on every run until it is over).

A day is computed in one transaction that replaces its rows (a failure leaves the previous rows
and marks the day ``failed`` with the error). ``computed_at`` is the moment the computation
*started*: a row recorded afterwards about that day makes it dirty on the next run."""

from __future__ import annotations

import logging
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tongban.core.models import AuditRecord, Heartbeat
from tongban.core.services import heartbeat_beat
from tongban.orgs.models import Post, Unit
from tongban.stats import sources as registry
from tongban.stats.models import RollupDay, RollupStatus, UnitDay, UserDay
from tongban.stats.sources import ACTION_COUNTERS, UNIT_COUNTERS, USER_COUNTERS, DayWindow

logger = logging.getLogger("tongban.stats.rollup")
HEARTBEAT = "stats.rollup"
BATCH = 2000


def _day_end(day: date) -> datetime:
    return DayWindow.of(day).end


def _people() -> tuple[dict[int, tuple[int, int | None]], dict[int, int]]:
    """user id → (unit id, office id) of the primary post (else the first post); unit id → staff
    (active people holding a post in the unit)."""
    where: dict[int, tuple[int, int | None]] = {}
    primary: set[int] = set()
    staff_sets: dict[int, set[int]] = defaultdict(set)
    rows = Post.objects.values_list(
        "user_id", "unit_id", "office_id", "is_primary", "user__is_active"
    ).order_by("user_id", "-is_primary", "sort", "pk")
    for uid, unit_id, office_id, is_primary, active in rows:
        if uid not in where or (is_primary and uid not in primary):
            where[uid] = (unit_id, office_id)
        if is_primary:
            primary.add(uid)
        if active:
            staff_sets[unit_id].add(uid)
    return where, {u: len(s) for u, s in staff_sets.items()}


def _gather(window: DayWindow) -> tuple[list[UserDay], list[UnitDay]]:
    user_vals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(USER_COUNTERS, 0))
    unit_extra: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(UNIT_COUNTERS, 0))
    for source in registry.all_sources():
        for uid, counts in source.user_counts(window):
            row = user_vals[uid]
            for k, v in counts.items():
                if k in source.user_fields:
                    row[k] += int(v)
        for unit_id, counts in source.unit_counts(window):
            urow = unit_extra[unit_id]
            for k, v in counts.items():
                if k in source.unit_fields:
                    urow[k] += int(v)
    where, staff = _people()
    day = window.day
    users: list[UserDay] = []
    units: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(UNIT_COUNTERS, 0))
    active_count: dict[int, int] = defaultdict(int)
    for uid, vals in user_vals.items():
        if uid not in where or not any(vals.values()):
            continue
        unit_id, office_id = where[uid]
        active = any(vals[k] for k in ACTION_COUNTERS)
        users.append(
            UserDay(day=day, user_id=uid, unit_id=unit_id, office_id=office_id, active=active, **vals)
        )
        urow = units[unit_id]
        for k, v in vals.items():
            urow[k] += v
        if active:
            active_count[unit_id] += 1
    for unit_id, vals in unit_extra.items():
        urow = units[unit_id]
        for k, v in vals.items():
            urow[k] += v
    unit_ids = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True)) | set(units)
    known = set(Unit.objects.filter(pk__in=unit_ids).values_list("pk", flat=True))
    unit_rows = [
        UnitDay(
            day=day,
            unit_id=unit_id,
            staff=staff.get(unit_id, 0),
            active_users=active_count.get(unit_id, 0),
            **units.get(unit_id, dict.fromkeys(UNIT_COUNTERS, 0)),
        )
        for unit_id in sorted(known)
    ]
    return users, unit_rows


def compute_day(day: date) -> RollupDay:
    """Compute one day's rows (replacing the old ones atomically) and return its RollupDay: status
    ``done``, or ``failed`` with the error (the previous rows are then kept)."""
    started = timezone.now()
    t0 = time.perf_counter()
    rd, _created = RollupDay.objects.get_or_create(day=day)
    RollupDay.objects.filter(pk=rd.pk).update(status=RollupStatus.RUNNING)
    try:
        with transaction.atomic():
            users, units = _gather(DayWindow.of(day, started))
            UserDay.objects.filter(day=day).delete()
            UnitDay.objects.filter(day=day).delete()
            UserDay.objects.bulk_create(users, batch_size=BATCH)
            UnitDay.objects.bulk_create(units, batch_size=BATCH)
            rd.status = RollupStatus.DONE
            rd.computed_at = started
            rd.dirty_since = None
            rd.runs += 1
            rd.duration_ms = int((time.perf_counter() - t0) * 1000)
            rd.user_rows, rd.unit_rows = len(users), len(units)
            rd.error = ""
            rd.save()
    except Exception as exc:  # any failure of a source is recorded on the day
        logger.exception("stats roll-up of %s failed", day)
        rd.refresh_from_db()
        rd.status = RollupStatus.FAILED
        rd.runs += 1
        rd.duration_ms = int((time.perf_counter() - t0) * 1000)
        rd.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[:4000]
        rd.save(update_fields=["status", "runs", "duration_ms", "error"])
    return rd


def mark_dirty(day: date) -> None:
    """Late events arrived for ``day``: compute it again on the next run."""
    now = timezone.now()
    rd, created = RollupDay.objects.get_or_create(
        day=day, defaults={"status": RollupStatus.DIRTY, "dirty_since": now}
    )
    if not created and rd.status != RollupStatus.DIRTY:
        RollupDay.objects.filter(pk=rd.pk).update(status=RollupStatus.DIRTY, dirty_since=now)


def _first_day(today: date) -> date:
    """The first day to compute: the earliest computed day or the day of the first log-in."""
    first = RollupDay.objects.aggregate(d=Min("day"))["d"]
    at = AuditRecord.objects.filter(event="identity.login_succeeded").aggregate(m=Min("at"))["m"]
    candidates = [d for d in (first, timezone.localdate(at) if at is not None else None) if d is not None]
    return min([*candidates, today])


def scan_late(now: datetime | None = None) -> int:
    """Mark dirty the computed days that received rows recorded after they were computed (the
    sources report rows recorded since the previous scan). Returns how many days were marked."""
    now = now or timezone.now()
    hb = Heartbeat.objects.filter(name=HEARTBEAT).first()
    since = parse_datetime(str(hb.info.get("late_checked_at", ""))) if hb is not None else None
    if since is None:
        since = RollupDay.objects.filter(computed_at__isnull=False).aggregate(m=Min("computed_at"))["m"]
    marked = 0
    if since is not None:
        latest: dict[date, datetime] = {}
        for source in registry.all_sources():
            registry.merge_late(latest, source.late_days(since).items())
        if latest:
            done = RollupDay.objects.filter(
                day__in=list(latest), status=RollupStatus.DONE, computed_at__isnull=False
            ).values_list("day", "computed_at")
            for day, computed_at in done:
                if computed_at is not None and latest[day] > computed_at and computed_at >= _day_end(day):
                    mark_dirty(day)
                    marked += 1
    heartbeat_beat(name=HEARTBEAT, info={"late_checked_at": now.isoformat(), "marked": marked})
    return marked


def pending_days(
    until: date | None = None, *, today: date | None = None, start: date | None = None
) -> list[date]:
    """The days up to ``until`` (default today) that need computing, oldest first (from ``start``
    when given, else from the first computed day or the day of the first log-in)."""
    today = today or timezone.localdate()
    until = min(until or today, today)
    first = start if start is not None else _first_day(today)
    states = {
        d: (s, c)
        for d, s, c in RollupDay.objects.filter(day__lte=until).values_list("day", "status", "computed_at")
    }
    out: list[date] = []
    d = min([first, *states]) if states and start is None else first
    while d <= until:
        st = states.get(d)
        if st is None or st[0] != RollupStatus.DONE or st[1] is None or st[1] < _day_end(d):
            out.append(d)
        d += timedelta(days=1)
    return out


def run_pending(*, until: date | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Scan for late events, then compute every pending day up to ``until``; returns how many days
    were computed. ``progress(done, total)`` is called after each day."""
    scan_late()
    days = pending_days(until)
    total = len(days)
    if progress is not None:
        progress(0, total)
    for i, day in enumerate(days, start=1):
        compute_day(day)
        if progress is not None:
            progress(i, total)
    return total


def recompute(first: date, last: date, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Compute every day of ``first..last`` again (the admin's 重新计算); returns the count."""
    today = timezone.localdate()
    last = min(last, today)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)] if first <= last else []
    for d in days:
        mark_dirty(d)
    if progress is not None:
        progress(0, len(days))
    for i, d in enumerate(days, start=1):
        compute_day(d)
        if progress is not None:
            progress(i, len(days))
    return len(days)


def summary() -> dict[str, Any]:
    """Counts of days by status (for the status page and the API)."""
    rows = RollupDay.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
    counts = {s: 0 for s in RollupStatus.values}
    counts.update(dict(rows))
    return counts


__all__ = ["compute_day", "mark_dirty", "pending_days", "recompute", "run_pending", "scan_late", "summary"]
