"""/api/v1/stats/ endpoints of the dashboards: the same figures and the same permissions as the
pages; refused callers get 403/404/422 and nothing changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from tongban.core.clock import moved_to
from tongban.notify.models import Notification
from tongban.stats import testing_dash as t
from tongban.stats.models import ChangelogEntry, EffectCosts, Feedback, FeedbackStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 31)
API = "/api/v1/stats/"


@pytest.fixture
def w() -> t.DashWorld:
    w = t.build_world()
    d = date(2026, 3, 1)
    while d <= TODAY:
        wd = d.weekday() < 5
        t.unit_day(
            w.units["czj"],
            d,
            staff=10,
            active_users=8 if wd else 1,
            docs_sent=1,
            copies_sent=5,
            pages_sent=20,
        )
        t.unit_day(w.units["cgz"], d, staff=20, active_users=10 if wd else 0)
        d += timedelta(days=1)
    t.snapshot()
    return w


def client(w: t.DashWorld, username: str) -> Client:
    c = Client()
    c.force_login(w.users[username])
    return c


def test_dashboards(w: t.DashWorld) -> None:
    k = client(w, "kaohe")
    with moved_to(TODAY):
        ov = k.get(API + "overview").json()
        assert ov["scope"] == "county" and ov["figures"]["cases_by_light"]["red"] == 4
        assert ov["top"][0]["name"] == "财政局" and ov["effect"] is None
        scr = k.get(API + "overview?include_effect=true").json()
        # this year so far: 31 × 20 pages, 31 × 5 copies → 620 × 0.15 + 155 × 2 = 403
        assert scr["effect"]["total"]["pages"] == 620 and scr["effect"]["total"]["cost"] == 403.0
        units = k.get(API + "units?period=2026-03").json()
        assert units["workdays"] == 22 and units["rows"][0]["active_rate"] == 84.1
        assert k.get(API + "units?period=bogus").status_code == 422
        assert k.get(API + "units?group=bogus").status_code == 422
        tr = k.get(API + "trends?days=30").json()
        assert (
            len(tr["rows"]) == 30
            and tr["rows"][0]["day"] == "2026-03-02"
            and tr["rows"][0]["active_users"] == 18
        )
        assert k.get(API + "trends?days=8").status_code == 422
        eff = k.get(API + "effect?period=2026-03").json()
        assert eff["by_month"][0]["cost"] == 403.0 and "费用节约" in eff["formula"]
        ul = client(w, "unitleader")
        mine = ul.get(API + "overview").json()
        assert (
            mine["scope"] == "unit"
            and mine["unit_name"] == "财政局"
            and mine["figures"]["active_users_today"] == 8
        )
        assert ul.get(API + f"overview?unit={w.units['cgz'].pk}").status_code == 403
        assert ul.get(API + "overview?unit=999999").status_code == 404
        assert ul.get(API + "overview?include_effect=true").status_code == 403
        for path in ("units", "effect", "effect/costs"):
            assert ul.get(API + path).status_code == 403, path
        clerk = client(w, "czclerk")
        for path in ("overview", "trends", "units", "effect", "feedback/manage"):
            assert clerk.get(API + path).status_code == 403, path
        assert Client().get(API + "overview").status_code == 401


def test_costs_api(w: t.DashWorld) -> None:
    k = client(w, "kaohe")
    r = k.put(
        API + "effect/costs",
        {"paper_per_page": "0.08", "delivery_per_copy": "3"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["paper_per_page"] == 0.08 and r.json()["print_per_page"] == 0.1
    before = list(EffectCosts.objects.values())
    assert (
        k.put(API + "effect/costs", {"paper_per_page": "x"}, content_type="application/json").status_code
        == 400
    )
    for user in ("countyleader", "czclerk"):
        r = client(w, user).put(
            API + "effect/costs", {"paper_per_page": "1"}, content_type="application/json"
        )
        assert r.status_code == 403
    assert list(EffectCosts.objects.values()) == before


def test_feedback_and_changelog_api(w: t.DashWorld) -> None:
    clerk = client(w, "czclerk")
    r = clerk.post(API + "feedback", {"kind": "bug", "title": "打不开", "body": "点了没反应", "page_url": "https://evil.example/"},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "stats.bad_page" and not Feedback.objects.exists()
    assert clerk.post(API + "feedback", {"title": "x"}, content_type="application/json").status_code == 422
    r = clerk.post(API + "feedback", {"kind": "bug", "title": "打不开", "body": "点了没反应", "page_url": "/notices/"},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["page_url"] == "/notices/" and r.json()["unit"] == "财政局"
    fid = r.json()["id"]
    assert [f["id"] for f in clerk.get(API + "feedback").json()] == [fid]
    other = client(w, "handler")
    assert other.get(API + f"feedback/{fid}").status_code == 404 and other.get(API + "feedback").json() == []
    r = other.post(
        API + f"feedback/{fid}/answer", {"status": "done", "answer": "x"}, content_type="application/json"
    )
    assert r.status_code == 403 and Feedback.objects.get().status == FeedbackStatus.NEW
    k = client(w, "kaohe")
    assert [f["id"] for f in k.get(API + "feedback/manage?status=new").json()] == [fid]
    assert k.get(API + "feedback/manage?status=zzz").status_code == 400
    r = k.post(API + "changelog", {"title": "通知页面修复", "body": "修复了通知页面。", "released_on": "2026-03-30",
               "published": True, "feedback_ids": [fid]}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["feedback_ids"] == [fid]
    eid = r.json()["id"]
    r = k.post(API + f"feedback/{fid}/answer", {"status": "done", "answer": "已修复。", "changelog_id": eid},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["changelog_id"] == eid
    assert Notification.objects.filter(user=w.users["czclerk"], event="stats.feedback_answered").count() == 1
    assert [e["id"] for e in clerk.get(API + "changelog").json()] == [eid]
    assert clerk.get(API + "changelog?drafts=true").status_code == 403
    assert clerk.post(API + "changelog", {"title": "x", "body": "y", "released_on": "2026-03-30"},
                      content_type="application/json").status_code == 403  # fmt: skip
    assert clerk.delete(API + f"changelog/{eid}").status_code == 403
    r = k.put(API + f"changelog/{eid}", {"title": "通知页面修复", "body": "改", "released_on": "2026-03-30", "published": False},
              content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and not r.json()["published"]
    assert (
        clerk.get(API + f"changelog/{eid}").status_code == 404 and clerk.get(API + "changelog").json() == []
    )
    assert k.get(API + f"changelog/{eid}").status_code == 200
    assert k.delete(API + f"changelog/{eid}").status_code == 204 and not ChangelogEntry.objects.exists()
    assert k.delete(API + f"changelog/{eid}").status_code == 404


def test_fuzz_shaped_input_is_refused_cleanly(w: t.DashWorld) -> None:
    k = client(w, "kaohe")
    huge = 2**63 + 5
    assert k.get(API + f"overview?unit={huge}").status_code == 404
    assert k.get(API + f"feedback/{huge}").status_code == 404
    assert k.get(API + f"changelog/{huge}").status_code == 404
    r = k.post(
        API + "feedback",
        {"title": "a\x00b", "body": "c\x00", "page_title": "\x00"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["title"] == "ab"
    r = k.post(API + "changelog", {"title": "t", "body": "b", "released_on": "2026-03-01", "feedback_ids": [huge]},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and not ChangelogEntry.objects.exists()
    r = k.post(API + f"feedback/{r.status_code}/answer", {"status": "done", "answer": "x", "changelog_id": huge},
               content_type="application/json")  # fmt: skip
    assert r.status_code in (400, 404)
    assert k.get("/stats/?unit=%C2%B2").status_code == 404


def test_openapi_lists_the_endpoints(w: t.DashWorld) -> None:
    doc = client(w, "kaohe").get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for p in ("overview", "units", "trends", "effect", "effect/costs", "feedback", "feedback/manage",
              "feedback/{feedback_id}/answer", "changelog", "changelog/{entry_id}"):  # fmt: skip
        assert API + p in paths, p
    assert "422" in paths[API + "units"]["get"]["responses"]
