"""/api/v1/netmon/ endpoints of the site monitoring: the county overview (what the map refreshes
from), a site with its probes, history and incidents; the register of sites and probes and
探测一次 (network administrators and the system administrator). Thin: ``access`` checks,
``selectors`` read, ``services`` write (the same validation as the pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tongban.api.common import caller, errors
from tongban.netmon import access, selectors, services
from tongban.netmon.models import Probe, Site

router = Router(tags=["网络监测"])


class NetmonSiteOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    kind: str
    kind_label: str
    location: str
    enabled: bool
    status: str
    status_label: str
    color: str
    badge: str
    status_since: datetime | None
    last_checked_at: datetime | None
    latency_ms: float | None
    uptime_24h: float | None
    uptime_7d: float | None
    uptime_30d: float | None
    url: str


class NetmonIcmpOut(Schema):
    available: bool
    mode: str
    ping_group_range: str


class NetmonOverviewOut(Schema):
    generated_at: datetime
    last_checked_at: datetime | None
    counts: dict[str, int]
    status_labels: dict[str, str]
    status_colors: dict[str, str]
    kind_labels: dict[str, str]
    icmp: NetmonIcmpOut
    sites: list[NetmonSiteOut]


class NetmonProbeOut(Schema):
    id: int
    site_id: int
    kind: str
    name: str
    host: str
    port: int | None
    url: str
    target: str
    expected_status: int
    verify_tls: bool
    interval_seconds: int
    timeout_seconds: float
    fail_threshold: int
    rise_threshold: int
    degraded_ms: int | None
    enabled: bool
    state: str
    consecutive_failures: int
    consecutive_successes: int
    last_checked_at: datetime | None
    last_ok: bool | None
    last_latency_ms: float | None
    last_error: str


class NetmonSiteDetailOut(NetmonSiteOut):
    note: str
    probes: list[NetmonProbeOut]


class NetmonBucketOut(Schema):
    start: datetime
    checks: int
    ok: int
    uptime: float | None
    latency_avg: float | None
    latency_max: float | None


class NetmonResultOut(Schema):
    at: datetime
    probe_id: int
    ok: bool
    latency_ms: float | None
    error: str


class NetmonHistoryOut(Schema):
    range: str
    hourly: bool
    buckets: list[NetmonBucketOut]
    results: list[NetmonResultOut]


class NetmonIncidentOut(Schema):
    id: int
    started_at: datetime
    ended_at: datetime | None
    open: bool
    duration_seconds: int
    duration: str
    cause: str


class NetmonSiteIn(Schema):
    unit_id: int
    name: str = ""
    kind: Literal["hall", "unit", "township"] | None = None
    location: str = ""
    note: str = ""
    enabled: bool = True
    sort: int = 0


class NetmonSitePatch(Schema):
    unit_id: int | None = None
    name: str | None = None
    kind: Literal["hall", "unit", "township"] | None = None
    location: str | None = None
    note: str | None = None
    enabled: bool | None = None
    sort: int | None = None


class NetmonProbeIn(Schema):
    kind: Literal["icmp", "tcp", "http"]
    name: str = ""
    host: str = ""
    port: int | None = None
    url: str = ""
    expected_status: int = 200
    verify_tls: bool = True
    interval_seconds: int = 60
    timeout_seconds: float = 3.0
    fail_threshold: int = 3
    rise_threshold: int = 1
    degraded_ms: int | None = None
    enabled: bool = True


class NetmonProbePatch(Schema):
    kind: Literal["icmp", "tcp", "http"] | None = None
    name: str | None = None
    host: str | None = None
    port: int | None = None
    url: str | None = None
    expected_status: int | None = None
    verify_tls: bool | None = None
    interval_seconds: int | None = None
    timeout_seconds: float | None = None
    fail_threshold: int | None = None
    rise_threshold: int | None = None
    degraded_ms: int | None = None
    enabled: bool | None = None


class NetmonProbeNowOut(Schema):
    site: NetmonSiteOut
    probes: int
    failures: int
    transitions: int


class NetmonOverviewQuery(Schema):
    status: Literal["", "up", "degraded", "down", "unknown"] = ""
    kind: Literal["", "hall", "unit", "township"] = ""


def _probe_out(p: Probe) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in services.PROBE_FIELDS},
        "id": p.pk,
        "site_id": p.site_id,
        "target": p.target,
        "state": p.state,
        "consecutive_failures": p.consecutive_failures,
        "consecutive_successes": p.consecutive_successes,
        "last_checked_at": p.last_checked_at,
        "last_ok": p.last_ok,
        "last_latency_ms": p.last_latency_ms,
        "last_error": p.last_error,
    }


def _site_out(site: Site) -> dict[str, Any]:
    return selectors.site_row(site, selectors.uptime_map([site.pk]).get(site.pk, {}))


def _detail(site: Site) -> dict[str, Any]:
    return {**_site_out(site), "note": site.note, "probes": [_probe_out(p) for p in selectors.probes(site)]}


@router.get(
    "sites",
    response={200: NetmonOverviewOut, **errors(403, 404, 422)},
    url_name="netmon_sites",
    summary="全县站点状态总览",
)
def sites(request: HttpRequest, filters: Query[NetmonOverviewQuery]) -> dict[str, Any]:
    county = access.require_monitor(caller(request))
    return selectors.overview(county, status=filters.status, kind=filters.kind)


@router.post("sites", response={201: NetmonSiteDetailOut, **errors(400, 403, 404, 422)}, summary="登记站点")
def site_create(request: HttpRequest, body: NetmonSiteIn) -> Status:
    user = caller(request)
    county = access.require_manage(user)
    site = services.site_save(actor=user, county=county, data=body.dict(), request=request)
    return Status(201, _detail(site))


@router.get(
    "sites/{site_id}",
    response={200: NetmonSiteDetailOut, **errors(403, 404, 422)},
    summary="站点详情及探测项",
)
def site_detail(request: HttpRequest, site_id: int) -> dict[str, Any]:
    county = access.require_monitor(caller(request))
    return _detail(services.get_site(county, site_id))


@router.patch(
    "sites/{site_id}",
    response={200: NetmonSiteDetailOut, **errors(400, 403, 404, 422)},
    summary="修改或停用站点",
)
def site_update(request: HttpRequest, site_id: int, body: NetmonSitePatch) -> dict[str, Any]:
    user = caller(request)
    county = access.require_manage(user)
    site = services.get_site(county, site_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    site = services.site_save(actor=user, county=county, data=data, site=site, request=request)
    return _detail(site)


@router.get(
    "sites/{site_id}/history",
    response={200: NetmonHistoryOut, **errors(403, 404, 422)},
    summary="站点时延与可用率历史",
)
def site_history(
    request: HttpRequest, site_id: int, range: Literal["24h", "7d", "30d"] = "24h"
) -> dict[str, Any]:
    county = access.require_monitor(caller(request))
    return selectors.history(services.get_site(county, site_id), range)


@router.get(
    "sites/{site_id}/incidents",
    response={200: list[NetmonIncidentOut], **errors(403, 404, 422)},
    summary="站点中断记录",
)
def site_incidents(request: HttpRequest, site_id: int) -> list[dict[str, Any]]:
    county = access.require_monitor(caller(request))
    return [
        {
            "id": r.incident.pk,
            "started_at": r.incident.started_at,
            "ended_at": r.incident.ended_at,
            "open": r.open,
            "duration_seconds": int(r.duration.total_seconds()),
            "duration": r.duration_label,
            "cause": r.incident.cause,
        }
        for r in selectors.incidents(services.get_site(county, site_id))
    ]


@router.post(
    "sites/{site_id}/probe-now",
    response={200: NetmonProbeNowOut, **errors(400, 403, 404, 422)},
    summary="立即探测该站点",
)
def site_probe_now(request: HttpRequest, site_id: int) -> dict[str, Any]:
    user = caller(request)
    county = access.require_manage(user)
    site = services.get_site(county, site_id)
    report = services.probe_now(actor=user, site=site, request=request)
    site.refresh_from_db()
    return {
        "site": _site_out(site),
        "probes": report.probes,
        "failures": report.failures,
        "transitions": len(report.events),
    }


@router.post(
    "sites/{site_id}/probes",
    response={201: NetmonProbeOut, **errors(400, 403, 404, 422)},
    summary="为站点添加探测项",
)
def probe_create(request: HttpRequest, site_id: int, body: NetmonProbeIn) -> Status:
    user = caller(request)
    county = access.require_manage(user)
    site = services.get_site(county, site_id)
    probe = services.probe_save(actor=user, site=site, data=body.dict(), request=request)
    return Status(201, _probe_out(probe))


@router.get("probes/{probe_id}", response={200: NetmonProbeOut, **errors(403, 404, 422)}, summary="探测项")
def probe_detail(request: HttpRequest, probe_id: int) -> dict[str, Any]:
    county = access.require_monitor(caller(request))
    return _probe_out(services.get_probe(county, probe_id))


@router.patch(
    "probes/{probe_id}",
    response={200: NetmonProbeOut, **errors(400, 403, 404, 422)},
    summary="修改或停用探测项",
)
def probe_update(request: HttpRequest, probe_id: int, body: NetmonProbePatch) -> dict[str, Any]:
    user = caller(request)
    county = access.require_manage(user)
    probe = services.get_probe(county, probe_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    probe = services.probe_save(actor=user, site=probe.site, data=data, probe=probe, request=request)
    return _probe_out(probe)


@router.delete("probes/{probe_id}", response={204: None, **errors(403, 404, 422)}, summary="删除探测项")
def probe_remove(request: HttpRequest, probe_id: int) -> Status:
    user = caller(request)
    county = access.require_manage(user)
    services.probe_delete(actor=user, probe=services.get_probe(county, probe_id), request=request)
    return Status(204, None)
