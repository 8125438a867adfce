"""The schedules API (/api/v1/schedules/): the leaders and weeks a caller may see, entries kept by
hand (clash warning in the answer), the county table and publishing; refused callers get
401/403/404 with a code and nothing changes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tongban.identity.models import User
from tongban.meetings import schedules
from tongban.meetings.models import ScheduleEntry, SchedulePublication, ScheduleVisibility
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.meetings.tests.test_schedules import at

pytestmark = pytest.mark.django_db
API = "/api/v1/schedules/"


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


def _c(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def _send(c: Client, method: str, path: str, body: Any = None) -> Any:
    fn = getattr(c, method)
    return fn(API + path, json.dumps(body) if body is not None else "", content_type="application/json")


def _body(w: MeetingsWorld, leader: str = "county_head", **kw: Any) -> dict[str, Any]:
    return {
        "leader_id": w.users[leader].pk,
        "starts_at": "2026-12-01T09:00:00+08:00",
        "ends_at": "2026-12-01T11:00:00+08:00",
        "title": "到青山镇调研",
        "place": "青山镇",
        "visibility": "public",
        **kw,
    }


def test_leaders_by_caller(w: MeetingsWorld) -> None:
    r = _c("scheduler").get(API + "leaders")
    assert r.status_code == 200
    assert [(x["name"], x["title"], x["can_keep"]) for x in r.json()] == [
        ("李县长", "县长", True),
        ("王副县长", "副县长", True),
    ]
    assert [(x["name"], x["can_keep"]) for x in _c("deputy").get(API + "leaders").json()] == [
        ("李县长", False),
        ("王副县长", True),
    ]
    assert [x["name"] for x in _c("secretary").get(API + "leaders").json()] == ["李县长"]
    assert _c("scj_staff").get(API + "leaders").json() == []
    assert Client().get(API + "leaders").status_code == 401


def test_week(w: MeetingsWorld) -> None:
    ScheduleEntry.objects.create(
        county=w.county, leader=w.users["county_head"], starts_at=at(0, 19), ends_at=at(0, 21), title="夜查"
    )
    ScheduleEntry.objects.create(
        county=w.county,
        leader=w.users["county_head"],
        starts_at=at(1, 9),
        ends_at=at(1, 10),
        title="私事",
        visibility=ScheduleVisibility.PRIVATE,
    )
    url = f"leaders/{w.users['county_head'].pk}/week?week=2026-12-02"
    r = _c("secretary").get(API + url)
    assert r.status_code == 200
    data = r.json()
    assert data["week_start"] == "2026-11-30" and data["label"] == "2026年11月30日—12月6日"
    assert [(i["title"], i["slot"]) for i in data["days"][0]["items"]] == [("夜查", "evening")]
    assert [i["title"] for i in data["days"][1]["items"]] == ["私事"]
    assert _c("deputy").get(API + url).json()["days"][1]["items"] == []  # private: not for other leaders
    for key in ("scj_staff", "outsider"):
        r = _c(key).get(API + url)
        assert r.status_code == 404 and r.json()["code"] == "schedules.leader_not_found"


def test_create_update_delete(w: MeetingsWorld) -> None:
    c = _c("secretary")
    r = _send(c, "post", "entries", _body(w))
    assert r.status_code == 201, r.content
    first = r.json()["entry"]
    assert r.json()["warning"] == "" and first["visibility"] == "public"
    r = _send(c, "post", "entries", _body(w, title="接待", starts_at="2026-12-01T10:30:00+08:00"))
    assert r.status_code == 201 and "时间重叠" in r.json()["warning"]
    assert [x["id"] for x in r.json()["clashes"]] == [first["id"]]
    r = _send(c, "patch", f"entries/{first['id']}", {"place": "青山镇政府"})
    assert r.status_code == 200 and r.json()["entry"]["place"] == "青山镇政府"
    assert r.json()["entry"]["title"] == "到青山镇调研"
    r = _send(c, "patch", f"entries/{first['id']}", {"ends_at": "2026-12-01T08:00:00+08:00"})
    assert r.status_code == 400 and r.json()["detail"] == "结束时间必须晚于开始时间。"
    assert ScheduleEntry.objects.get(pk=first["id"]).ends_at.hour == 3  # 11:00 +08:00 in UTC, unchanged
    assert _send(c, "delete", f"entries/{first['id']}").status_code == 204
    assert not ScheduleEntry.objects.filter(pk=first["id"]).exists()


def test_refused_callers_change_nothing(w: MeetingsWorld) -> None:
    e = ScheduleEntry.objects.create(
        county=w.county, leader=w.users["county_head"], starts_at=at(1, 9), ends_at=at(1, 10), title="原"
    )
    cases = [("deputy", 403, "schedules.not_keeper"), ("scj_staff", 404, None), ("outsider", 404, None)]
    for key, status, code in cases:
        c = _c(key)
        r = _send(c, "post", "entries", _body(w))
        assert r.status_code == (404 if status == 404 else 403), key
        if code:
            assert r.json()["code"] == code
        assert _send(c, "patch", f"entries/{e.pk}", {"title": "改"}).status_code == status, key
        assert _send(c, "delete", f"entries/{e.pk}").status_code == status, key
    assert _send(_c("secretary"), "post", "entries", _body(w, "deputy")).status_code == 404
    assert _send(Client(), "post", "entries", _body(w)).status_code == 401
    assert ScheduleEntry.objects.count() == 1 and ScheduleEntry.objects.get().title == "原"


def test_meeting_entry_only_visibility(w: MeetingsWorld) -> None:
    m = make_meeting(w, starts_at=at(1, 9))
    schedules.sync_meeting(m)
    e = ScheduleEntry.objects.get(meeting=m)
    c = _c("scheduler")
    r = _send(c, "patch", f"entries/{e.pk}", {"title": "改"})
    assert r.status_code == 400 and r.json()["code"] == "schedules.meeting_entry"
    assert _send(c, "patch", f"entries/{e.pk}", {"visibility": "public"}).status_code == 200
    assert _send(c, "delete", f"entries/{e.pk}").status_code == 400
    e.refresh_from_db()
    assert (e.title, e.visibility) == (m.title, "public")


def test_county_table(w: MeetingsWorld) -> None:
    ScheduleEntry.objects.create(
        county=w.county, leader=w.users["deputy"], starts_at=at(2, 9), ends_at=at(2, 10), title="督导"
    )
    r = _c("scheduler").get(API + "county?week=2026-11-30")
    assert r.status_code == 200
    data = r.json()
    assert data["title"] == "青山县领导周活动安排（2026年11月30日—12月6日）"
    assert [row["name"] for row in data["rows"]] == ["李县长", "王副县长"]
    assert [i["title"] for i in data["rows"][1]["cells"][2]["am"]] == ["督导"]
    assert _c("scj_staff").get(API + "county").status_code == 403
    assert _c("scheduler").get(API + "county?county_id=999999").status_code == 404


def test_publish_refused_for_others(w: MeetingsWorld) -> None:
    for key in ("deputy", "secretary", "scj_staff"):
        r = _send(_c(key), "post", "county/publish", {"week": "2026-11-30"})
        assert r.status_code == 403, key
    assert not SchedulePublication.objects.exists()
    assert at(0, 0) + timedelta(days=7) == at(7, 0)
