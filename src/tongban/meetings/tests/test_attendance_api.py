"""The attendance API (/api/v1/meetings/): the report, QR sign-in of the caller, and the organisers'
sign-in, leave and undo; refused callers get 401/403/404 with a code and nothing changes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongban.identity.models import User
from tongban.meetings import attendance as att
from tongban.meetings.models import Attendee, Meeting, Reply
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting

pytestmark = pytest.mark.django_db
API = "/api/v1/meetings/"


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def m(w: MeetingsWorld) -> Meeting:
    start = timezone.localtime(timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    return make_meeting(w, starts_at=start, confirm={"scj": ("scj_head", "scj_staff"), "czj": ("cz_head",)})


def _c(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def _post(c: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(url, json.dumps(body or {}), content_type="application/json")


def _snapshot(m: Meeting) -> list[tuple[Any, ...]]:
    return list(
        Attendee.objects.filter(meeting=m)
        .order_by("id")
        .values_list("user_id", "reply", "leave_reason", "signed_in_at", "sign_method", "signed_in_by_id")
    )


def _a(m: Meeting, w: MeetingsWorld, key: str) -> Attendee:
    return Attendee.objects.get(meeting=m, user=w.users[key])


def test_qr_signin_through_the_api(w: MeetingsWorld, m: Meeting) -> None:
    c = _c("scj_staff")
    r = _post(c, f"{API}{m.pk}/signin", {"token": att.signin_token(m)})
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["already"] is False and d["status"] == "present" and d["message"].startswith("签到成功")
    assert d["attendee_id"] == _a(m, w, "scj_staff").pk
    r = _post(c, f"{API}{m.pk}/signin", {"token": att.signin_token(m)})
    assert r.json()["already"] is True and r.json()["message"].startswith("您已于")
    # wrong token: an invitee gets the reason, an outsider a 404
    r = _post(_c("cz_head"), f"{API}{m.pk}/signin", {"token": "A" * 22})
    assert r.status_code == 400 and r.json()["code"] == "meetings.bad_signin_token"
    assert _post(_c("outsider"), f"{API}{m.pk}/signin", {"token": "A" * 22}).status_code == 404
    r = _post(_c("outsider"), f"{API}{m.pk}/signin", {"token": att.signin_token(m)})
    assert r.status_code == 403 and r.json()["code"] == "meetings.not_invited"
    assert not Attendee.objects.filter(meeting=m, user=w.users["outsider"]).exists()
    assert _a(m, w, "cz_head").signed_in_at is None
    # anonymous
    assert _post(Client(), f"{API}{m.pk}/signin", {"token": att.signin_token(m)}).status_code == 401


def test_organiser_actions(w: MeetingsWorld, m: Meeting) -> None:
    org = _c("organiser")
    a = _a(m, w, "scj_head")
    r = _post(org, f"{API}{m.pk}/attendance/{a.pk}/signin")
    assert r.status_code == 200 and r.json()["sign_method"] == "organiser" and r.json()["status"] == "present"
    r = _post(org, f"{API}{m.pk}/attendance/{a.pk}/signin")
    assert r.status_code == 400 and r.json()["code"] == "meetings.already_signed_in"
    r = _post(org, f"{API}{m.pk}/attendance/{a.pk}/undo", {"reason": ""})
    assert r.status_code == 400 and r.json()["code"] == "meetings.reason_required"
    r = _post(org, f"{API}{m.pk}/attendance/{a.pk}/undo", {"reason": "误签"})
    assert r.status_code == 200 and r.json()["signed_in_at"] is None and r.json()["status"] == "expected"
    b = _a(m, w, "cz_head")
    r = _post(_c("cz_clerk"), f"{API}{m.pk}/attendance/{b.pk}/leave", {"reason": "出差"})
    assert r.status_code == 200 and r.json()["status"] == "leave" and r.json()["leave_reason"] == "出差"
    assert _post(org, f"{API}{m.pk}/attendance/{b.pk}/leave", {}).status_code == 422
    assert _post(org, f"{API}{m.pk}/attendance/999999/signin").status_code == 404


def test_actions_refused_nothing_changed(w: MeetingsWorld, m: Meeting) -> None:
    a, b = _a(m, w, "cz_head"), _a(m, w, "scj_head")
    Attendee.objects.filter(pk=b.pk).update(signed_in_at=timezone.now(), sign_method="qr")
    before = _snapshot(m)
    for user, status in (("scj_staff", 403), ("deputy", 403), ("cz_clerk", 403), ("outsider", 404)):
        c = _c(user)
        r = _post(c, f"{API}{m.pk}/attendance/{a.pk}/signin")
        assert r.status_code == status, (user, r.content)
        assert _post(c, f"{API}{m.pk}/attendance/{b.pk}/undo", {"reason": "x"}).status_code == status
    for user, status in (("scj_clerk", 403), ("scj_staff", 403), ("outsider", 404)):
        r = _post(_c(user), f"{API}{m.pk}/attendance/{a.pk}/leave", {"reason": "x"})
        assert r.status_code == status and r.json()["code"] in (
            "meetings.not_leave_marker",
            "meetings.not_found",
        )
    assert _post(Client(), f"{API}{m.pk}/attendance/{a.pk}/signin").status_code == 401
    assert _snapshot(m) == before


def test_report_json(w: MeetingsWorld, m: Meeting) -> None:
    Attendee.objects.filter(meeting=m, user=w.users["scj_head"]).update(
        signed_in_at=m.starts_at + timedelta(minutes=1), sign_method="qr"
    )
    Attendee.objects.filter(meeting=m, user=w.users["cz_head"]).update(reply=Reply.LEAVE, leave_reason="病假")
    r = _c("organiser").get(f"{API}{m.pk}/attendance")
    assert r.status_code == 200
    d = r.json()
    assert [u["unit"] for u in d["units"]][:3] == ["青山县人民政府", "青山县市场监督管理局", "青山县财政局"]
    assert d["totals"]["expected"] == 4 and d["totals"]["late"] == 1 and d["totals"]["leave"] == 1
    assert d["totals"]["waiting"] == 2 and d["ended"] is False
    cz = next(u for u in d["units"] if u["unit"] == "青山县财政局")
    assert cz["people"][0]["reason"] == "病假" and cz["people"][0]["status_label"] == "请假"
    assert {v["venue"] for v in d["venues"]} == {"县政府第一会议室", "青山镇视频会议室", "石门乡视频会议室"}
    r = _c("cz_clerk").get(f"{API}{m.pk}/attendance")
    assert [u["unit"] for u in r.json()["units"]] == ["青山县财政局"]
    assert _c("scj_staff").get(f"{API}{m.pk}/attendance").status_code == 403
    assert _c("outsider").get(f"{API}{m.pk}/attendance").status_code == 404
    assert Client().get(f"{API}{m.pk}/attendance").status_code == 401
