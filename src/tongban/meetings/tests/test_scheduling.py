"""Services of the meetings' scheduling part: create/update with attendees kept in step, clashes
(room, leader, capacity; touching edges do not clash), notices (in-app rows and SMS deliveries to
the right people), 回执 rules (staff of the unit, seats, leave reasons, until the start), reminders
(timing, no duplicates within 12 hours), cancel, materials."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.meetings import scheduling
from tongban.meetings.models import (
    Attendee,
    AttendeeRole,
    ConfirmStatus,
    Invitation,
    Meeting,
    MeetingEvent,
    MeetingMaterial,
    MeetingStatus,
    Reply,
    ScheduleEntry,
)
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


def _start(days: int = 3, hour: int = 9) -> datetime:
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def data(w: MeetingsWorld, **over: Any) -> dict[str, Any]:
    start = over.pop("start", _start())
    d: dict[str, Any] = {
        "title": "全县安全生产工作视频调度会",
        "kind": "video",
        "host_unit_id": w.units["zfb"].pk,
        "chair_id": w.users["deputy"].pk,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "main_venue_id": w.venues["hall"].pk,
        "venue_ids": [w.venues["qs_room"].pk, w.venues["sm_room"].pk],
        "people": [w.users["county_head"].pk],
        "agenda": [
            {"title": "传达省市会议精神", "presenter_id": w.users["deputy"].pk, "minutes": 20},
            {"title": "市场监管局汇报", "presenter_id": w.users["scj_head"].pk, "minutes": 15},
        ],
        "invitations": [
            {"unit_id": w.units["scj"].pk, "seats": 2},
            {"unit_id": w.units["qsz"].pk, "seats": 3},
        ],
        "confirm_deadline": start - timedelta(days=1),
        "requirements": "请提前 15 分钟到场调试设备。",
        "contact_phone": "0797-1234567",
    }
    d.update(over)
    return d


def roles(m: Meeting) -> dict[str, str]:
    return {a.user.username: a.role for a in Attendee.objects.filter(meeting=m).select_related("user")}


# --- create / update ---------------------------------------------------------------------------
def test_create_lays_out_the_meeting(w: MeetingsWorld) -> None:
    m = scheduling.meeting_create(actor=w.users["organiser"], data=data(w))
    assert m.status == MeetingStatus.DRAFT and m.signin_key and m.organiser == w.users["organiser"]
    assert [(link.venue.name, link.is_main) for link in m.venue_links.order_by("-is_main", "id")] == [
        ("县政府第一会议室", True),
        ("青山镇视频会议室", False),
        ("石门乡视频会议室", False),
    ]
    assert list(m.agenda.values_list("order", "title")) == [(1, "传达省市会议精神"), (2, "市场监管局汇报")]
    assert dict(m.invitations.values_list("unit__unit_code", "seats")) == {"SCJ": 2, "QSZ": 3}
    assert roles(m) == {
        "deputy": AttendeeRole.CHAIR,
        "county_head": AttendeeRole.PARTICIPANT,
        "scj_head": AttendeeRole.PRESENTER,
        "hall_terminal": AttendeeRole.TERMINAL,
        "qs_terminal": AttendeeRole.TERMINAL,
        "sm_terminal": AttendeeRole.TERMINAL,
    }
    assert MeetingEvent.objects.filter(meeting=m, kind="created").count() == 1
    assert not Notification.objects.exists()  # a draft notifies nobody


def test_in_person_meeting_has_no_terminals(w: MeetingsWorld) -> None:
    m = scheduling.meeting_create(actor=w.users["organiser"], data=data(w, kind="in_person", venue_ids=[]))
    assert "hall_terminal" not in roles(m)


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"title": " "}, "meetings.title_required"),
        ({"kind": "radio"}, "meetings.bad_kind"),
        ({"main_venue_id": None}, "meetings.main_venue_required"),
        ({"host_unit_id": "scj"}, "meetings.bad_host_unit"),
        ({"chair_id": 999999}, "meetings.bad_chair_id"),
        ({"people": [999999]}, "meetings.bad_people"),
        ({"invitations": [{"unit_id": 1, "seats": 0}]}, "meetings.bad_seats"),
    ],
)
def test_create_refuses_bad_input(w: MeetingsWorld, over: dict[str, Any], code: str) -> None:
    if over.get("host_unit_id") == "scj":
        over["host_unit_id"] = w.units["scj"].pk  # not the organiser's unit
    with pytest.raises(TongbanError) as exc:
        scheduling.meeting_create(actor=w.users["organiser"], data=data(w, **over))
    assert exc.value.code == code
    assert not Meeting.objects.exists() and not Attendee.objects.exists()


def test_create_refuses_bad_times(w: MeetingsWorld) -> None:
    start = _start()
    organiser = w.users["organiser"]
    with pytest.raises(TongbanError, match="结束时间须晚于开始时间"):
        scheduling.meeting_create(actor=organiser, data=data(w, ends_at=start))
    past = timezone.now() - timedelta(hours=1)
    with pytest.raises(TongbanError, match="开始时间不能早于现在"):
        scheduling.meeting_create(actor=organiser, data=data(w, start=past, confirm_deadline=None))
    with pytest.raises(TongbanError, match="回执截止时间须早于会议开始时间"):
        scheduling.meeting_create(
            actor=organiser, data=data(w, confirm_deadline=start + timedelta(minutes=1))
        )
    assert not Meeting.objects.exists()


def test_only_organisers_create(w: MeetingsWorld) -> None:
    for key in ("scj_clerk", "deputy", "outsider"):
        with pytest.raises(PermissionDenied):
            scheduling.meeting_create(actor=w.users[key], data=data(w))
    assert not Meeting.objects.exists()


def test_update_keeps_attendees_in_step_and_signed_in_rows(w: MeetingsWorld) -> None:
    organiser = w.users["organiser"]
    m = scheduling.meeting_create(actor=organiser, data=data(w))
    # the county head signed in early (e.g. by the organiser): his row must survive
    Attendee.objects.filter(meeting=m, user=w.users["county_head"]).update(signed_in_at=timezone.now())
    d = data(w, people=[], venue_ids=[w.venues["qs_room"].pk], chair_id=w.users["county_head"].pk)
    d["agenda"] = [{"title": "只有一项", "presenter_name": "外请专家"}]
    scheduling.meeting_update(meeting=m, actor=organiser, data=d)
    assert roles(m) == {
        "county_head": AttendeeRole.CHAIR,
        "hall_terminal": AttendeeRole.TERMINAL,
        "qs_terminal": AttendeeRole.TERMINAL,
    }
    assert list(m.agenda.values_list("title", "presenter_name")) == [("只有一项", "外请专家")]
    # dropping the signed-in person from the list keeps the row
    d["chair_id"] = w.users["deputy"].pk
    scheduling.meeting_update(meeting=m, actor=organiser, data=d)
    assert "county_head" in roles(m)


def test_update_refused_for_participants_and_after_start(w: MeetingsWorld) -> None:
    m = make_meeting(w, status="draft")
    for key in ("deputy", "scj_clerk", "hall_terminal", "outsider"):
        with pytest.raises(PermissionDenied):
            scheduling.meeting_update(meeting=m, actor=w.users[key], data=data(w, title="改"))
    m2 = make_meeting(w, title="已开始", starts_at=timezone.now() - timedelta(minutes=5), venues=("hall2",))
    with pytest.raises(TongbanError, match="已开始"):
        scheduling.meeting_update(meeting=m2, actor=w.users["organiser"], data=data(w, title="改"))
    assert Meeting.objects.filter(title="改").count() == 0


def test_seats_cannot_drop_below_confirmed(w: MeetingsWorld) -> None:
    m = make_meeting(w, confirm={"scj": ("scj_head", "scj_staff")})
    d = data(
        w, start=timezone.localtime(m.starts_at), invitations=[{"unit_id": w.units["scj"].pk, "seats": 1}]
    )
    d["force"] = True
    with pytest.raises(TongbanError, match="已回执 2 人参会"):
        scheduling.meeting_update(meeting=m, actor=w.users["organiser"], data=d)
    assert Invitation.objects.get(meeting=m, unit=w.units["scj"]).seats == 2


# --- clashes -----------------------------------------------------------------------------------
def test_venue_clash_and_touching_edges(w: MeetingsWorld) -> None:
    start = _start(hour=8)
    make_meeting(w, starts_at=start, minutes=120, venues=("hall2",), people=(), chair="county_head")
    # 10:00 end vs 10:00 start: no clash
    ok = scheduling.clashes(
        county=w.county,
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=3),
        venue_ids=[w.venues["hall2"].pk],
        user_ids=[],
    )
    assert ok == []
    hit = scheduling.clashes(
        county=w.county,
        starts_at=start + timedelta(minutes=119),
        ends_at=start + timedelta(hours=3),
        venue_ids=[w.venues["hall2"].pk],
        user_ids=[],
    )
    assert [c.kind for c in hit] == ["venue"] and "县政府第二会议室" in hit[0].message
    # a cancelled meeting frees the room
    Meeting.objects.update(status=MeetingStatus.CANCELLED)
    assert (
        scheduling.clashes(
            county=w.county,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            venue_ids=[w.venues["hall2"].pk],
            user_ids=[],
        )
        == []
    )


def test_leader_clash_meetings_and_schedule_entries(w: MeetingsWorld) -> None:
    start = _start(hour=14)
    other = make_meeting(w, starts_at=start, minutes=60, venues=("hall2",), chair="deputy")
    ScheduleEntry.objects.create(
        county=w.county,
        leader=w.users["county_head"],
        starts_at=start + timedelta(minutes=30),
        ends_at=start + timedelta(hours=2),
        title="调研企业复工",
    )
    found = scheduling.clashes(
        county=w.county,
        starts_at=start + timedelta(minutes=15),
        ends_at=start + timedelta(hours=1),
        venue_ids=[],
        user_ids=[w.users["deputy"].pk, w.users["county_head"].pk, w.users["scj_head"].pk],
    )
    assert sorted((c.kind, c.user_id) for c in found) == [
        ("leader", w.users["county_head"].pk),
        ("leader", w.users["deputy"].pk),
    ]
    assert any(c.meeting_id == other.pk for c in found)
    assert any("调研企业复工" in c.message for c in found)
    # the meeting itself is excluded when editing it
    again = scheduling.clashes(
        county=w.county,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        venue_ids=[w.venues["hall2"].pk],
        user_ids=[w.users["deputy"].pk],
        exclude_meeting_id=other.pk,
    )
    assert again == []


def test_clash_refuses_unless_forced(w: MeetingsWorld) -> None:
    start = _start()
    make_meeting(w, starts_at=start, venues=("hall",), chair="county_head", people=())
    with pytest.raises(scheduling.ClashWarning) as exc:
        scheduling.meeting_create(actor=w.users["organiser"], data=data(w, start=start))
    assert {c.kind for c in exc.value.warnings} == {"venue", "leader"}  # the room, and the county head
    assert Meeting.objects.count() == 1
    m = scheduling.meeting_create(actor=w.users["organiser"], data=data(w, start=start, force=True))
    ev = MeetingEvent.objects.get(meeting=m, kind="created")
    assert ev.data["warnings"] and "县政府第一会议室" in ev.data["warnings"][0]


def test_capacity_warning(w: MeetingsWorld) -> None:
    d = data(
        w,
        kind="in_person",
        main_venue_id=w.venues["hall2"].pk,  # 30 seats
        venue_ids=[],
        invitations=[
            {"unit_id": w.units["scj"].pk, "seats": 20},
            {"unit_id": w.units["czj"].pk, "seats": 10},
        ],
    )
    with pytest.raises(scheduling.ClashWarning) as exc:
        scheduling.meeting_create(actor=w.users["organiser"], data=d)
    assert [c.kind for c in exc.value.warnings] == ["capacity"]
    assert "超过会场容纳人数 30 人" in exc.value.warnings[0].message


# --- notices -----------------------------------------------------------------------------------
def test_notify_reaches_the_right_people(w: MeetingsWorld, django_capture_on_commit_callbacks: Any) -> None:
    organiser = w.users["organiser"]
    m = scheduling.meeting_create(actor=organiser, data=data(w))
    with django_capture_on_commit_callbacks(execute=True):
        sent = scheduling.meeting_notify(meeting=m, actor=organiser)
    m.refresh_from_db()
    assert m.status == MeetingStatus.NOTIFIED and m.notified_at is not None
    got = set(Notification.objects.filter(event="meetings.notice").values_list("user__username", flat=True))
    # named attendees + terminals + the confirmers (文书) of the invited units — not the unit leaders
    assert got == {
        "deputy",
        "county_head",
        "scj_head",
        "hall_terminal",
        "qs_terminal",
        "sm_terminal",
        "scj_clerk",
        "qs_clerk",
    }
    assert sent == len(got)
    clerk_note = Notification.objects.get(event="meetings.notice", user=w.users["qs_clerk"])
    assert "/confirm/" in clerk_note.url and "回执" in clerk_note.body and "名额：3" in clerk_note.body
    note = Notification.objects.get(event="meetings.notice", user=w.users["county_head"])
    assert (
        "主会场：县政府第一会议室" in note.body and "分会场：青山镇视频会议室、石门乡视频会议室" in note.body
    )
    assert "请提前 15 分钟到场调试设备" in note.body and note.url == f"/meetings/{m.pk}/"
    assert Delivery.objects.filter(notification__event="meetings.notice", channel="sms").count() == len(got)
    assert MeetingEvent.objects.filter(meeting=m, kind="notified").count() == 1
    # twice is refused and sends nothing more
    with pytest.raises(TongbanError):
        scheduling.meeting_notify(meeting=m, actor=organiser)
    assert Notification.objects.filter(event="meetings.notice").count() == len(got)


def test_notify_refused_for_non_managers(w: MeetingsWorld) -> None:
    m = scheduling.meeting_create(actor=w.users["organiser"], data=data(w))
    for key in ("deputy", "scj_clerk", "outsider"):
        with pytest.raises(PermissionDenied):
            scheduling.meeting_notify(meeting=m, actor=w.users[key])
    m.refresh_from_db()
    assert m.status == MeetingStatus.DRAFT and not Notification.objects.exists()


def test_change_of_time_renotifies_and_new_units_get_the_notice(w: MeetingsWorld) -> None:
    organiser = w.users["organiser"]
    m = scheduling.meeting_create(actor=organiser, data=data(w))
    scheduling.meeting_notify(meeting=m, actor=organiser)
    # a change of the title only: no 会议变更
    scheduling.meeting_update(
        meeting=m, actor=organiser, data=data(w, title="全县安全生产视频调度会（第二次）")
    )
    assert not Notification.objects.filter(event="meetings.changed").exists()
    later = _start(days=4)
    d = data(w, start=later)
    d["invitations"].append({"unit_id": w.units["czj"].pk, "seats": 1})
    scheduling.meeting_update(meeting=m, actor=organiser, data=d)
    changed = set(
        Notification.objects.filter(event="meetings.changed").values_list("user__username", flat=True)
    )
    assert {"county_head", "qs_clerk", "scj_clerk", "qs_terminal"} <= changed and "cz_clerk" not in changed
    assert Notification.objects.filter(event="meetings.notice", user=w.users["cz_clerk"]).count() == 1


def test_cancel_notifies_and_is_final(w: MeetingsWorld) -> None:
    organiser = w.users["organiser"]
    m = make_meeting(w, confirm={"scj": ("scj_head",)})
    with pytest.raises(TongbanError, match="请填写取消原因"):
        scheduling.meeting_cancel(meeting=m, actor=organiser, reason=" ")
    with pytest.raises(PermissionDenied):
        scheduling.meeting_cancel(meeting=m, actor=w.users["deputy"], reason="改期")
    m.refresh_from_db()
    assert m.status == MeetingStatus.NOTIFIED
    scheduling.meeting_cancel(meeting=m, actor=organiser, reason="上级会议改期")
    m.refresh_from_db()
    assert m.status == MeetingStatus.CANCELLED and m.cancelled_reason == "上级会议改期"
    users = set(
        Notification.objects.filter(event="meetings.cancelled").values_list("user__username", flat=True)
    )
    assert {"deputy", "scj_head", "hall_terminal", "scj_clerk", "cz_clerk", "qs_clerk", "sm_clerk"} <= users
    assert "上级会议改期" in Notification.objects.filter(event="meetings.cancelled").first().body  # type: ignore[union-attr]
    with pytest.raises(TongbanError):
        scheduling.meeting_cancel(meeting=m, actor=organiser, reason="再取消")


# --- 参会回执 ------------------------------------------------------------------------------------
def _inv(m: Meeting, w: MeetingsWorld, key: str) -> Invitation:
    return Invitation.objects.get(meeting=m, unit=w.units[key])


def test_confirm_names_people_and_notifies_organiser(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    inv = _inv(m, w, "scj")
    scheduling.invitation_confirm(
        invitation=inv,
        actor=w.users["scj_clerk"],
        people=[
            {"user_id": w.users["scj_head"].pk, "reply": "attend"},
            {"user_id": w.users["scj_staff"].pk, "reply": "leave", "leave_reason": "外出培训"},
        ],
        note="局长参会",
    )
    inv.refresh_from_db()
    assert (
        inv.status == ConfirmStatus.CONFIRMED
        and inv.confirmed_by == w.users["scj_clerk"]
        and inv.note == "局长参会"
    )
    rows = {
        a.user.username: (a.reply, a.leave_reason, a.unit_id) for a in inv.attendees.select_related("user")
    }
    assert rows == {
        "scj_head": (Reply.ATTEND, "", w.units["scj"].pk),
        "scj_staff": (Reply.LEAVE, "外出培训", w.units["scj"].pk),
    }
    assert Notification.objects.filter(event="meetings.confirmed", user=w.users["organiser"]).count() == 1
    assert Notification.objects.filter(event="meetings.notice", user=w.users["scj_head"]).count() == 1
    assert not Notification.objects.filter(event="meetings.notice", user=w.users["scj_staff"]).exists()
    ev = MeetingEvent.objects.get(meeting=m, kind="invitation_confirmed")
    assert ev.actor == w.users["scj_clerk"] and len(ev.data["people"]) == 2
    # re-confirmation replaces the list
    scheduling.invitation_confirm(
        invitation=inv,
        actor=w.users["scj_clerk"],
        people=[{"user_id": w.users["scj_staff"].pk, "reply": "attend"}],
    )
    assert list(inv.attendees.values_list("user__username", "reply")) == [("scj_staff", "attend")]


def test_township_people_sit_in_their_own_venue(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    scheduling.invitation_confirm(
        invitation=_inv(m, w, "qsz"),
        actor=w.users["qs_clerk"],
        people=[{"user_id": w.users["qs_head"].pk, "reply": "attend"}],
    )
    assert Attendee.objects.get(meeting=m, user=w.users["qs_head"]).venue == w.venues["qs_room"]


@pytest.mark.parametrize(
    ("people", "match"),
    [
        (
            [("scj_head", "attend"), ("scj_staff", "attend"), ("scj_clerk", "attend")],
            "名额为 2 人，已填报 3 人",
        ),
        ([("cz_head", "attend")], "本单位在职人员"),
        ([("scj_head", "leave")], "请填写请假事由"),
        ([("scj_head", "maybe")], "选择参会或请假"),
        ([], "至少填报一名"),
        ([("scj_head", "attend"), ("scj_head", "attend")], "重复填报"),
    ],
)
def test_confirm_rules(w: MeetingsWorld, people: list[tuple[str, str]], match: str) -> None:
    m = make_meeting(w)
    inv = _inv(m, w, "scj")
    with pytest.raises(TongbanError, match=match):
        scheduling.invitation_confirm(
            invitation=inv,
            actor=w.users["scj_clerk"],
            people=[{"user_id": w.users[k].pk, "reply": r} for k, r in people],
        )
    inv.refresh_from_db()
    assert inv.status == ConfirmStatus.PENDING and not inv.attendees.exists()


def test_confirm_refused_for_other_units_and_closed_meetings(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    inv = _inv(m, w, "scj")
    people = [{"user_id": w.users["scj_head"].pk, "reply": "attend"}]
    for key in ("cz_clerk", "organiser", "scj_staff", "outsider"):
        with pytest.raises(PermissionDenied):
            scheduling.invitation_confirm(invitation=inv, actor=w.users[key], people=people)
    draft = make_meeting(w, title="草稿", status="draft", venues=("hall2",))
    with pytest.raises(TongbanError, match="不能填报回执"):
        scheduling.invitation_confirm(
            invitation=_inv(draft, w, "scj"), actor=w.users["scj_clerk"], people=people
        )
    started = make_meeting(
        w, title="已开始", starts_at=timezone.now() - timedelta(minutes=1), venues=("hall2",)
    )
    with pytest.raises(TongbanError, match="不能填报回执"):
        scheduling.invitation_confirm(
            invitation=_inv(started, w, "scj"), actor=w.users["scj_clerk"], people=people
        )
    assert not Invitation.objects.filter(status=ConfirmStatus.CONFIRMED).exists()
    assert not Attendee.objects.filter(invitation__isnull=False).exists()


def test_named_leader_cannot_be_named_again_by_unit(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    from tongban.orgs.models import Post

    Post.objects.create(
        county=w.county, user=w.users["deputy"], unit=w.units["scj"], title="联系县领导", is_primary=False
    )
    with pytest.raises(TongbanError, match="已作为主持人参会"):
        scheduling.invitation_confirm(
            invitation=_inv(m, w, "scj"),
            actor=w.users["scj_clerk"],
            people=[{"user_id": w.users["deputy"].pk, "reply": "attend"}],
        )


# --- reminders ---------------------------------------------------------------------------------
def test_reminders_timing_and_no_duplicates(w: MeetingsWorld) -> None:
    now = timezone.now()
    start = now + timedelta(hours=30)
    m = make_meeting(w, starts_at=start, confirm={"scj": ("scj_head",)})
    # deadline in 30 h - 24 h... make_meeting puts it one day before start: 6 h from now → due
    assert m.confirm_deadline is not None and m.confirm_deadline - now < timedelta(hours=24)
    far = make_meeting(w, title="下月会议", starts_at=now + timedelta(days=10), venues=("hall2",))
    assert scheduling.send_confirm_reminders(now) == 3  # czj, qsz, smx of m (scj confirmed)
    assert scheduling.send_confirm_reminders(now + timedelta(hours=11)) == 0
    assert scheduling.send_confirm_reminders(now + timedelta(hours=12, minutes=1)) == 3
    inv = _inv(m, w, "czj")
    assert inv.reminders_sent == 2
    assert not Invitation.objects.filter(meeting=far, reminders_sent__gt=0).exists()
    notes = Notification.objects.filter(event="meetings.confirm_reminder", user=w.users["cz_clerk"])
    assert notes.count() == 2 and "/confirm/" in notes.first().url  # type: ignore[union-attr]
    assert Delivery.objects.filter(notification__in=notes, channel="sms").count() == 2
    assert MeetingEvent.objects.filter(meeting=m, kind="reminder_sent").count() == 6
    # after the start nobody is reminded
    assert scheduling.send_confirm_reminders(start + timedelta(minutes=1)) == 0


# --- materials ---------------------------------------------------------------------------------
def test_material_upload_checks(w: MeetingsWorld, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    m = make_meeting(w)
    organiser = w.users["organiser"]
    pdf = io.BytesIO(b"%PDF-1.4 test")
    mat = scheduling.material_add(meeting=m, actor=organiser, file=pdf, name="../../汇报 材料.pdf")
    assert mat.name == "汇报 材料.pdf" and mat.size == 13 and len(mat.sha256) == 64
    with pytest.raises(TongbanError, match="不支持的文件类型"):
        scheduling.material_add(meeting=m, actor=organiser, file=io.BytesIO(b"MZ..."), name="a.exe")
    with pytest.raises(TongbanError, match="内容与扩展名不符"):
        scheduling.material_add(meeting=m, actor=organiser, file=io.BytesIO(b"hello"), name="a.pdf")
    settings.TONGBAN_MEETING_MATERIAL_MAX_MB = 1
    with pytest.raises(TongbanError, match="超过 1 MB"):
        scheduling.material_add(
            meeting=m, actor=organiser, file=io.BytesIO(b"%PDF-" + b"0" * (1024 * 1024)), name="big.pdf"
        )
    with pytest.raises(PermissionDenied):
        scheduling.material_add(meeting=m, actor=w.users["deputy"], file=io.BytesIO(b"%PDF-1"), name="x.pdf")
    assert MeetingMaterial.objects.count() == 1
