"""Sign-in and attendance services: the QR token (wrong, rotated), the sign-in window (too early,
after the end, cancelled), second scans, walk-ins of an invited unit (seats), the late boundary,
leave, absence after the end, the organisers' sign-in and undo, video sign-in, the report's
figures computed by hand and the XLSX read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.meetings import attendance as att
from tongban.meetings.models import Attendee, AttendeeRole, Meeting, MeetingEvent, Reply, SignMethod
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting

pytestmark = pytest.mark.django_db

Clock = Callable[[datetime], None]


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    def set_now(at: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: at)

    return set_now


@pytest.fixture
def start() -> datetime:
    return timezone.localtime(timezone.now() + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def m(w: MeetingsWorld, start: datetime) -> Meeting:
    return make_meeting(
        w, starts_at=start, late_after_minutes=10, confirm={"scj": ("scj_head",), "czj": ("cz_head",)}
    )


def _a(m: Meeting, w: MeetingsWorld, key: str) -> Attendee:
    return Attendee.objects.get(meeting=m, user=w.users[key])


def _snapshot(m: Meeting) -> list[tuple[Any, ...]]:
    return list(
        Attendee.objects.filter(meeting=m)
        .order_by("id")
        .values_list("user_id", "reply", "leave_reason", "signed_in_at", "sign_method", "signed_in_by_id")
    )


# --- the token -----------------------------------------------------------------------------------
def test_token_and_url(m: Meeting, settings: Any) -> None:
    settings.TONGBAN_BASE_URL = "https://oa.example.gov.cn"
    token = att.signin_token(m)
    assert len(token) >= 20 and att.token_valid(m, token)
    assert att.signin_url(m) == f"https://oa.example.gov.cn/meetings/{m.pk}/signin/{token}/"
    assert not att.token_valid(m, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not att.token_valid(m, "")
    # the key of another meeting gives another token
    other = Meeting.objects.get(pk=m.pk)
    other.pk = m.pk + 1000
    assert att.signin_token(other) != token


def test_missing_key_is_created_once(m: Meeting) -> None:
    Meeting.objects.filter(pk=m.pk).update(signin_key="")
    m.refresh_from_db()
    token = att.signin_token(m)
    m.refresh_from_db()
    assert m.signin_key and att.signin_token(m) == token


def test_wrong_token_refused(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    clock(start - timedelta(minutes=5))
    before = _snapshot(m)
    with pytest.raises(TongbanError) as exc:
        att.sign_in_qr(meeting=m, user=w.users["scj_head"], token="x" * 22)
    assert exc.value.code == "meetings.bad_signin_token" and "签到码无效" in str(exc.value)
    assert _snapshot(m) == before
    assert not MeetingEvent.objects.filter(meeting=m, kind="signed_in").exists()


def test_rotated_key_voids_old_code(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    old = att.signin_token(m)
    url = att.rotate_key(m, w.users["organiser"])
    new = att.signin_token(m)
    assert new != old and new in url
    clock(start - timedelta(minutes=5))
    with pytest.raises(TongbanError):
        att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=old)
    assert _a(m, w, "scj_head").signed_in_at is None
    r = att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=new)
    assert r.status == att.PRESENT and not r.already
    # only the organisers may rotate
    with pytest.raises(PermissionDenied):
        att.rotate_key(m, w.users["scj_clerk"])
    m.refresh_from_db()
    assert att.signin_token(m) == new


def test_cancelled_meeting_refused(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    Meeting.objects.filter(pk=m.pk).update(status="cancelled")
    m.refresh_from_db()
    clock(start)
    with pytest.raises(TongbanError) as exc:
        att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=att.signin_token(m))
    assert exc.value.code == "meetings.cancelled" and "已取消" in str(exc.value)
    assert _a(m, w, "scj_head").signed_in_at is None


def test_too_early_and_after_the_end(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    token = att.signin_token(m)
    clock(start - timedelta(minutes=61))
    with pytest.raises(TongbanError) as exc:
        att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=token)
    assert exc.value.code == "meetings.signin_not_open"
    assert "签到尚未开始，请于 08:00 后扫码" in str(exc.value)
    clock(m.ends_at)
    with pytest.raises(TongbanError) as exc:
        att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=token)
    assert exc.value.code == "meetings.signin_closed" and "已结束" in str(exc.value)
    assert _a(m, w, "scj_head").signed_in_at is None
    # exactly 60 minutes before the start is open
    clock(start - timedelta(minutes=60))
    assert att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=token).status == att.PRESENT


def test_too_early_on_another_day_names_the_day(
    w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime
) -> None:
    clock(start - timedelta(days=1))
    with pytest.raises(TongbanError) as exc:
        att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=att.signin_token(m))
    local = timezone.localtime(start)
    assert f"{local.month}月{local.day}日 08:00" in str(exc.value)


def test_second_scan_changes_nothing(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    token = att.signin_token(m)
    clock(start - timedelta(minutes=3))
    first = att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=token)
    assert first.message.startswith("签到成功") and "08:57" in first.message
    clock(start + timedelta(minutes=20))
    second = att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=token)
    assert second.already and second.message == "您已于 08:57 签到。"
    a = _a(m, w, "scj_head")
    assert a.signed_in_at == start - timedelta(minutes=3) and a.sign_method == SignMethod.QR
    assert MeetingEvent.objects.filter(meeting=m, kind="signed_in", attendee=a).count() == 1


def test_not_invited_refused(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    clock(start)
    for key in ("outsider", "by_clerk", "secretary"):
        with pytest.raises(PermissionDenied) as exc:
            att.sign_in_qr(meeting=m, user=w.users[key], token=att.signin_token(m))
        assert exc.value.code == "meetings.not_invited"
    assert not Attendee.objects.filter(
        meeting=m, user__in=[w.users["outsider"], w.users["by_clerk"]]
    ).exists()


def test_walk_in_of_an_invited_unit_within_seats(
    w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime
) -> None:
    clock(start)
    token = att.signin_token(m)
    # 市场监管局 has 2 seats and named 陈局长: one seat is free for 吴科员 (替会)
    r = att.sign_in_qr(meeting=m, user=w.users["scj_staff"], token=token)
    a = r.attendee
    assert a.unit == w.units["scj"] and a.invitation is not None and a.invitation.unit == w.units["scj"]
    assert a.reply == Reply.ATTEND and a.sign_method == SignMethod.QR
    # the seats are now taken: 孙文书 is sent to the organisers
    with pytest.raises(PermissionDenied) as exc:
        att.sign_in_qr(meeting=m, user=w.users["scj_clerk"], token=token)
    assert exc.value.code == "meetings.no_seat" and "名额（2 人）已满" in str(exc.value)
    assert not Attendee.objects.filter(meeting=m, user=w.users["scj_clerk"]).exists()
    # a person on leave frees the seat
    att.mark_leave(meeting=m, attendee=_a(m, w, "scj_head"), actor=w.users["organiser"], reason="出差")
    assert att.sign_in_qr(meeting=m, user=w.users["scj_clerk"], token=token).attendee.unit == w.units["scj"]


def test_terminal_does_not_sign_in_by_qr(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    clock(start)
    with pytest.raises(TongbanError) as exc:
        att.sign_in_qr(meeting=m, user=w.users["qs_terminal"], token=att.signin_token(m))
    assert exc.value.code == "meetings.terminal_no_signin"


# --- statuses ------------------------------------------------------------------------------------
def test_late_boundary(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    token = att.signin_token(m)
    clock(start + timedelta(minutes=10))  # exactly starts_at + late_after_minutes
    assert att.sign_in_qr(meeting=m, user=w.users["scj_head"], token=token).status == att.PRESENT
    clock(start + timedelta(minutes=11))
    r = att.sign_in_qr(meeting=m, user=w.users["cz_head"], token=token)
    assert r.status == att.LATE and "迟到" in r.message
    assert att.status_of(_a(m, w, "scj_head"), m) == att.PRESENT
    assert att.status_of(_a(m, w, "cz_head"), m) == att.LATE


def test_late_boundary_without_grace(w: MeetingsWorld, start: datetime, clock: Clock) -> None:
    m = make_meeting(w, starts_at=start, confirm={"scj": ("scj_head",)})
    assert m.late_after_minutes == 0
    a = _a(m, w, "scj_head")
    a.signed_in_at = start
    assert att.status_of(a, m) == att.PRESENT
    a.signed_in_at = start + timedelta(minutes=1)
    assert att.status_of(a, m) == att.LATE


def test_expected_then_absent_after_the_end(w: MeetingsWorld, m: Meeting, start: datetime) -> None:
    a = _a(m, w, "scj_head")
    assert att.status_of(a, m, now=start + timedelta(minutes=30)) == att.EXPECTED
    assert att.status_of(a, m, now=m.ends_at - timedelta(seconds=1)) == att.EXPECTED
    assert att.status_of(a, m, now=m.ends_at) == att.ABSENT
    Meeting.objects.filter(pk=m.pk).update(status="ended")
    m.refresh_from_db()
    assert att.status_of(a, m, now=start) == att.ABSENT  # ended early by the organisers


def test_leave(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    a = _a(m, w, "cz_head")
    # reason required, nothing changed
    with pytest.raises(TongbanError) as exc:
        att.mark_leave(meeting=m, attendee=a, actor=w.users["cz_clerk"], reason="   ")
    assert exc.value.code == "meetings.reason_required"
    with pytest.raises(TongbanError):
        att.mark_leave(meeting=m, attendee=a, actor=w.users["cz_clerk"], reason="事" * 201)
    a.refresh_from_db()
    assert a.reply == Reply.ATTEND and a.leave_reason == ""
    # the unit's own clerk registers it
    att.mark_leave(meeting=m, attendee=a, actor=w.users["cz_clerk"], reason="参加市财政工作会议")
    a.refresh_from_db()
    assert a.reply == Reply.LEAVE and a.leave_reason == "参加市财政工作会议"
    assert att.status_of(a, m, now=m.ends_at + timedelta(hours=1)) == att.LEAVE
    ev = MeetingEvent.objects.get(meeting=m, kind="leave", attendee=a)
    assert ev.actor == w.users["cz_clerk"] and ev.data["reason"] == "参加市财政工作会议"
    # comes after all: the sign-in wins
    clock(start + timedelta(minutes=2))
    assert att.sign_in_qr(meeting=m, user=w.users["cz_head"], token=att.signin_token(m)).status == att.PRESENT
    # a signed-in person cannot be put on leave
    with pytest.raises(TongbanError) as exc:
        att.mark_leave(meeting=m, attendee=_a(m, w, "cz_head"), actor=w.users["organiser"], reason="误报")
    assert exc.value.code == "meetings.already_signed_in"


def test_leave_by_another_units_clerk_refused(w: MeetingsWorld, m: Meeting) -> None:
    before = _snapshot(m)
    for key in ("scj_clerk", "qs_clerk", "scj_head", "outsider", "deputy"):
        with pytest.raises(PermissionDenied):
            att.mark_leave(meeting=m, attendee=_a(m, w, "cz_head"), actor=w.users[key], reason="有事")
    # a person named without a unit: only the organisers
    with pytest.raises(PermissionDenied):
        att.mark_leave(meeting=m, attendee=_a(m, w, "deputy"), actor=w.users["cz_clerk"], reason="有事")
    assert _snapshot(m) == before
    assert not MeetingEvent.objects.filter(meeting=m, kind="leave").exists()


# --- organisers and video --------------------------------------------------------------------------
def test_organiser_sign_in_and_undo(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    org = w.users["organiser"]
    a = _a(m, w, "scj_head")
    clock(start - timedelta(minutes=61))
    with pytest.raises(TongbanError) as exc:
        att.sign_in_by_organiser(meeting=m, attendee=a, actor=org)
    assert exc.value.code == "meetings.signin_not_open"
    clock(start + timedelta(minutes=15))
    att.sign_in_by_organiser(meeting=m, attendee=a, actor=org)
    a.refresh_from_db()
    assert a.sign_method == SignMethod.ORGANISER and a.signed_in_by == org
    assert att.status_of(a, m) == att.LATE
    with pytest.raises(TongbanError) as exc:
        att.sign_in_by_organiser(meeting=m, attendee=a, actor=org)
    assert exc.value.code == "meetings.already_signed_in" and "09:15" in str(exc.value)
    # a participant may not sign others in or undo
    with pytest.raises(PermissionDenied):
        att.sign_in_by_organiser(meeting=m, attendee=_a(m, w, "cz_head"), actor=w.users["scj_head"])
    with pytest.raises(PermissionDenied):
        att.undo_sign_in(meeting=m, attendee=a, actor=w.users["scj_clerk"], reason="误签")
    with pytest.raises(TongbanError) as exc:
        att.undo_sign_in(meeting=m, attendee=a, actor=org, reason="")
    assert exc.value.code == "meetings.reason_required"
    a.refresh_from_db()
    assert a.signed_in_at is not None
    att.undo_sign_in(meeting=m, attendee=a, actor=org, reason="误签了同名人员")
    a.refresh_from_db()
    assert a.signed_in_at is None and a.sign_method == "" and a.signed_in_by is None
    ev = MeetingEvent.objects.get(meeting=m, kind="signin_undone")
    assert ev.data["reason"] == "误签了同名人员" and ev.data["method"] == "organiser"
    assert _a(m, w, "cz_head").signed_in_at is None


def test_organiser_cannot_touch_another_meetings_attendee(
    w: MeetingsWorld, m: Meeting, start: datetime
) -> None:
    other = make_meeting(w, title="另一个会", starts_at=start, confirm={"scj": ("scj_head",)})
    with pytest.raises(TongbanError):
        att.sign_in_by_organiser(meeting=m, attendee=_a(other, w, "scj_head"), actor=w.users["organiser"])
    assert _a(other, w, "scj_head").signed_in_at is None


def test_video_sign_in(w: MeetingsWorld, m: Meeting, clock: Clock, start: datetime) -> None:
    clock(start + timedelta(minutes=1))
    a = _a(m, w, "scj_head")
    assert att.sign_in_video(meeting=m, attendee=a) is True
    a.refresh_from_db()
    assert a.sign_method == SignMethod.VIDEO and a.signed_in_at == start + timedelta(minutes=1)
    clock(start + timedelta(minutes=30))
    assert att.sign_in_video(meeting=m, attendee=a) is False  # rejoining changes nothing
    a.refresh_from_db()
    assert a.signed_in_at == start + timedelta(minutes=1)
    term = Attendee.objects.get(meeting=m, role=AttendeeRole.TERMINAL, venue=w.venues["qs_room"])
    assert att.sign_in_video(meeting=m, attendee=term) is True


# --- the report ------------------------------------------------------------------------------------
def _past_meeting(w: MeetingsWorld) -> Meeting:
    """A meeting that ended: 市场监管局 2 named (陈局长 on time, 吴科员 late), 财政局 2 named (冯局长
    on leave, 郑文书 absent), 青山镇 1 named (蒋镇长 on time), 石门乡 not confirmed; 王副县长 (the
    chair, no unit: counted under 县政府) on time; 青山镇's terminal online, 石门乡's not."""
    start = timezone.localtime(timezone.now() - timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    m = make_meeting(
        w,
        starts_at=start,
        late_after_minutes=5,
        status="ended",
        confirm={"scj": ("scj_head", "scj_staff"), "czj": ("cz_head", "cz_clerk"), "qsz": ("qs_head",)},
    )

    def sign(key: str, minutes: int) -> None:
        Attendee.objects.filter(meeting=m, user=w.users[key]).update(
            signed_in_at=start + timedelta(minutes=minutes), sign_method="qr"
        )

    sign("scj_head", -10)
    sign("scj_staff", 6)
    sign("qs_head", 5)
    sign("deputy", -2)
    Attendee.objects.filter(meeting=m, user=w.users["cz_head"]).update(
        reply="leave", leave_reason="在省厅开会"
    )
    Attendee.objects.filter(meeting=m, user=w.users["qs_terminal"]).update(
        signed_in_at=start - timedelta(minutes=20), sign_method="video"
    )
    return m


def test_report_hand_computed(w: MeetingsWorld) -> None:
    m = _past_meeting(w)
    rep = att.report(m)
    names = [r.name for r in rep.rows]
    # county order (Unit.sort): 县政府 (the chair's primary post), 市场监管局, 财政局, 青山镇, 石门乡
    assert names == [
        "青山县人民政府",
        "青山县市场监督管理局",
        "青山县财政局",
        "青山镇人民政府",
        "石门乡人民政府",
    ]
    by = {r.name: r for r in rep.rows}
    zf, scj, cz, qs, sm = (by[n] for n in names)
    assert (zf.expected, len(zf.present), zf.seats) == (1, 1, None)
    assert [p.name for p in scj.present] == ["陈局长"] and [p.name for p in scj.late] == ["吴科员"]
    assert scj.rate == 100.0
    assert [(p.name, p.reason) for p in cz.leave] == [("冯局长", "在省厅开会")]
    assert [p.name for p in cz.absent] == ["郑文书"] and cz.rate == 0.0
    assert [p.name for p in qs.present] == ["蒋镇长"]  # exactly at the 5 minutes: on time
    assert sm.expected == 0 and sm.confirmed is False and sm.seats == 2 and sm.rate is None
    t = rep.totals.counts()
    assert t == {
        "expected": 6,
        "present": 3,
        "late": 1,
        "leave": 1,
        "absent": 1,
        "waiting": 0,
        "attended": 4,
    }
    assert rep.totals.rate == round(100 * 4 / 6, 1) == 66.7
    assert rep.totals.seats == 8
    venues = {v.venue: v.online for v in rep.venues}
    assert venues == {"县政府第一会议室": False, "青山镇视频会议室": True, "石门乡视频会议室": False}
    live = att.live_counts(m)
    assert live == {"signed": 4, "expected": 6, "leave": 1}


def test_report_for_confirmer_shows_own_unit_only(w: MeetingsWorld) -> None:
    m = _past_meeting(w)
    rep = att.report_for(w.users["cz_clerk"], m)
    assert [r.name for r in rep.rows] == ["青山县财政局"]
    assert rep.totals.expected == 2
    assert len(att.report_for(w.users["deputy"], m).rows) == 5  # the chair sees all
    with pytest.raises(PermissionDenied):
        att.report_for(w.users["scj_staff"], m)


def test_xlsx_read_back(w: MeetingsWorld) -> None:
    from openpyxl import load_workbook

    m = _past_meeting(w)
    wb = load_workbook(BytesIO(att.export_xlsx(att.report(m))))
    assert wb.sheetnames == ["出勤汇总", "人员名单", "会场"]
    ws = wb["出勤汇总"]
    assert ws["A1"].value == f"{m.title} 出勤统计"
    header = [c.value for c in ws[3]]
    assert header[:10] == [
        "单位",
        "参会名额",
        "应到",
        "到会",
        "迟到",
        "请假",
        "缺席",
        "待签到",
        "实到",
        "出席率（%）",
    ]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["青山县财政局"][2:7] == (2, 0, 0, 1, 1)
    assert rows["青山县财政局"][10] == "冯局长（在省厅开会）" and rows["青山县财政局"][11] == "郑文书"
    assert rows["合计"][2:10] == (6, 3, 1, 1, 1, 0, 4, 66.7)
    names = list(wb["人员名单"].iter_rows(min_row=2, values_only=True))
    assert len(names) == 6
    wu = next(r for r in names if r[1] == "吴科员")
    assert wu[2] == "迟到" and wu[4] == "扫码签到" and wu[3].endswith("09:06")
    venues = {r[0]: r[2] for r in wb["会场"].iter_rows(min_row=2, values_only=True)}
    assert venues["青山镇视频会议室"] == "已上线" and venues["石门乡视频会议室"] == "未上线"
