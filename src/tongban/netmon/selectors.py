"""Reads of the site monitoring: the county overview (a fixed number of queries whatever the number
of sites), a site's history, incidents and uptime.

Uptime = successful checks / checks of all the site's probes in the window, read from the roll-ups:
24 h and 7 d from the hourly buckets (the current hour included), 30 d from the daily buckets (today
included). ``None`` when there was no check in the window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Sum, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.netmon import checks
from tongban.netmon.models import Incident, Probe, ProbeResult, Rollup, Site, SiteEvent, SiteKind, Status
from tongban.orgs.models import County

STATUS_COLORS = {
    Status.UP: "#198754",
    Status.DEGRADED: "#fd7e14",
    Status.DOWN: "#dc3545",
    Status.UNKNOWN: "#6c757d",
}
STATUS_BADGES = {
    Status.UP: "text-bg-success",
    Status.DEGRADED: "text-bg-warning",
    Status.DOWN: "text-bg-danger",
    Status.UNKNOWN: "text-bg-secondary",
}
RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


def _hour_start(at: datetime) -> datetime:
    return at.astimezone(timezone.get_current_timezone()).replace(minute=0, second=0, microsecond=0)


def _day_start(at: datetime) -> datetime:
    return timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)


def _pct(ok: int | None, total: int | None) -> float | None:
    if not total:
        return None
    return round(100.0 * (ok or 0) / total, 2)


def uptime_map(
    site_ids: list[int] | None, county: County | None = None, *, now: datetime | None = None
) -> dict[int, dict[str, float | None]]:
    """{site id: {"24h", "7d", "30d"}} in two queries (hourly, daily)."""
    now = now or timezone.now()
    c24 = _hour_start(now) - timedelta(hours=23)
    c7 = _hour_start(now) - timedelta(hours=24 * 7 - 1)
    c30 = _day_start(now) - timedelta(days=29)
    hourly = Rollup.objects.filter(hourly=True, start__gte=c7)
    daily = Rollup.objects.filter(hourly=False, start__gte=c30)
    if site_ids is not None:
        hourly, daily = hourly.filter(site_id__in=site_ids), daily.filter(site_id__in=site_ids)
    if county is not None:
        hourly, daily = hourly.filter(site__county=county), daily.filter(site__county=county)
    out: dict[int, dict[str, float | None]] = {}
    for row in hourly.values("site_id").annotate(
        c7=Sum("checks"),
        o7=Sum("ok"),
        c24=Sum(Case(When(start__gte=c24, then="checks"), default=0, output_field=IntegerField())),
        o24=Sum(Case(When(start__gte=c24, then="ok"), default=0, output_field=IntegerField())),
    ):
        out[row["site_id"]] = {
            "24h": _pct(row["o24"], row["c24"]),
            "7d": _pct(row["o7"], row["c7"]),
            "30d": None,
        }
    for day in daily.values("site_id").annotate(c=Sum("checks"), o=Sum("ok")):
        out.setdefault(day["site_id"], {"24h": None, "7d": None, "30d": None})["30d"] = _pct(
            day["o"], day["c"]
        )
    return out


def site_row(site: Site, uptime: dict[str, float | None]) -> dict[str, Any]:
    return {
        "id": site.pk,
        "name": site.name,
        "unit_id": site.unit_id,
        "unit": site.unit.name,
        "kind": site.kind,
        "kind_label": str(site.get_kind_display()),
        "location": site.location,
        "enabled": site.enabled,
        "status": site.status,
        "status_label": str(site.get_status_display()),
        "color": STATUS_COLORS[Status(site.status)],
        "badge": STATUS_BADGES[Status(site.status)],
        "status_since": site.status_since,
        "last_checked_at": site.last_checked_at,
        "latency_ms": round(site.last_latency_ms, 1) if site.last_latency_ms is not None else None,
        "uptime_24h": uptime.get("24h"),
        "uptime_7d": uptime.get("7d"),
        "uptime_30d": uptime.get("30d"),
        "url": reverse("netmon:site", args=[site.pk]),
    }


def icmp_info() -> dict[str, Any]:
    mode = checks.icmp_mode()
    return {"available": bool(mode), "mode": mode or "none", "ping_group_range": checks.ping_group_range()}


def overview(
    county: County, *, status: str = "", kind: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """The county's sites with status, latency, uptime and the counts; filters by status and site
    kind. Three queries (sites with their units, hourly and daily roll-ups)."""
    sites = list(Site.objects.filter(county=county).select_related("unit").order_by("sort", "id"))
    uptime = uptime_map(None, county, now=now)
    rows = [site_row(s, uptime.get(s.pk, {})) for s in sites]
    counts = {s.value: 0 for s in Status}
    for r in rows:
        counts[r["status"]] += 1
    if status in Status.values:
        rows = [r for r in rows if r["status"] == status]
    if kind in SiteKind.values:
        rows = [r for r in rows if r["kind"] == kind]
    checked = [s.last_checked_at for s in sites if s.last_checked_at]
    return {
        "generated_at": now or timezone.now(),
        "last_checked_at": max(checked) if checked else None,
        "counts": {**counts, "total": len(sites)},
        "status_labels": {s.value: str(s.label) for s in Status},
        "status_colors": {s.value: STATUS_COLORS[s] for s in Status},
        "kind_labels": {k.value: str(k.label) for k in SiteKind},
        "icmp": icmp_info(),
        "sites": rows,
    }


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """What the overview's script needs (JSON-safe)."""
    return {
        "sites": [
            {
                k: r[k]
                for k in ("id", "name", "kind", "status", "status_label", "latency_ms", "uptime_24h", "url")
            }
            for r in data["sites"]
        ],
        "labels": data["status_labels"],
        "colors": data["status_colors"],
        "kinds": data["kind_labels"],
        "hall": _("县机房"),
    }


def duration_label(td: timedelta) -> str:
    """E.g. 2天3小时、1小时5分、45秒."""
    secs = max(0, int(td.total_seconds()))
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d分%(s)d秒") % {"m": minutes, "s": seconds}
    return _("%(s)d秒") % {"s": seconds}


@dataclass(frozen=True)
class IncidentRow:
    incident: Incident
    duration: timedelta
    open: bool

    @property
    def duration_label(self) -> str:
        return duration_label(self.duration)


def incidents(site: Site, *, limit: int = 50, now: datetime | None = None) -> list[IncidentRow]:
    now = now or timezone.now()
    return [
        IncidentRow(i, (i.ended_at or now) - i.started_at, i.ended_at is None)
        for i in Incident.objects.filter(site=site).order_by("-started_at", "-id")[:limit]
    ]


def events(site: Site, *, limit: int = 50) -> list[SiteEvent]:
    return list(SiteEvent.objects.filter(site=site).order_by("-at", "-id")[:limit])


def probes(site: Site) -> list[Probe]:
    return list(Probe.objects.filter(site=site).order_by("id"))


def history(site: Site, range_key: str = "24h", *, now: datetime | None = None) -> dict[str, Any]:
    """Latency and uptime over ``range_key`` (24h: raw results and hourly buckets; 7d: hourly; 30d: daily)."""
    now = now or timezone.now()
    if range_key not in RANGES:
        range_key = "24h"
    since = now - RANGES[range_key]
    hourly = range_key != "30d"
    start = _hour_start(since) if hourly else _day_start(since)
    buckets = [
        {
            "start": r.start,
            "checks": r.checks,
            "ok": r.ok,
            "uptime": _pct(r.ok, r.checks),
            "latency_avg": round(r.latency_sum / r.latency_count, 1) if r.latency_count else None,
            "latency_max": round(r.latency_max, 1) if r.latency_max is not None else None,
        }
        for r in Rollup.objects.filter(site=site, hourly=hourly, start__gte=start).order_by("start")
    ]
    results: list[dict[str, Any]] = []
    if range_key == "24h":
        results = [
            {
                "at": r.at,
                "probe_id": r.probe_id,
                "ok": r.ok,
                "latency_ms": round(r.latency_ms, 1) if r.latency_ms is not None else None,
                "error": r.error,
            }
            for r in ProbeResult.objects.filter(site=site, at__gte=since).order_by("at", "id")[:5000]
        ]
    return {"range": range_key, "hourly": hourly, "buckets": buckets, "results": results}


def recent_results(site: Site, *, limit: int = 50) -> list[ProbeResult]:
    return list(ProbeResult.objects.filter(site=site).select_related("probe").order_by("-at", "-id")[:limit])
