"""The demo hook registers every active unit and township as a site, honest about the demo machine
(lab addresses disabled, loopback services live), sends nothing, and is idempotent."""

from __future__ import annotations

import pytest

from tongban.core.demo import DemoContext
from tongban.netmon import demo, services
from tongban.netmon.models import Probe, Site, SiteKind
from tongban.netmon.testing import build_world
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_registers_every_unit_and_is_idempotent() -> None:
    w = build_world()
    ctx = DemoContext(usernames=[])
    line = demo.seed(ctx)
    assert line.startswith("网络监测：5 个站点")
    assert Site.objects.count() == len(w.units)
    hall = Site.objects.get(kind=SiteKind.HALL)
    assert hall.unit == w.units["zf"]
    assert {p.kind for p in Probe.objects.filter(site=hall)} == {"http", "icmp"}
    assert Probe.objects.get(site=hall, kind="http").url.endswith("/healthz")
    xxzx = Site.objects.get(unit=w.units["xxzx"])
    ports = set(Probe.objects.filter(site=xxzx, enabled=True).values_list("port", flat=True))
    assert ports == {5432, 6379}
    towns = Site.objects.filter(kind=SiteKind.TOWNSHIP)
    assert towns.count() == 2
    lab = Probe.objects.filter(site__in=towns)
    assert lab.count() == 4 and not lab.filter(enabled=True).exists()
    assert set(lab.filter(kind="icmp").values_list("host", flat=True)) == {"10.20.1.1", "10.20.2.1"}
    counts = (Site.objects.count(), Probe.objects.count())
    assert demo.seed(ctx).startswith("网络监测：5 个站点（本次新增站点 0 个、探测 0 项")
    assert (Site.objects.count(), Probe.objects.count()) == counts
    # the scheduled run only touches loopback and tells nobody anything at demo start
    report = services.run_due()
    assert report.probes == Probe.objects.filter(enabled=True).count()
    assert not Notification.objects.filter(event__startswith="netmon.").exists()
