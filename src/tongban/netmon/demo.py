"""Demo data (order 840): every active unit and township of the demo county registered as a site.

Honest by design: the demo machine is not on the county's e-government network, so
- the county machine room (县政府) probes what really runs here: the platform's own ``/healthz``
  (TONGBAN_BASE_URL) and ICMP to 127.0.0.1 (when this machine allows ICMP sockets);
- 信息化中心 probes Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432): green if they run here,
  red otherwise — whatever is true;
- every other unit and township gets its planned endpoint on the county network (10.10.n.1 for the
  units, 10.20.n.1 for the townships) as a *disabled* probe, so the site shows 未知 until a network
  administrator enables it on the real network. The demo never probes addresses of whatever LAN it
  happens to run on, and no notification is sent: a site that goes from 未知 to 中断 is not reported.
Idempotent: sites and probes are found by their natural keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.demo import DemoContext
from tongban.netmon import checks
from tongban.netmon.models import Probe, ProbeKind, Site, SiteKind
from tongban.orgs.models import County, Unit, UnitKind

LAB_NOTE = "演示：本机未接入县电子政务外网，探测项待网络管理员启用"


def _probe(
    site: Site, kind: str, *, host: str = "", port: int | None = None, url: str = "", **extra: Any
) -> bool:
    _obj, created = Probe.objects.get_or_create(
        site=site,
        kind=kind,
        host=host,
        port=port,
        url=url,
        defaults={"county_id": site.county_id, **extra},
    )
    return created


def _site(county: County, unit: Unit, name: str, kind: str, **extra: Any) -> tuple[Site, bool]:
    return Site.objects.get_or_create(
        county=county, unit=unit, name=name, defaults={"kind": kind, "sort": unit.sort, **extra}
    )


@transaction.atomic
def seed(ctx: DemoContext) -> str:
    county = County.objects.order_by("pk").first()
    if county is None:
        return "netmon: no county"
    units = list(Unit.objects.filter(county=county, is_active=True).order_by("sort", "id"))
    hall_unit = next((u for u in units if u.short_name == "县政府"), units[0] if units else None)
    if hall_unit is None:
        return "netmon: no units"
    new_sites = new_probes = 0
    icmp_ok = bool(checks.icmp_mode())
    base = str(getattr(settings, "TONGBAN_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")

    hall, created = _site(
        county, hall_unit, "县机房（县政府）", SiteKind.HALL, location="县政府大楼机房", sort=-1
    )
    new_sites += created
    new_probes += _probe(
        hall, ProbeKind.HTTP, url=f"{base}/healthz", name="通办平台 /healthz", expected_status=200
    )
    new_probes += _probe(
        hall,
        ProbeKind.ICMP,
        host="127.0.0.1",
        name="本机回环",
        enabled=icmp_ok,
    )
    t = w = 0
    for unit in units:
        if unit.pk == hall_unit.pk:
            continue
        if unit.kind == UnitKind.TOWNSHIP:
            t += 1
            site, created = _site(
                county,
                unit,
                unit.name,
                SiteKind.TOWNSHIP,
                location=unit.address or f"{unit.name}政府机房",
                note=LAB_NOTE,
            )
            new_sites += created
            new_probes += _probe(
                site, ProbeKind.ICMP, host=f"10.20.{t}.1", name="乡镇汇聚路由", enabled=False
            )
            new_probes += _probe(
                site, ProbeKind.HTTP, url=f"http://10.20.{t}.1/", name="乡镇便民服务站", enabled=False
            )
            continue
        w += 1
        if unit.short_name == "信息化中心":
            site, created = _site(county, unit, unit.name, SiteKind.UNIT, location="县政府大楼三楼")
            new_sites += created
            new_probes += _probe(site, ProbeKind.TCP, host="127.0.0.1", port=6379, name="Redis")
            new_probes += _probe(site, ProbeKind.TCP, host="127.0.0.1", port=5432, name="PostgreSQL")
            continue
        site, created = _site(county, unit, unit.name, SiteKind.UNIT, note=LAB_NOTE)
        new_sites += created
        new_probes += _probe(
            site, ProbeKind.TCP, host=f"10.10.{w}.1", port=443, name="单位出口", enabled=False
        )
    total = Site.objects.filter(county=county).count()
    return _(
        "网络监测：%(total)d 个站点（本次新增站点 %(sites)d 个、探测 %(probes)d 项；规划中的内网地址未启用）"
    ) % {
        "total": total,
        "sites": new_sites,
        "probes": new_probes,
    }
