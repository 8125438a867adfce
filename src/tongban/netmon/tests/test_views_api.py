"""Pages and API: who may see and change what (refused roles get 403/404 and nothing changes),
the register forms, probe-now, and the overview's fixed number of queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongban.netmon import services
from tongban.netmon.models import Probe, Site, Status
from tongban.netmon.testing import World, build_world, tcp_listener

pytestmark = pytest.mark.django_db

API = "/api/v1/netmon/"


def _client(w: World, key: str | None) -> Client:
    c = Client()
    if key:
        c.force_login(w.users[key])
    return c


def _world_with_site() -> tuple[World, Site, Probe]:
    w = build_world()
    site = services.site_save(actor=w.users["wangguan"], county=w.county, data={"unit_id": w.units["qsz"].pk})
    probe = services.probe_save(
        actor=w.users["wangguan"], site=site, data={"kind": "tcp", "host": "127.0.0.1", "port": 9}
    )
    return w, site, probe


def _pages(site: Site, probe: Probe) -> list[str]:
    return [
        reverse("netmon:index"),
        reverse("netmon:site", args=[site.pk]),
        reverse("netmon:site_new"),
        reverse("netmon:site_edit", args=[site.pk]),
        reverse("netmon:probe_new", args=[site.pk]),
        reverse("netmon:probe_edit", args=[probe.pk]),
    ]


@pytest.mark.parametrize("key", ["wangguan", "sysadmin"])
def test_network_admin_and_sysadmin_see_every_page(key: str) -> None:
    w, site, probe = _world_with_site()
    c = _client(w, key)
    for url in _pages(site, probe):
        r = c.get(url)
        assert r.status_code == 200, url
    r = c.get(reverse("netmon:index"))
    html = r.content.decode()
    assert "青山镇人民政府" in html and 'id="nm-map"' in html and 'id="nm-data"' in html
    assert c.get(reverse("netmon:index") + "?status=down").content.decode().count('data-site="') == 0
    assert c.get(reverse("netmon:index") + "?kind=township").content.decode().count('data-site="') == 1


@pytest.mark.parametrize("key", ["clerk", "secadmin"])
def test_refused_roles_get_403_on_pages_and_change_nothing(key: str) -> None:
    w, site, probe = _world_with_site()
    c = _client(w, key)
    for url in _pages(site, probe):
        assert c.get(url).status_code == 403, url
    before = (Site.objects.count(), Probe.objects.count(), Probe.objects.get().port)
    assert (
        c.post(
            reverse("netmon:site_new"), {"unit_id": w.units["smx"].pk, "kind": "township", "sort": 0}
        ).status_code
        == 403
    )
    assert (
        c.post(
            reverse("netmon:probe_edit", args=[probe.pk]), {"kind": "tcp", "host": "127.0.0.1", "port": 80}
        ).status_code
        == 403
    )
    assert c.post(reverse("netmon:probe_delete", args=[probe.pk])).status_code == 403
    assert c.post(reverse("netmon:probe_now", args=[site.pk])).status_code == 403
    assert (Site.objects.count(), Probe.objects.count(), Probe.objects.get().port) == before
    assert Probe.objects.get().last_checked_at is None


def test_anonymous_is_sent_to_login() -> None:
    _w, _site, _probe = _world_with_site()
    r = Client().get(reverse("netmon:index"))
    assert r.status_code == 302 and "/login" in r["Location"]
    assert Client().get(API + "sites").status_code == 401


def test_nav_entry_for_network_admin_and_sysadmin_only() -> None:
    from tongban.core import nav

    w = build_world()
    for key, shown in (("wangguan", True), ("sysadmin", True), ("clerk", False), ("secadmin", False)):
        keys = [i["key"] for i in nav.items_for(w.users[key])]
        assert ("netmon" in keys) is shown, key


def test_register_site_and_probe_through_the_pages() -> None:
    w = build_world()
    c = _client(w, "wangguan")
    r = c.post(
        reverse("netmon:site_new"),
        {
            "unit_id": w.units["smx"].pk,
            "name": "",
            "kind": "township",
            "location": "石门乡政府二楼",
            "sort": 5,
            "enabled": "on",
        },
    )
    site = Site.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("netmon:site", args=[site.pk])
    assert site.name == "石门乡人民政府" and site.location == "石门乡政府二楼"
    # bad host: the form shows the service's message on the field, nothing saved
    r = c.post(
        reverse("netmon:probe_new", args=[site.pk]),
        {
            "kind": "icmp",
            "host": "8.8.8.8",
            "expected_status": 200,
            "interval_seconds": 60,
            "timeout_seconds": 2,
            "fail_threshold": 3,
            "rise_threshold": 1,
        },
    )
    assert r.status_code == 200 and "允许探测" in r.content.decode() and not Probe.objects.exists()
    with tcp_listener() as port:
        r = c.post(
            reverse("netmon:probe_new", args=[site.pk]),
            {
                "kind": "tcp",
                "host": "127.0.0.1",
                "port": port,
                "expected_status": 200,
                "interval_seconds": 60,
                "timeout_seconds": 2,
                "fail_threshold": 3,
                "rise_threshold": 1,
                "enabled": "on",
            },
        )
        assert r.status_code == 302
        r = c.post(reverse("netmon:probe_now", args=[site.pk]), follow=True)
    assert "已探测 1 项，失败 0 项" in r.content.decode()
    site.refresh_from_db()
    assert site.status == Status.UP
    probe = Probe.objects.get()
    r = c.post(reverse("netmon:probe_delete", args=[probe.pk]))
    assert r.status_code == 302 and not Probe.objects.exists()


def test_api_read_and_crud_for_the_network_admin() -> None:
    w = build_world()
    c = _client(w, "wangguan")
    r = c.post(
        API + "sites",
        {"unit_id": w.units["xxzx"].pk, "location": "三楼机房"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    site_id = r.json()["id"]
    assert r.json()["status"] == "unknown" and r.json()["probes"] == []
    with tcp_listener() as port:
        r = c.post(
            API + f"sites/{site_id}/probes",
            {"kind": "tcp", "host": "127.0.0.1", "port": port, "fail_threshold": 2},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        probe_id = r.json()["id"]
        assert r.json()["target"] == f"127.0.0.1:{port}"
        r = c.post(API + f"sites/{site_id}/probe-now")
        assert r.status_code == 200 and r.json()["site"]["status"] == "up" and r.json()["probes"] == 1
    r = c.get(API + "sites")
    assert (
        r.status_code == 200 and r.json()["counts"]["up"] == 1 and r.json()["sites"][0]["uptime_24h"] == 100.0
    )
    assert c.get(API + "sites?status=down").json()["sites"] == []
    assert c.get(API + "sites?status=bogus").status_code == 422
    assert c.get(API + f"sites/{site_id}").json()["probes"][0]["state"] == "up"
    hist = c.get(API + f"sites/{site_id}/history?range=24h").json()
    assert len(hist["results"]) == 1 and hist["buckets"][0]["checks"] == 1
    assert c.get(API + f"sites/{site_id}/history?range=30d").json()["hourly"] is False
    assert c.get(API + f"sites/{site_id}/incidents").json() == []
    r = c.patch(API + f"probes/{probe_id}", {"enabled": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["state"] == "unknown"
    r = c.patch(API + f"sites/{site_id}", {"enabled": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert c.post(API + f"sites/{site_id}/probe-now").status_code == 400
    r = c.post(
        API + f"sites/{site_id}/probes",
        {"kind": "http", "url": "http://203.0.113.5/"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "netmon.host_not_allowed"
    assert c.delete(API + f"probes/{probe_id}").status_code == 204
    assert c.get(API + f"probes/{probe_id}").status_code == 404
    assert c.get(API + "sites/99999999999999999999").status_code in (404, 422)


@pytest.mark.parametrize("key", ["clerk", "secadmin"])
def test_api_refuses_other_roles_and_changes_nothing(key: str) -> None:
    w, site, probe = _world_with_site()
    c = _client(w, key)
    for url in (
        "sites",
        f"sites/{site.pk}",
        f"sites/{site.pk}/history",
        f"sites/{site.pk}/incidents",
        f"probes/{probe.pk}",
    ):
        assert c.get(API + url).status_code == 403, url
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("post", "sites", {"unit_id": w.units["smx"].pk}),
        ("patch", f"sites/{site.pk}", {"enabled": False}),
        ("post", f"sites/{site.pk}/probes", {"kind": "tcp", "host": "127.0.0.1", "port": 80}),
        ("patch", f"probes/{probe.pk}", {"port": 80}),
        ("delete", f"probes/{probe.pk}", {}),
        ("post", f"sites/{site.pk}/probe-now", {}),
    ]
    for method, url, body in calls:
        r = getattr(c, method)(API + url, json.dumps(body), content_type="application/json")
        assert r.status_code == 403, (method, url)
    site.refresh_from_db()
    assert Site.objects.count() == 1 and site.enabled and Probe.objects.get().port == 9
    assert Probe.objects.get().last_checked_at is None


def test_other_countys_sites_are_404() -> None:
    _w, site, probe = _world_with_site()
    other = build_world(code="990072", prefix="o")
    c = _client(other, "wangguan")
    assert c.get(API + f"sites/{site.pk}").status_code == 404
    assert c.get(API + f"probes/{probe.pk}").status_code == 404
    assert (
        c.patch(API + f"probes/{probe.pk}", {"port": 80}, content_type="application/json").status_code == 404
    )
    assert c.get(reverse("netmon:site", args=[site.pk])).status_code == 404
    assert c.get(API + "sites").json()["sites"] == []
    assert Probe.objects.get().port == 9


def _overview_queries(w: World, n_sites: int, django_assert_max_num_queries: Any, limit: int) -> None:
    units = list(w.units.values())
    for i in range(n_sites - Site.objects.count()):
        site = Site.objects.create(county=w.county, unit=units[i % len(units)], name=f"站点{i}")
        Probe.objects.create(county=w.county, site=site, kind="tcp", host="127.0.0.1", port=9)
    c = _client(w, "wangguan")
    with django_assert_max_num_queries(limit):
        assert c.get(reverse("netmon:index")).status_code == 200
    with django_assert_max_num_queries(limit):
        assert c.get(API + "sites").status_code == 200


def test_overview_query_count_does_not_grow_with_the_sites(django_assert_max_num_queries: Any) -> None:
    w, _site, probe = _world_with_site()
    services.record_results([(probe, services.checks.Outcome(True, 3.0))])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _client(w, "wangguan")
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("netmon:index"))
    _overview_queries(w, 60, django_assert_max_num_queries, len(few.captured_queries))
    mine = [q["sql"] for q in few.captured_queries if "netmon_" in q["sql"]]
    assert len(mine) == 3  # the sites with their units, the hourly and the daily roll-ups
