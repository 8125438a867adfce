"""Scheduling REST API (/api/v1/meetings/): create with clash warnings (409 unless force), patch,
notify, cancel, confirmations, a unit's 回执, venues, the clash check, the list with pagination;
and the authorization matrix (refused callers change nothing)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongban.meetings.models import Attendee, ConfirmStatus, Invitation, Meeting, MeetingStatus
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db
API = "/api/v1/meetings/"


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


def client(w: MeetingsWorld, key: str) -> Client:
    c = Client()
    if key != "anonymous":
        c.force_login(w.users[key])
    return c


def post(c: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(url, json.dumps(body or {}), content_type="application/json")


def patch(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.patch(url, json.dumps(body), content_type="application/json")


def body(w: MeetingsWorld, **over: Any) -> dict[str, Any]:
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    d: dict[str, Any] = {
        "title": "全县防汛工作视频会",
        "kind": "video",
        "chair_id": w.users["deputy"].pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "main_venue_id": w.venues["hall"].pk,
        "venue_ids": [w.venues["qs_room"].pk],
        "invitations": [{"unit_id": w.units["qsz"].pk, "seats": 2}],
        "agenda": [{"title": "部署防汛工作", "presenter_id": w.users["deputy"].pk, "minutes": 30}],
        "confirm_deadline": (start - timedelta(hours=4)).isoformat(),
    }
    d.update(over)
    return d


def test_create_notify_confirm_cancel(w: MeetingsWorld) -> None:
    org = client(w, "organiser")
    r = post(org, API, body(w))
    assert r.status_code == 201, r.content
    mid = r.json()["meeting"]["id"]
    assert r.json()["meeting"]["status"] == "draft" and r.json()["warnings"] == []
    assert [v["name"] for v in r.json()["meeting"]["venues"]] == ["县政府第一会议室", "青山镇视频会议室"]
    r = post(org, f"{API}{mid}/notify")
    assert r.status_code == 200 and r.json()["meeting"]["status"] == "notified" and r.json()["notices"] > 0
    inv = Invitation.objects.get(meeting_id=mid)
    clerk = client(w, "qs_clerk")
    r = post(
        clerk,
        f"{API}{mid}/invitations/{inv.pk}/confirm",
        {
            "people": [
                {"user_id": w.users["qs_head"].pk, "reply": "attend"},
                {"user_id": w.users["qs_clerk"].pk, "reply": "leave", "leave_reason": "值班"},
            ]
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "confirmed" and len(r.json()["people"]) == 2
    r = org.get(f"{API}{mid}/confirmations")
    assert (
        r.status_code == 200 and r.json()["totals"]["attending"] == 1 and r.json()["totals"]["leaving"] == 1
    )
    # the unit's clerk sees its own row only
    r = clerk.get(f"{API}{mid}/confirmations")
    assert r.status_code == 200 and [x["unit_id"] for x in r.json()["rows"]] == [w.units["qsz"].pk]
    r = post(org, f"{API}{mid}/cancel", {"reason": "台风预警，改期"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_clash_answers_409_unless_forced(w: MeetingsWorld) -> None:
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    make_meeting(w, starts_at=start, minutes=30, venues=("hall",), chair="county_head", people=())
    org = client(w, "organiser")
    r = post(org, API, body(w))
    assert r.status_code == 409
    assert r.json()["code"] == "meetings.clash" and r.json()["warnings"][0]["kind"] == "venue"
    assert Meeting.objects.count() == 1
    r = post(org, API, body(w, force=True))
    assert r.status_code == 201 and r.json()["warnings"][0]["kind"] == "venue"
    # the clash check endpoint
    r = org.get(
        f"{API}clashes",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "venue_ids": [w.venues["hall"].pk],
            "user_ids": [w.users["county_head"].pk],
        },
    )
    assert r.status_code == 200
    assert sorted(c["kind"] for c in r.json()) == ["leader", "venue", "venue"]
    assert (
        client(w, "scj_clerk")
        .get(f"{API}clashes", {"starts_at": start.isoformat(), "ends_at": start.isoformat()})
        .status_code
        == 403
    )


def test_bad_input_is_400_in_chinese(w: MeetingsWorld) -> None:
    org = client(w, "organiser")
    r = post(org, API, body(w, kind="radio"))
    assert (
        r.status_code == 400 and r.json()["code"] == "meetings.bad_kind" and "会议形式" in r.json()["detail"]
    )
    assert not Meeting.objects.exists()


def test_patch_changes_only_what_is_sent(w: MeetingsWorld) -> None:
    m = make_meeting(w, status="draft")
    org = client(w, "organiser")
    r = patch(org, f"{API}{m.pk}", {"title": "改名后的会议"})
    assert r.status_code == 200, r.content
    m.refresh_from_db()
    assert m.title == "改名后的会议" and m.venue_links.count() == 3 and m.invitations.count() == 4
    assert m.agenda.count() == 2


def test_list_with_pagination_and_boxes(w: MeetingsWorld) -> None:
    for i in range(3):
        make_meeting(
            w, title=f"会议{i}", starts_at=timezone.now() + timedelta(days=i + 1), venues=(("hall2",))
        )
    r = client(w, "organiser").get(API, {"limit": 2, "offset": 0})
    assert r.status_code == 200
    assert r.json()["count"] == 3 and [x["title"] for x in r.json()["items"]] == ["会议0", "会议1"]
    r = client(w, "organiser").get(API, {"limit": 2, "offset": 2})
    assert [x["title"] for x in r.json()["items"]] == ["会议2"]
    r = client(w, "scj_clerk").get(API, {"box": "confirm"})
    assert r.json()["count"] == 3 and r.json()["counts"]["confirm"] == 3
    assert client(w, "outsider").get(API).json()["count"] == 0
    assert client(w, "anonymous").get(API).status_code == 401


def test_venues(w: MeetingsWorld) -> None:
    r = client(w, "organiser").get(f"{API}venues")
    assert r.status_code == 200 and {v["name"] for v in r.json()} >= {"县政府第一会议室", "青山镇视频会议室"}
    assert client(w, "outsider").get(f"{API}venues").json() == []


def test_authorization_matrix(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    inv = Invitation.objects.get(meeting=m, unit=w.units["scj"])
    before = (m.title, m.status, Notification.objects.count(), Attendee.objects.count())
    people = {"people": [{"user_id": w.users["scj_head"].pk, "reply": "attend"}]}
    # outsider: cannot even see it
    out = client(w, "outsider")
    assert out.get(f"{API}{m.pk}").status_code == 404
    assert patch(out, f"{API}{m.pk}", {"title": "x"}).status_code == 404
    assert post(out, f"{API}{m.pk}/cancel", {"reason": "x"}).status_code == 404
    assert post(out, f"{API}{m.pk}/invitations/{inv.pk}/confirm", people).status_code == 404
    # a participant (the chair) sees it but may not change it
    chair = client(w, "deputy")
    assert chair.get(f"{API}{m.pk}").status_code == 200
    assert patch(chair, f"{API}{m.pk}", {"title": "x"}).status_code == 403
    assert post(chair, f"{API}{m.pk}/notify").status_code == 403
    assert post(chair, f"{API}{m.pk}/cancel", {"reason": "x"}).status_code == 403
    assert post(client(w, "outsider"), API, body(w)).status_code == 403
    # a terminal sees the meeting, not the table
    assert client(w, "hall_terminal").get(f"{API}{m.pk}/confirmations").status_code == 403
    # the clerk of another unit cannot confirm for 市场监管局
    assert post(client(w, "cz_clerk"), f"{API}{m.pk}/invitations/{inv.pk}/confirm", people).status_code == 403
    # an invitation of another meeting is not found through this one
    other = make_meeting(w, title="另一个会", venues=("hall2",))
    inv2 = Invitation.objects.get(meeting=other, unit=w.units["scj"])
    assert (
        post(client(w, "scj_clerk"), f"{API}{m.pk}/invitations/{inv2.pk}/confirm", people).status_code == 404
    )
    m.refresh_from_db()
    inv.refresh_from_db()
    assert (m.title, m.status) == before[:2] and m.status == MeetingStatus.NOTIFIED
    assert inv.status == ConfirmStatus.PENDING and not inv.attendees.exists()
    assert Notification.objects.count() == before[2]
