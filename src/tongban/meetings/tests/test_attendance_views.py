"""Sign-in and attendance pages: the venue screen and its live count, the phone page (login first,
one button, the clear reason when refused), the console (organisers; a unit's confirmer for their
own people's leave), the report and its XLSX, and who is refused (403/404) with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.identity.models import User
from tongban.meetings import attendance as att
from tongban.meetings.models import Attendee, Meeting, MeetingEvent, Reply
from tongban.meetings.testing import PASSWORD, MeetingsWorld, build_world, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def start() -> datetime:
    return timezone.localtime(timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)


@pytest.fixture
def m(w: MeetingsWorld, start: datetime) -> Meeting:
    return make_meeting(
        w,
        starts_at=start,
        late_after_minutes=10,
        confirm={"scj": ("scj_head", "scj_staff"), "czj": ("cz_head",)},
    )


@pytest.fixture
def login(client: Client) -> Callable[[str], Client]:
    def as_user(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    return as_user


def _snapshot(m: Meeting) -> list[tuple[Any, ...]]:
    return list(
        Attendee.objects.filter(meeting=m)
        .order_by("id")
        .values_list("user_id", "reply", "leave_reason", "signed_in_at", "sign_method", "signed_in_by_id")
    )


def _url(name: str, m: Meeting, **kw: Any) -> str:
    return reverse(f"meetings_attendance:{name}", kwargs={"pk": m.pk, **kw})


# --- the venue screen ---------------------------------------------------------------------------
def test_qr_page_for_organisers(m: Meeting, login: Callable[[str], Client], settings: Any) -> None:
    settings.TONGBAN_BASE_URL = "https://oa.example.gov.cn"
    resp = login("organiser").get(_url("qr", m))
    body = resp.content.decode()
    assert resp.status_code == 200
    assert m.title in body and "<svg" in body and 'id="meeting-tabs"' in body
    assert att.signin_url(m) in body and "https://oa.example.gov.cn/meetings/" in body
    assert "已签到" in body and 'id="att-expected">4<' in body  # 王副县长, 陈局长, 吴科员, 冯局长


def test_count_json(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    Attendee.objects.filter(meeting=m, user=w.users["scj_head"]).update(signed_in_at=timezone.now())
    resp = login("organiser").get(_url("count", m))
    assert resp.json() == {"signed": 1, "expected": 4, "leave": 0}
    assert "no-cache" in resp["Cache-Control"] or "max-age=0" in resp["Cache-Control"]


@pytest.mark.parametrize(
    ("user", "status"),
    [("scj_staff", 403), ("scj_head", 403), ("scj_clerk", 403), ("deputy", 403), ("outsider", 404)],
)
def test_qr_and_count_refused(m: Meeting, login: Callable[[str], Client], user: str, status: int) -> None:
    c = login(user)
    assert c.get(_url("qr", m)).status_code == status
    assert c.get(_url("count", m)).status_code == status


def test_rotate(m: Meeting, login: Callable[[str], Client]) -> None:
    old = att.signin_token(m)
    assert login("scj_head").post(_url("rotate", m)).status_code == 403
    assert login("outsider").post(_url("rotate", m)).status_code == 404
    m.refresh_from_db()
    assert att.signin_token(m) == old
    resp = login("organiser").post(_url("rotate", m))
    assert resp.status_code == 302
    m.refresh_from_db()
    assert att.signin_token(m) != old


# --- the phone page --------------------------------------------------------------------------------
def test_signin_needs_login_and_returns(m: Meeting, client: Client) -> None:
    url = att.signin_path(m)
    resp = client.get(url)
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("identity:login")) and "next=" in resp["Location"]
    # the login page returns to the sign-in page
    resp = client.post(
        resp["Location"], {"username": "scj_head", "password": PASSWORD, "next": url}, follow=False
    )
    assert resp.status_code == 302 and resp["Location"] == url


def test_signin_page_and_post(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    c = login("scj_head")
    url = att.signin_path(m)
    body = c.get(url).content.decode()
    assert 'id="att-signin-btn"' in body and m.title in body and "陈局长，请点击下方按钮签到" in body
    assert (
        Attendee.objects.get(meeting=m, user=w.users["scj_head"]).signed_in_at is None
    )  # GET writes nothing
    body = c.post(url).content.decode()
    assert "签到成功" in body
    a = Attendee.objects.get(meeting=m, user=w.users["scj_head"])
    assert a.signed_in_at is not None and a.sign_method == "qr"
    body = c.get(url).content.decode()
    assert "您已签到" in body and "您已于" in body and 'id="att-signin-btn"' not in body


def test_signin_refusals(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    before = _snapshot(m)
    bad = _url("signin", m, token="A" * 22)
    # someone who may not see the meeting learns nothing from a wrong token
    assert login("outsider").get(bad).status_code == 404
    assert login("outsider").post(bad).status_code == 404
    # an invitee sees the reason
    resp = login("scj_head").post(bad)
    assert resp.status_code == 400 and "签到码无效或已更换" in resp.content.decode()
    # not invited, with the right code
    resp = login("outsider").post(att.signin_path(m))
    assert resp.status_code == 403 and "您不在本次会议的参会名单中" in resp.content.decode()
    assert "无法签到" in login("by_clerk").get(att.signin_path(m)).content.decode()
    assert _snapshot(m) == before
    assert not MeetingEvent.objects.filter(meeting=m, kind="signed_in").exists()
    # a meeting that does not exist
    assert login("scj_head").get(f"/meetings/{m.pk + 999}/signin/{'A' * 22}/").status_code == 404


def test_signin_too_early(w: MeetingsWorld, login: Callable[[str], Client]) -> None:
    start = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    m = make_meeting(w, starts_at=start, confirm={"scj": ("scj_head",)})
    body = login("scj_head").get(att.signin_path(m)).content.decode()
    assert "签到尚未开始" in body and 'id="att-signin-btn"' not in body


# --- the console --------------------------------------------------------------------------------------
def test_console_organiser(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    c = login("organiser")
    body = c.get(_url("console", m)).content.decode()
    for name in ("王副县长", "陈局长", "冯局长"):
        assert name in body
    assert "石门乡视频会议室终端" not in body  # terminals are not people
    body = c.get(_url("console", m) + "?q=财政").content.decode()
    assert "冯局长" in body and "陈局长" not in body
    body = c.get(_url("console", m) + "?q=<script>").content.decode()
    assert "<script>" not in body.split('id="main"')[1].split("</main>")[0] and "没有符合条件" in body

    a = Attendee.objects.get(meeting=m, user=w.users["scj_head"])
    resp = c.post(_url("attendee_signin", m, attendee_id=a.pk), {"query": "q=市场"})
    assert resp.status_code == 302 and unquote(resp["Location"]).endswith("?q=市场")
    a.refresh_from_db()
    assert a.sign_method == "organiser" and a.signed_in_by == w.users["organiser"]
    # again: a clear message, nothing changed
    resp = c.post(_url("attendee_signin", m, attendee_id=a.pk), follow=True)
    assert "已于" in resp.content.decode()
    # undo needs a reason
    resp = c.post(_url("attendee_undo", m, attendee_id=a.pk), {"reason": ""}, follow=True)
    assert "请填写撤销签到的原因" in resp.content.decode()
    a.refresh_from_db()
    assert a.signed_in_at is not None
    c.post(_url("attendee_undo", m, attendee_id=a.pk), {"reason": "点错了人"})
    a.refresh_from_db()
    assert a.signed_in_at is None
    # leave with reason
    c.post(_url("attendee_leave", m, attendee_id=a.pk), {"reason": "住院"})
    a.refresh_from_db()
    assert a.reply == Reply.LEAVE and a.leave_reason == "住院"


def test_console_confirmer_sees_own_unit(
    w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]
) -> None:
    c = login("cz_clerk")
    body = c.get(_url("console", m)).content.decode()
    assert "冯局长" in body and "陈局长" not in body and "王副县长" not in body
    assert "代签到" not in body and "登记请假" in body
    a = Attendee.objects.get(meeting=m, user=w.users["cz_head"])
    c.post(_url("attendee_leave", m, attendee_id=a.pk), {"reason": "参加省财政厅培训"})
    a.refresh_from_db()
    assert a.reply == Reply.LEAVE and a.leave_reason == "参加省财政厅培训"
    # but may not sign people in
    assert c.post(_url("attendee_signin", m, attendee_id=a.pk)).status_code == 403


def test_console_actions_refused(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    a = Attendee.objects.get(meeting=m, user=w.users["cz_head"])
    b = Attendee.objects.get(meeting=m, user=w.users["scj_head"])
    Attendee.objects.filter(pk=b.pk).update(signed_in_at=timezone.now(), sign_method="qr")
    before = _snapshot(m)
    assert login("scj_staff").get(_url("console", m)).status_code == 403
    assert login("deputy").get(_url("console", m)).status_code == 403
    assert login("outsider").get(_url("console", m)).status_code == 404
    assert login("by_clerk").get(_url("console", m)).status_code == 404
    for user, status in (("scj_staff", 403), ("scj_head", 403), ("deputy", 403), ("outsider", 404)):
        c = login(user)
        assert c.post(_url("attendee_signin", m, attendee_id=a.pk)).status_code == status
        assert c.post(_url("attendee_undo", m, attendee_id=b.pk), {"reason": "x"}).status_code == status
    # another unit's clerk marking leave
    assert (
        login("scj_clerk").post(_url("attendee_leave", m, attendee_id=a.pk), {"reason": "x"}).status_code
        == 403
    )
    # GET on an action
    assert login("organiser").get(_url("attendee_signin", m, attendee_id=a.pk)).status_code == 405
    # an attendee of another meeting
    other = make_meeting(w, title="另一个会", confirm={"czj": ("cz_head",)})
    oa = Attendee.objects.get(meeting=other, user=w.users["cz_head"])
    assert login("organiser").post(_url("attendee_signin", m, attendee_id=oa.pk)).status_code == 404
    assert _snapshot(m) == before
    assert Attendee.objects.get(pk=oa.pk).signed_in_at is None


# --- the report ----------------------------------------------------------------------------------------
def _sign(w: MeetingsWorld, m: Meeting) -> None:
    Attendee.objects.filter(meeting=m, user=w.users["scj_head"]).update(
        signed_in_at=m.starts_at + timedelta(minutes=12), sign_method="qr"
    )
    Attendee.objects.filter(meeting=m, user=w.users["cz_head"]).update(
        reply="leave", leave_reason="<b>出差</b>"
    )


def test_report_page(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    _sign(w, m)
    for user in ("organiser", "deputy"):
        resp = login(user).get(_url("report", m))
        body = resp.content.decode()
        assert resp.status_code == 200 and 'id="att-table"' in body and 'id="att-chart"' in body
        assert "echarts" in body and "青山县市场监督管理局" in body and "青山县财政局" in body
        assert "&lt;b&gt;出差&lt;/b&gt;" in body and "<b>出差</b>" not in body
        assert resp.context["rep"].totals.counts()["late"] == 1
    # a unit's clerk sees their unit only
    rep = login("cz_clerk").get(_url("report", m)).context["rep"]
    assert [r.name for r in rep.rows] == ["青山县财政局"]


def test_report_xlsx(w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]) -> None:
    from openpyxl import load_workbook

    _sign(w, m)
    resp = login("organiser").get(_url("report", m) + "?format=xlsx")
    assert resp.status_code == 200 and "spreadsheetml" in resp["Content-Type"]
    assert "attachment" in resp["Content-Disposition"]
    wb = load_workbook(BytesIO(resp.content))
    rows = {r[0]: r for r in wb["出勤汇总"].iter_rows(min_row=4, values_only=True)}
    assert rows["青山县市场监督管理局"][2:5] == (2, 0, 1)
    assert rows["合计"][2] == 4


def test_report_participant_and_outsider(
    w: MeetingsWorld, m: Meeting, login: Callable[[str], Client]
) -> None:
    _sign(w, m)
    Attendee.objects.filter(meeting=m, user=w.users["scj_staff"]).update(
        signed_in_at=m.starts_at + timedelta(minutes=12), sign_method="qr"
    )
    resp = login("scj_staff").get(_url("report", m))
    body = resp.content.decode()
    assert resp.status_code == 200 and 'id="att-mine"' in body and "迟到" in body and "冯局长" not in body
    assert login("scj_staff").get(_url("report", m) + "?format=xlsx").status_code == 403
    assert login("outsider").get(_url("report", m)).status_code == 404
    assert login("by_clerk").get(_url("report", m) + "?format=xlsx").status_code == 404
