"""Pages and API of the watch part: the authorization matrix (anonymous, handler, unit head,
outsider, a citizen's public session → refused and nothing changed; supervisor allowed), the
rectification lifecycle through the pages, settings, and running the sweep."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tongban.approvals import testing
from tongban.approvals.models import ClockPolicy, EventKind
from tongban.core.clock import moved_to
from tongban.core.models import AuditRecord
from tongban.identity import public
from tongban.supervision.models import Anomaly, AnomalyStatus, Rectification, RectificationStatus

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "cases", "anomalies", "settings", "rectification_new"]


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _citizen_client(w) -> Client:
    c = Client()
    s = c.session
    s[public.SESSION_KEY] = w.citizen.pk
    s[public.SESSION_HASH] = public._hash(w.citizen)
    s.save()
    return c


def _overdue_case(w):
    with moved_to(date(2026, 11, 2)):
        case = testing.new_case(w, received_at=datetime(2026, 11, 2, 9), handler=w.users["handler"])
        testing.event(case, EventKind.ACCEPTED, datetime(2026, 11, 2, 10))
    return case


def _refused(resp) -> bool:
    return resp.status_code == 403 or (resp.status_code == 302 and "/login" in resp["Location"])


@pytest.mark.parametrize("who", ["anonymous", "handler", "scj_leader", "outsider", "citizen", "catalogue"])
def test_supervisor_pages_refused_to_others(w, who):
    client = (
        _client() if who == "anonymous" else _citizen_client(w) if who == "citizen" else _client(w.users[who])
    )
    for name in PAGES:
        assert _refused(client.get(reverse(f"supervision:{name}"))), name
    before = (AuditRecord.objects.count(), Rectification.objects.count(), ClockPolicy.objects.count())
    assert _refused(client.post(reverse("supervision:sweep")))
    assert _refused(
        client.post(
            reverse("supervision:settings"), {"warn_days": 5, "rectify_days": 4, "rating_followup_days": 5}
        )
    )
    assert _refused(
        client.post(
            reverse("supervision:rectification_new"),
            {"unit": w.units["scj"].pk, "text": "x", "deadline_days": 5},
        )
    )
    assert (AuditRecord.objects.count(), Rectification.objects.count(), ClockPolicy.objects.count()) == before
    assert not ClockPolicy.objects.filter(warn_days=5).exists()


@pytest.mark.parametrize("who", ["anonymous", "handler", "scj_leader", "outsider", "citizen"])
def test_api_refused_to_others(w, who):
    client = (
        _client() if who == "anonymous" else _citizen_client(w) if who == "citizen" else _client(w.users[who])
    )
    expected = 401 if who in ("anonymous", "citizen") else 403
    for path in ["dashboard", "cases", "anomalies", "settings"]:
        assert client.get(f"/api/v1/supervision/{path}").status_code == expected, path
    assert client.post("/api/v1/supervision/sweep").status_code == expected
    r = client.put("/api/v1/supervision/settings", {"warn_days": 5}, content_type="application/json")
    assert r.status_code == expected
    r = client.post(
        "/api/v1/supervision/rectifications",
        {"unit_id": w.units["scj"].pk, "text": "x", "deadline_days": 5},
        content_type="application/json",
    )
    assert r.status_code == expected
    assert not Rectification.objects.exists() and not ClockPolicy.objects.filter(warn_days=5).exists()
    assert not AuditRecord.objects.filter(event__startswith="supervision.").exists()


def test_supervisor_sees_every_page(w, django_assert_max_num_queries):
    case = _overdue_case(w)
    with moved_to(date(2026, 11, 10)):
        client = _client(w.users["supervisor"])
        r = client.post(reverse("supervision:sweep"))
        assert r.status_code == 302
        for name in PAGES:
            assert client.get(reverse(f"supervision:{name}")).status_code == 200, name
        page = client.get(reverse("supervision:dashboard")).content.decode()
        assert case.tracking_no in page and "echarts.min.js" in page and "supervision/dashboard.js" in page
        cases = client.get(reverse("supervision:cases") + "?light=yellow").content.decode()
        assert case.tracking_no in cases
        assert (
            case.tracking_no not in client.get(reverse("supervision:cases") + "?light=green").content.decode()
        )
    assert AuditRecord.objects.filter(event="supervision.sweep_run").count() == 1


def test_nav_for_supervisor_and_unit_head(w):
    from tongban.core import nav

    keys = {i["key"] for i in nav.items_for(w.users["supervisor"])}
    assert {
        "supervision_dashboard",
        "supervision_anomalies",
        "supervision_rectifications",
        "supervision_settings",
    } <= keys
    assert "supervision_unit_rectifications" not in keys
    head = {i["key"]: i for i in nav.items_for(w.users["scj_leader"])}
    assert "supervision_dashboard" not in head and head["supervision_unit_rectifications"]["badge"] == 0
    assert not {
        k for k in (i["key"] for i in nav.items_for(w.users["handler"])) if k.startswith("supervision_")
    }


def test_rectification_lifecycle_through_pages(w):
    case = _overdue_case(w)
    sup = _client(w.users["supervisor"])
    with moved_to(date(2026, 11, 10)):
        r = sup.post(
            reverse("supervision:rectification_new"),
            {
                "unit": w.units["scj"].pk,
                "tracking_no": case.tracking_no,
                "text": "请说明超期原因并整改。",
                "deadline_days": 3,
            },
        )
    rect = Rectification.objects.get(kind="notice")
    assert r.status_code == 302 and r["Location"] == reverse(
        "supervision:rectification", kwargs={"pk": rect.pk}
    )
    assert rect.deadline == date(2026, 11, 13) and rect.case_id == case.pk
    from tongban.core import nav

    head = {i["key"]: i for i in nav.items_for(w.users["scj_leader"])}
    assert head["supervision_unit_rectifications"]["badge"] == 1
    url = reverse("supervision:rectification", kwargs={"pk": rect.pk})
    # Another unit's head and a handler of the unit cannot see or answer it.
    for who in ("zj_leader", "handler"):
        c = _client(w.users[who])
        assert c.get(url).status_code in (403, 404)
        assert c.post(
            reverse("supervision:rectification_reply", kwargs={"pk": rect.pk}), {"reply": "x"}
        ).status_code in (403, 404)
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.ISSUED and rect.reply == ""
    # The unit head sees it in the list and replies.
    head_client = _client(w.users["scj_leader"])
    assert rect.number in head_client.get(reverse("supervision:rectifications")).content.decode()
    assert head_client.get(url).status_code == 200
    head_client.post(
        reverse("supervision:rectification_reply", kwargs={"pk": rect.pk}), {"reply": "已办结并整改。"}
    )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.REPLIED and rect.replied_by == w.users["scj_leader"]
    # The head cannot close it; the supervisor does.
    assert (
        head_client.post(
            reverse("supervision:rectification_close", kwargs={"pk": rect.pk}), {"note": ""}
        ).status_code
        == 403
    )
    sup.post(reverse("supervision:rectification_close", kwargs={"pk": rect.pk}), {"note": "整改到位。"})
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED and rect.close_note == "整改到位。"
    events = list(
        AuditRecord.objects.filter(object_id=str(rect.pk), event__startswith="supervision.rect").values_list(
            "event", flat=True
        )
    )
    assert sorted(events) == [
        "supervision.rectification_closed",
        "supervision.rectification_issued",
        "supervision.rectification_replied",
    ]


def test_rectification_form_errors_change_nothing(w):
    sup = _client(w.users["supervisor"])
    r = sup.post(
        reverse("supervision:rectification_new"), {"unit": w.units["scj"].pk, "text": "x", "deadline_days": 0}
    )
    assert r.status_code == 200 and not Rectification.objects.exists()
    r = sup.post(
        reverse("supervision:rectification_new"),
        {"unit": w.units["scj"].pk, "text": "x", "deadline_days": 3, "tracking_no": "NOPE"},
    )
    assert "没有这个受理编号的办件" in r.content.decode() and not Rectification.objects.exists()
    other = _overdue_case(w)
    r = sup.post(
        reverse("supervision:rectification_new"),
        {"unit": w.units["zjj"].pk, "text": "x", "deadline_days": 3, "tracking_no": other.tracking_no},
    )
    assert "不是该单位办理的" in r.content.decode() and not Rectification.objects.exists()


def test_settings_page_changes_policy_and_relights(w, django_capture_on_commit_callbacks):
    case = _overdue_case(w)
    sup = _client(w.users["supervisor"])
    with moved_to(date(2026, 11, 4)):
        from tongban.supervision import sweep

        sweep.sweep()
        case.refresh_from_db()
        assert case.light == "green"
        with django_capture_on_commit_callbacks(execute=True):
            r = sup.post(
                reverse("supervision:settings"),
                {"warn_days": 4, "rectify_days": 3, "rating_followup_days": 5},
            )
        assert r.status_code == 302
    pol = ClockPolicy.objects.get()
    assert pol.warn_days == 4 and pol.updated_by == w.users["supervisor"]
    case.refresh_from_db()
    # Due 9 Nov; 4 working days before is 3 Nov: 预警 on 4 Nov now.
    assert case.warn_on == date(2026, 11, 3) and case.light == "warning"
    assert AuditRecord.objects.filter(event="supervision.settings_changed").count() == 1
    r = sup.post(
        reverse("supervision:settings"), {"warn_days": 40, "rectify_days": 3, "rating_followup_days": 5}
    )
    assert r.status_code == 200
    assert ClockPolicy.objects.get().warn_days == 4


def test_anomaly_close_page(w):
    case = _overdue_case(w)
    with moved_to(date(2026, 11, 10)):
        from tongban.supervision import sweep

        sweep.sweep()
    a = Anomaly.objects.get(case=case)
    url = reverse("supervision:anomaly_close", kwargs={"pk": a.pk})
    assert _refused(_client(w.users["scj_leader"]).post(url, {"note": "x"}))
    a.refresh_from_db()
    assert a.status == AnomalyStatus.OPEN
    sup = _client(w.users["supervisor"])
    page = sup.get(reverse("supervision:anomalies") + "?kind=over_committed&status=open").content.decode()
    assert a.summary in page
    sup.post(url, {"note": "已约谈承办人。"})
    a.refresh_from_db()
    assert (
        a.status == AnomalyStatus.CLOSED
        and a.close_note == "已约谈承办人。"
        and a.closed_by == w.users["supervisor"]
    )


def test_api_supervisor_flow(w):
    case = _overdue_case(w)
    sup = _client(w.users["supervisor"])
    with moved_to(date(2026, 11, 10)):
        r = sup.post("/api/v1/supervision/sweep")
        assert r.status_code == 200 and r.json()["changed"] == 1
        d = sup.get("/api/v1/supervision/dashboard").json()
        assert d["total_open"] == 1 and {x["light"]: x["count"] for x in d["by_light"]}["yellow"] == 1
        assert d["departments"][0]["yellow"] == 1 and d["oldest"][0]["tracking_no"] == case.tracking_no
        cases = sup.get("/api/v1/supervision/cases?light=yellow").json()
        assert cases["count"] == 1 and cases["items"][0]["id"] == case.pk
        an = sup.get("/api/v1/supervision/anomalies?kind=over_committed").json()
        assert an["count"] == 1
        closed = sup.post(
            f"/api/v1/supervision/anomalies/{an['items'][0]['id']}/close",
            {"note": ""},
            content_type="application/json",
        )
        assert closed.status_code == 400
        r = sup.post(
            "/api/v1/supervision/rectifications",
            {"unit_id": w.units["scj"].pk, "text": "请整改", "deadline_days": 5, "case_id": case.pk},
            content_type="application/json",
        )
        assert r.status_code == 201
        rid = r.json()["id"]
        assert r.json()["deadline"] == "2026-11-17"
    head = _client(w.users["scj_leader"])
    lst = head.get("/api/v1/supervision/rectifications").json()
    assert {x["id"] for x in lst["items"]} >= {rid}
    assert (
        head.post(
            f"/api/v1/supervision/rectifications/{rid}/reply",
            {"reply": "已整改"},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        head.post(
            f"/api/v1/supervision/rectifications/{rid}/close", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    other = _client(w.users["zj_leader"])
    assert other.get(f"/api/v1/supervision/rectifications/{rid}").status_code == 403
    assert (
        other.post(
            f"/api/v1/supervision/rectifications/{rid}/reply", {"reply": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    r = sup.post(
        f"/api/v1/supervision/rectifications/{rid}/close", {"note": "好"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert sup.get("/api/v1/supervision/settings").json()["warn_days"] == 2
    r = sup.put("/api/v1/supervision/settings", {"rectify_days": 99}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "supervision.bad_setting"
    r = sup.put("/api/v1/supervision/settings", {"rating_followup_days": 7}, content_type="application/json")
    assert r.status_code == 200 and r.json()["rating_followup_days"] == 7 and r.json()["recomputing"] is False


def test_openapi_documents_the_endpoints(w):
    spec = _client(w.users["supervisor"]).get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for p in ["dashboard", "cases", "anomalies", "rectifications", "settings", "sweep"]:
        assert f"/api/v1/supervision/{p}" in paths, p
    assert json.dumps(paths["/api/v1/supervision/dashboard"]).count("401")
