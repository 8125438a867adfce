"""Write operations of the site monitoring: registering sites and probes, running the due probes
concurrently, recording their results (probe state with thresholds, site status transitions,
incidents, hourly/daily roll-ups), notifying the network administrators, and the retention purge.

Network I/O runs in a bounded thread pool (``checks.run``, no database); every database write
happens in the calling thread."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, TongbanError
from tongban.identity.models import User
from tongban.netmon import checks
from tongban.netmon.checks import Outcome
from tongban.netmon.models import (
    Incident,
    Probe,
    ProbeKind,
    ProbeResult,
    Rollup,
    Site,
    SiteEvent,
    SiteKind,
    Status,
)
from tongban.orgs.models import BusinessRole, County, RoleGrant, Unit

logger = logging.getLogger(__name__)

MAX_WORKERS = 100  # 130 sites × 3 probes × 10 s worst-case timeout / 100 threads < 60 s
HOURLY_KEEP_DAYS = 90
DAILY_KEEP_DAYS = 3 * 366
LEASE_NAME = "netmon.probe"
SITE_FIELDS = ("unit_id", "name", "kind", "location", "note", "enabled", "sort")
PROBE_FIELDS = (
    "kind",
    "name",
    "host",
    "port",
    "url",
    "expected_status",
    "verify_tls",
    "interval_seconds",
    "timeout_seconds",
    "fail_threshold",
    "rise_threshold",
    "degraded_ms",
    "enabled",
)


def raw_days() -> int:
    return int(getattr(settings, "TONGBAN_NETMON_RAW_DAYS", 14))


def _now() -> datetime:
    return timezone.now()


# --- registering ------------------------------------------------------------------------------------
def _snapshot(obj: Site | Probe, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


MAX_ID = 2**62


def _text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise TongbanError(
            "netmon.too_long", _("内容过长（不超过 %(n)d 个字）。") % {"n": limit}, field=field
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise TongbanError("netmon.bad_text", _("内容不能包含控制字符。"), field=field)
    return text


def clean_site(county: County, data: dict[str, Any], site: Site | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    unit_id = data.get("unit_id", site.unit_id if site else None)
    valid_id = isinstance(unit_id, int) and not isinstance(unit_id, bool) and 0 < unit_id < MAX_ID
    unit = Unit.objects.filter(pk=int(unit_id), county=county).first() if valid_id and unit_id else None
    if unit is None:
        raise TongbanError("netmon.bad_unit", _("请选择本县的单位。"), field="unit_id")
    out["unit_id"] = unit.pk
    name = _text(data.get("name") or (site.name if site else "") or unit.name, "name", 100)
    if not name:
        raise TongbanError("netmon.bad_name", _("站点名称不能为空。"), field="name")
    out["name"] = name
    kind = data.get("kind") or (site.kind if site else None)
    if not kind:
        kind = SiteKind.TOWNSHIP if unit.kind == "township" else SiteKind.UNIT
    if kind not in SiteKind.values:
        raise TongbanError("netmon.bad_kind", _("站点类型无效。"), field="kind")
    out["kind"] = kind
    for key in ("location", "note"):
        out[key] = _text(data.get(key, getattr(site, key) if site else ""), key, 200)
    out["enabled"] = bool(data.get("enabled", site.enabled if site else True))
    sort = data.get("sort", site.sort if site else 0)
    if not isinstance(sort, int) or not -1_000_000 <= sort <= 1_000_000:
        raise TongbanError("netmon.bad_sort", _("排序应为整数。"), field="sort")
    out["sort"] = sort
    clash = Site.objects.filter(county=county, unit_id=out["unit_id"], name=name)
    if site is not None:
        clash = clash.exclude(pk=site.pk)
    if clash.exists():
        raise TongbanError("netmon.duplicate_site", _("该单位已登记同名站点。"), field="name")
    return out


@transaction.atomic
def site_save(
    *,
    actor: User,
    county: County,
    data: dict[str, Any],
    site: Site | None = None,
    request: HttpRequest | None = None,
) -> Site:
    """Register a site (``site`` None) or change it. Disabling a site sets it unknown and closes
    its open incident (no notification)."""
    clean = clean_site(county, data, site)
    if site is None:
        site = Site.objects.create(county=county, **clean)
        audit.record("netmon.site_created", actor=actor, request=request, obj=site, new=clean)
        return site
    site = Site.objects.select_for_update().get(pk=site.pk)
    old = _snapshot(site, SITE_FIELDS)
    for key, value in clean.items():
        setattr(site, key, value)
    site.save()
    if not site.enabled and site.status != Status.UNKNOWN:
        _transition(site, Status.UNKNOWN, _("停用监测"), _now())
    audit.record("netmon.site_changed", actor=actor, request=request, obj=site, old=old, new=clean)
    return site


def _int(
    data: dict[str, Any], key: str, default: int | None, low: int, high: int, message: str
) -> int | None:
    value = data.get(key, default)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TongbanError(f"netmon.bad_{key}", message, field=key)
    return value


def clean_probe(data: dict[str, Any], probe: Probe | None = None) -> dict[str, Any]:
    cur = _snapshot(probe, PROBE_FIELDS) if probe else {}
    merged = {**cur, **{k: v for k, v in data.items() if k in PROBE_FIELDS}}
    kind = merged.get("kind")
    if kind not in ProbeKind.values:
        raise TongbanError("netmon.bad_kind", _("探测方式应为 ICMP、TCP 或 HTTP。"), field="kind")
    out: dict[str, Any] = {"kind": kind}
    out["name"] = _text(merged.get("name"), "name", 64)
    out["host"], out["port"], out["url"] = "", None, ""
    if kind in (ProbeKind.ICMP, ProbeKind.TCP):
        out["host"] = checks.check_host(str(merged.get("host") or ""))
    if kind == ProbeKind.TCP:
        port = merged.get("port")
        if isinstance(port, bool) or not isinstance(port, int):
            raise TongbanError("netmon.bad_port", _("端口应为 1–65535 之间的整数。"), field="port")
        out["port"] = checks.check_port(port)
    out["expected_status"] = 200
    out["verify_tls"] = bool(merged.get("verify_tls", True))
    if kind == ProbeKind.HTTP:
        out["url"] = checks.check_url(str(merged.get("url") or ""))
        out["expected_status"] = (
            _int(merged, "expected_status", 200, 100, 599, _("期望状态码应为 100–599。")) or 200
        )
    out["interval_seconds"] = (
        _int(merged, "interval_seconds", 60, 30, 86400, _("探测间隔应为 30–86400 秒。")) or 60
    )
    timeout = merged.get("timeout_seconds", 3.0)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0.2 <= float(timeout) <= checks.MAX_TIMEOUT
    ):
        raise TongbanError("netmon.bad_timeout", _("超时应为 0.2–10 秒。"), field="timeout_seconds")
    out["timeout_seconds"] = float(timeout)
    if out["timeout_seconds"] >= out["interval_seconds"]:
        raise TongbanError("netmon.bad_timeout", _("超时应小于探测间隔。"), field="timeout_seconds")
    out["fail_threshold"] = _int(merged, "fail_threshold", 3, 1, 20, _("失败次数阈值应为 1–20。")) or 3
    out["rise_threshold"] = _int(merged, "rise_threshold", 1, 1, 20, _("恢复次数阈值应为 1–20。")) or 1
    # 0 (or empty) = no latency threshold
    out["degraded_ms"] = _int(merged, "degraded_ms", None, 0, 60000, _("降级时延应为 0–60000 毫秒。")) or None
    out["enabled"] = bool(merged.get("enabled", True))
    return out


@transaction.atomic
def probe_save(
    *,
    actor: User,
    site: Site,
    data: dict[str, Any],
    probe: Probe | None = None,
    request: HttpRequest | None = None,
) -> Probe:
    clean = clean_probe(data, probe)
    if probe is None:
        probe = Probe.objects.create(county_id=site.county_id, site=site, **clean)
        audit.record("netmon.probe_created", actor=actor, request=request, obj=probe, new=clean)
    else:
        probe = Probe.objects.select_for_update().get(pk=probe.pk)
        old = _snapshot(probe, PROBE_FIELDS)
        target_changed = any(old[k] != clean[k] for k in ("kind", "host", "port", "url", "expected_status"))
        for key, value in clean.items():
            setattr(probe, key, value)
        if target_changed or not probe.enabled:
            # A new target starts afresh: its old counters say nothing about it.
            probe.state, probe.consecutive_failures, probe.consecutive_successes = Status.UNKNOWN, 0, 0
        probe.next_due_at = None
        probe.save()
        audit.record("netmon.probe_changed", actor=actor, request=request, obj=probe, old=old, new=clean)
    _refresh_site(Site.objects.select_for_update().get(pk=site.pk), _now())
    return probe


@transaction.atomic
def probe_delete(*, actor: User, probe: Probe, request: HttpRequest | None = None) -> None:
    site = Site.objects.select_for_update().get(pk=probe.site_id)
    audit.record(
        "netmon.probe_deleted", actor=actor, request=request, obj=probe, old=_snapshot(probe, PROBE_FIELDS)
    )
    probe.delete()
    _refresh_site(site, _now())


# --- recording results ---------------------------------------------------------------------------------
def _probe_after(probe: Probe, outcome: Outcome) -> str:
    """The probe's state after one more result (thresholds against flapping)."""
    if outcome.ok:
        probe.consecutive_successes += 1
        probe.consecutive_failures = 0
        if probe.state == Status.DOWN and probe.consecutive_successes < probe.rise_threshold:
            return Status.DOWN
        slow = probe.degraded_ms is not None and (outcome.latency_ms or 0) > probe.degraded_ms
        return Status.DEGRADED if slow else Status.UP
    probe.consecutive_failures += 1
    probe.consecutive_successes = 0
    if probe.consecutive_failures >= probe.fail_threshold:
        return Status.DOWN
    return str(probe.state)


def site_status_of(states: Iterable[str]) -> str:
    """A site's status from its enabled probes' states: all down → down; all up → up; any other
    mix of known states → degraded; nothing known → unknown."""
    known = [s for s in states if s != Status.UNKNOWN]
    if not known:
        return Status.UNKNOWN
    if all(s == Status.DOWN for s in known):
        return Status.DOWN
    if all(s == Status.UP for s in known):
        return Status.UP
    return Status.DEGRADED


def _network_admins(county_id: int) -> list[User]:
    ids = RoleGrant.objects.filter(
        county_id=county_id, role=BusinessRole.NETWORK_ADMIN, unit__is_active=True
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _notify(site: Site, event: SiteEvent, code: str) -> None:
    from tongban.notify.services import notify

    users = _network_admins(site.county_id)
    if not users:
        return
    if code == "netmon.site_down":
        title = _("站点中断：%(site)s") % {"site": site.name}
    else:
        title = _("站点恢复：%(site)s") % {"site": site.name}
    body = event.reason or ""
    notify(
        users=users,
        event=code,
        title=title,
        body=body,
        url=reverse("netmon:site", args=[site.pk]),
        dedupe_key=f"netmon.event.{event.pk}",
    )
    event.notified = True
    event.save(update_fields=["notified"])


def _transition(site: Site, new: str, reason: str, at: datetime) -> SiteEvent | None:
    old = str(site.status)
    if new == old:
        return None
    event = SiteEvent.objects.create(site=site, at=at, old=old, new=new, reason=reason[:300])
    site.status, site.status_since = new, at
    site.save(update_fields=["status", "status_since", "updated_at"])
    if old == Status.DOWN:
        incident = Incident.objects.filter(site=site, ended_at__isnull=True).first()
        if incident is not None:
            incident.ended_at = at
            incident.save(update_fields=["ended_at"])
            if incident.notified and new in (Status.UP, Status.DEGRADED):
                _notify(site, event, "netmon.site_up")
    if new == Status.DOWN:
        # Only a site that was known to work is reported down: a new site (or the demo's lab
        # addresses) going from unknown to down opens an incident but sends nothing.
        notified = old in (Status.UP, Status.DEGRADED)
        Incident.objects.create(site=site, started_at=at, cause=reason[:300], notified=notified)
        if notified:
            _notify(site, event, "netmon.site_down")
    return event


def _refresh_site(site: Site, at: datetime) -> SiteEvent | None:
    if not site.enabled:
        return _transition(site, Status.UNKNOWN, _("停用监测"), at)
    probes = list(Probe.objects.filter(site=site, enabled=True))
    new = site_status_of(p.state for p in probes)
    bad = [
        f"{p.get_kind_display()} {p.target}: {p.last_error or _('失败')}"
        for p in probes
        if p.state == Status.DOWN
    ]
    reason = "; ".join(bad) if bad else ""
    return _transition(site, new, reason, at)


def _local_day_start(at: datetime) -> datetime:
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _hour_start(at: datetime) -> datetime:
    return at.astimezone(timezone.get_current_timezone()).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Bucket:
    checks: int = 0
    ok: int = 0
    latency_sum: float = 0.0
    latency_count: int = 0
    latency_max: float | None = None

    def add(self, outcome: Outcome) -> None:
        self.checks += 1
        if outcome.ok:
            self.ok += 1
            if outcome.latency_ms is not None:
                self.latency_sum += outcome.latency_ms
                self.latency_count += 1
                self.latency_max = max(self.latency_max or 0.0, outcome.latency_ms)


def _apply_rollups(buckets: dict[tuple[int, bool, datetime], _Bucket]) -> None:
    for (site_id, hourly, start), b in buckets.items():
        Rollup.objects.get_or_create(site_id=site_id, hourly=hourly, start=start)
        updates: dict[str, Any] = {
            "checks": F("checks") + b.checks,
            "ok": F("ok") + b.ok,
            "latency_sum": F("latency_sum") + b.latency_sum,
            "latency_count": F("latency_count") + b.latency_count,
        }
        if b.latency_max is not None:
            updates["latency_max"] = Greatest(Coalesce(F("latency_max"), b.latency_max), b.latency_max)
        Rollup.objects.filter(site_id=site_id, hourly=hourly, start=start).update(**updates)


@dataclass
class RunReport:
    probes: int = 0
    failures: int = 0
    events: list[SiteEvent] = field(default_factory=list)


@transaction.atomic
def record_results(results: list[tuple[Probe, Outcome]], *, at: datetime | None = None) -> RunReport:
    """Store the outcomes of one round: raw results, probe states, roll-ups, then each touched
    site's status (one transition at most per site per round)."""
    at = at or _now()
    report = RunReport(probes=len(results))
    rows: list[ProbeResult] = []
    buckets: dict[tuple[int, bool, datetime], _Bucket] = {}
    latest: dict[int, float | None] = {}
    for probe, outcome in results:
        probe.state = _probe_after(probe, outcome)
        probe.last_checked_at, probe.last_ok = at, outcome.ok
        probe.last_latency_ms = outcome.latency_ms
        probe.last_error = "" if outcome.ok else outcome.error[:200]
        probe.next_due_at = at + timedelta(seconds=probe.interval_seconds)
        probe.save(
            update_fields=[
                "state",
                "consecutive_failures",
                "consecutive_successes",
                "last_checked_at",
                "last_ok",
                "last_latency_ms",
                "last_error",
                "next_due_at",
            ]
        )
        rows.append(
            ProbeResult(
                site_id=probe.site_id,
                probe=probe,
                at=at,
                ok=outcome.ok,
                latency_ms=outcome.latency_ms,
                error=outcome.error[:200],
            )
        )
        if not outcome.ok:
            report.failures += 1
        for hourly, start in ((True, _hour_start(at)), (False, _local_day_start(at))):
            buckets.setdefault((probe.site_id, hourly, start), _Bucket()).add(outcome)
        if outcome.ok and outcome.latency_ms is not None:
            best = latest.get(probe.site_id)
            latest[probe.site_id] = outcome.latency_ms if best is None else min(best, outcome.latency_ms)
        else:
            latest.setdefault(probe.site_id, None)
    ProbeResult.objects.bulk_create(rows)
    _apply_rollups(buckets)
    for site in Site.objects.select_for_update().filter(pk__in=latest.keys()).order_by("pk"):
        site.last_checked_at, site.last_latency_ms = at, latest[site.pk]
        site.save(update_fields=["last_checked_at", "last_latency_ms", "updated_at"])
        event = _refresh_site(site, at)
        if event is not None:
            report.events.append(event)
    return report


def spec_of(probe: Probe) -> checks.Spec:
    return checks.Spec(
        probe_id=probe.pk,
        kind=str(probe.kind),
        host=probe.host,
        port=probe.port,
        url=probe.url,
        expected_status=probe.expected_status,
        timeout=probe.timeout_seconds,
        verify_tls=probe.verify_tls,
    )


def run_checks(probes: list[Probe]) -> list[tuple[Probe, Outcome]]:
    """Run the probes' checks concurrently (at most MAX_WORKERS at once), no database access."""
    if not probes:
        return []
    specs = [spec_of(p) for p in probes]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(specs)), thread_name_prefix="netmon") as pool:
        outcomes = list(pool.map(checks.run, specs))
    return list(zip(probes, outcomes, strict=True))


def due_probes(now: datetime) -> list[Probe]:
    return list(
        Probe.objects.filter(enabled=True, site__enabled=True)
        .filter(Q(next_due_at__isnull=True) | Q(next_due_at__lte=now))
        .order_by("next_due_at", "pk")
    )


def run_due(*, now: datetime | None = None) -> RunReport:
    """The scheduled job (every 60 s): run the probes whose interval has elapsed. One run at a time
    (a database lease), so two workers never probe the same round twice."""
    from tongban.core.lease import lease_acquire, lease_release

    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not lease_acquire(holder=holder, seconds=120, name=LEASE_NAME):
        return RunReport()
    try:
        now = now or _now()
        probes = due_probes(now + timedelta(seconds=5))  # a little slack so a 60 s probe runs every round
        report = record_results(run_checks(probes), at=now) if probes else RunReport()
        if now.minute == 0 or not probes:
            purge(now=now)
        return report
    finally:
        lease_release(holder=holder, name=LEASE_NAME)


def probe_now(*, actor: User, site: Site, request: HttpRequest | None = None) -> RunReport:
    """探测一次: run every enabled probe of the site at once and record the results."""
    if not site.enabled:
        raise TongbanError("netmon.site_disabled", _("该站点已停用监测。"))
    probes = list(Probe.objects.filter(site=site, enabled=True))
    if not probes:
        raise TongbanError("netmon.no_probes", _("该站点还没有启用的探测项。"))
    report = record_results(run_checks(probes))
    audit.record("netmon.probe_now", actor=actor, request=request, obj=site, new={"probes": len(probes)})
    return report


def purge(*, now: datetime | None = None) -> int:
    """Retention: raw results ``TONGBAN_NETMON_RAW_DAYS`` days (14), hourly roll-ups 90 days,
    daily roll-ups three years."""
    now = now or _now()
    n = ProbeResult.objects.filter(at__lt=now - timedelta(days=raw_days())).delete()[0]
    n += Rollup.objects.filter(hourly=True, start__lt=now - timedelta(days=HOURLY_KEEP_DAYS)).delete()[0]
    n += Rollup.objects.filter(hourly=False, start__lt=now - timedelta(days=DAILY_KEEP_DAYS)).delete()[0]
    return n


def get_site(county: County, site_id: int) -> Site:
    site = None
    if 0 < site_id < MAX_ID:
        site = Site.objects.filter(county=county, pk=site_id).select_related("unit").first()
    if site is None:
        raise NotFound("netmon.site_not_found", _("站点不存在。"))
    return site


def get_probe(county: County, probe_id: int) -> Probe:
    probe = None
    if 0 < probe_id < MAX_ID:
        probe = Probe.objects.filter(county=county, pk=probe_id).select_related("site").first()
    if probe is None:
        raise NotFound("netmon.probe_not_found", _("探测项不存在。"))
    return probe
