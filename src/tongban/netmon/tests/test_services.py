"""Probe states with thresholds, site transitions, incidents, notifications (down and recovery,
exactly once, only to the network administrators), uptime computed by hand, retention, and the
scheduled run against endpoints the test starts on loopback."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tongban.netmon import selectors, services
from tongban.netmon.checks import Outcome
from tongban.netmon.models import Incident, Probe, ProbeResult, Rollup, Site, SiteEvent, Status
from tongban.netmon.testing import World, build_world, free_port, http_server, tcp_listener
from tongban.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

OK = Outcome(True, 5.0)
SLOW = Outcome(True, 900.0)
FAIL = Outcome(False, None, "Connection refused")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())


def _site(w: World, **probe: object) -> tuple[Site, Probe]:
    site = services.site_save(actor=w.users["wangguan"], county=w.county, data={"unit_id": w.units["qsz"].pk})
    fields: dict[str, object] = {
        "kind": "tcp",
        "host": "127.0.0.1",
        "port": 9,
        "fail_threshold": 3,
        "rise_threshold": 2,
    }
    fields.update(probe)
    p = services.probe_save(actor=w.users["wangguan"], site=site, data=fields)
    return site, p


def _feed(p: Probe, outcomes: list[Outcome], start: datetime = T0, step: int = 60) -> datetime:
    at = start
    for o in outcomes:
        p.refresh_from_db()
        services.record_results([(p, o)], at=at)
        at += timedelta(seconds=step)
    return at


def _notes(code: str) -> list[Notification]:
    return list(Notification.objects.filter(event=code).order_by("id"))


def test_thresholds_transitions_incident_and_notifications_exactly_once() -> None:
    w = build_world()
    site, p = _site(w)
    assert site.status == Status.UNKNOWN

    _feed(p, [OK], T0)  # unknown → up: no notification
    site.refresh_from_db()
    assert site.status == Status.UP and not _notes("netmon.site_down") and not _notes("netmon.site_up")

    # two failures stay up (threshold 3), the third is down
    _feed(p, [FAIL, FAIL], T0 + timedelta(minutes=1))
    site.refresh_from_db()
    assert site.status == Status.UP
    _feed(p, [FAIL], T0 + timedelta(minutes=3))
    site.refresh_from_db()
    assert site.status == Status.DOWN and site.status_since == T0 + timedelta(minutes=3)
    downs = _notes("netmon.site_down")
    assert [n.user.username for n in downs] == ["wangguan"]  # not the clerk, not the sysadmin
    assert "青山镇" in downs[0].title and downs[0].url.endswith(f"/netmon/sites/{site.pk}/")
    assert Delivery.objects.filter(notification=downs[0], channel="sms").count() == 1

    # more failures: still down, nothing new
    _feed(p, [FAIL, FAIL, FAIL], T0 + timedelta(minutes=4))
    assert len(_notes("netmon.site_down")) == 1
    # recovery needs two successes (rise_threshold 2)
    _feed(p, [OK], T0 + timedelta(minutes=7))
    site.refresh_from_db()
    assert site.status == Status.DOWN and not _notes("netmon.site_up")
    _feed(p, [OK, OK, OK], T0 + timedelta(minutes=8))
    site.refresh_from_db()
    assert site.status == Status.UP and site.status_since == T0 + timedelta(minutes=8)
    assert [n.user.username for n in _notes("netmon.site_up")] == ["wangguan"]
    assert len(_notes("netmon.site_down")) == 1

    incident = Incident.objects.get(site=site)
    assert incident.started_at == T0 + timedelta(minutes=3)
    assert incident.ended_at == T0 + timedelta(minutes=8)
    rows = selectors.incidents(site)
    assert rows[0].duration == timedelta(minutes=5) and rows[0].duration_label == "5分0秒"
    assert [(e.old, e.new) for e in SiteEvent.objects.filter(site=site).order_by("at")] == [
        ("unknown", "up"),
        ("up", "down"),
        ("down", "up"),
    ]
    assert ProbeResult.objects.filter(probe=p).count() == 11


def test_unknown_to_down_opens_an_incident_but_tells_nobody() -> None:
    w = build_world()
    site, p = _site(w, fail_threshold=2, rise_threshold=1)
    _feed(p, [FAIL, FAIL, FAIL])
    site.refresh_from_db()
    assert site.status == Status.DOWN
    assert Incident.objects.filter(site=site, ended_at__isnull=True, notified=False).count() == 1
    _feed(p, [OK], T0 + timedelta(minutes=5))
    site.refresh_from_db()
    assert site.status == Status.UP
    assert not Notification.objects.filter(event__startswith="netmon.").exists()


def test_degraded_by_latency_and_by_a_mix_of_probes() -> None:
    w = build_world()
    site, p = _site(w, degraded_ms=500, fail_threshold=1)
    _feed(p, [SLOW])
    site.refresh_from_db()
    assert site.status == Status.DEGRADED
    _feed(p, [OK], T0 + timedelta(minutes=1))
    site.refresh_from_db()
    assert site.status == Status.UP
    q = services.probe_save(
        actor=w.users["wangguan"], site=site, data={"kind": "icmp", "host": "127.0.0.1", "fail_threshold": 1}
    )
    _feed(q, [FAIL], T0 + timedelta(minutes=2))
    site.refresh_from_db()
    assert site.status == Status.DEGRADED  # one probe up, one down
    assert services.site_status_of(["down", "down"]) == "down"
    assert services.site_status_of(["unknown", "up"]) == "up"
    assert services.site_status_of(["unknown"]) == "unknown"
    assert services.site_status_of([]) == "unknown"


def test_disabling_a_site_closes_its_incident_quietly() -> None:
    w = build_world()
    site, p = _site(w, fail_threshold=1)
    _feed(p, [OK, FAIL])
    assert len(_notes("netmon.site_down")) == 1
    services.site_save(actor=w.users["wangguan"], county=w.county, data={"enabled": False}, site=site)
    site.refresh_from_db()
    assert site.status == Status.UNKNOWN
    assert Incident.objects.get(site=site).ended_at is not None
    assert not _notes("netmon.site_up")


def test_uptime_by_hand() -> None:
    """now = 2026-03-20 10:30. Last 24 h: 3 ok + 1 failed → 75 %; 3 days ago 1 ok + 1 failed → 7 d
    = 4/6 = 66.67 %; 20 days ago 2 ok → 30 d = 6/8 = 75 %; 40 days ago is outside every window."""
    w = build_world()
    site, p = _site(w, fail_threshold=5)
    now = datetime(2026, 3, 20, 10, 30, tzinfo=timezone.get_current_timezone())
    _feed(p, [OK, OK, OK, FAIL], now - timedelta(minutes=20), step=5)
    _feed(p, [OK, FAIL], now - timedelta(days=3), step=60)
    _feed(p, [OK, OK], now - timedelta(days=20), step=60)
    _feed(p, [FAIL, FAIL, FAIL], now - timedelta(days=40), step=60)
    up = selectors.uptime_map([site.pk], now=now)[site.pk]
    assert up == {"24h": 75.0, "7d": 66.67, "30d": 75.0}
    hourly = Rollup.objects.get(site=site, hourly=True, start=now.replace(minute=0))
    assert (hourly.checks, hourly.ok, hourly.latency_count, hourly.latency_sum, hourly.latency_max) == (
        4,
        3,
        3,
        15.0,
        5.0,
    )
    # a site never checked has no uptime at all
    other = services.site_save(
        actor=w.users["wangguan"], county=w.county, data={"unit_id": w.units["smx"].pk}
    )
    assert selectors.uptime_map([other.pk], now=now) == {}


def test_retention_purges_raw_results_and_old_rollups(settings: object) -> None:
    settings.TONGBAN_NETMON_RAW_DAYS = 14  # type: ignore[attr-defined]
    w = build_world()
    _s, p = _site(w)
    now = timezone.now()
    _feed(p, [OK], now - timedelta(days=15))
    _feed(p, [OK], now - timedelta(days=100))
    _feed(p, [OK], now - timedelta(hours=1))
    services.purge(now=now)
    assert ProbeResult.objects.count() == 1
    assert Rollup.objects.filter(hourly=True).count() == 2  # 1 h and 15 d ago; 100 d purged
    assert Rollup.objects.filter(hourly=False).count() == 3  # daily kept three years


def test_run_due_probes_loopback_endpoints_concurrently_each_at_its_interval() -> None:
    w = build_world()
    site = services.site_save(
        actor=w.users["wangguan"], county=w.county, data={"unit_id": w.units["xxzx"].pk}
    )
    with tcp_listener() as port, http_server() as base:
        tcp = services.probe_save(
            actor=w.users["wangguan"], site=site, data={"kind": "tcp", "host": "127.0.0.1", "port": port}
        )
        ok = services.probe_save(
            actor=w.users["wangguan"],
            site=site,
            data={"kind": "http", "url": f"{base}/ok", "interval_seconds": 300},
        )
        bad = services.probe_save(
            actor=w.users["wangguan"],
            site=site,
            data={"kind": "http", "url": f"{base}/fail", "fail_threshold": 1},
        )
        closed = services.probe_save(
            actor=w.users["wangguan"],
            site=site,
            data={"kind": "tcp", "host": "127.0.0.1", "port": free_port(), "fail_threshold": 1},
        )
        now = timezone.now()
        report = services.run_due(now=now)
        assert (report.probes, report.failures) == (4, 2)
        states = {x.pk: x.state for x in Probe.objects.all()}
        assert states == {tcp.pk: "up", ok.pk: "up", bad.pk: "down", closed.pk: "down"}
        site.refresh_from_db()
        assert site.status == Status.DEGRADED and site.last_latency_ms is not None
        # a minute later only the 60 s probes are due; the 300 s one waits
        again = services.run_due(now=now + timedelta(seconds=60))
        assert again.probes == 3
        assert ProbeResult.objects.filter(probe=ok).count() == 1
        assert services.run_due(now=now + timedelta(seconds=301)).probes == 4


def test_probe_now_runs_every_enabled_probe_of_the_site() -> None:
    w = build_world()
    site = services.site_save(
        actor=w.users["wangguan"], county=w.county, data={"unit_id": w.units["xxzx"].pk}
    )
    with tcp_listener() as port:
        services.probe_save(
            actor=w.users["wangguan"], site=site, data={"kind": "tcp", "host": "127.0.0.1", "port": port}
        )
        services.probe_save(
            actor=w.users["wangguan"],
            site=site,
            data={"kind": "tcp", "host": "127.0.0.1", "port": 1, "enabled": False},
        )
        report = services.probe_now(actor=w.users["wangguan"], site=site)
    assert (report.probes, report.failures) == (1, 0)
    site.refresh_from_db()
    assert site.status == Status.UP


def test_bad_probe_input_changes_nothing() -> None:
    from tongban.core.errors import TongbanError

    w = build_world()
    site = services.site_save(
        actor=w.users["wangguan"], county=w.county, data={"unit_id": w.units["xxzx"].pk}
    )
    cases: list[dict[str, object]] = [
        {"kind": "tcp", "host": "127.0.0.1"},  # no port
        {"kind": "tcp", "host": "127.0.0.1", "port": 70000},
        {"kind": "icmp", "host": "8.8.8.8"},  # outside the allowed networks (tests: loopback)
        {"kind": "http", "url": "ftp://127.0.0.1/"},
        {"kind": "tcp", "host": "127.0.0.1", "port": 80, "interval_seconds": 5},
        {"kind": "tcp", "host": "127.0.0.1", "port": 80, "timeout_seconds": 60},
        {"kind": "tcp", "host": "127.0.0.1", "port": 80, "fail_threshold": 0},
        {"kind": "ping", "host": "127.0.0.1"},
        {"kind": "tcp", "host": "127.0.0.1", "port": 80, "name": "a\x00b"},
    ]
    for data in cases:
        with pytest.raises(TongbanError):
            services.probe_save(actor=w.users["wangguan"], site=site, data=data)
    assert Probe.objects.count() == 0
