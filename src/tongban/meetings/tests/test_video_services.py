"""The video services against a real Janus (signalling only): rooms opened and closed (idempotent,
re-created when Janus lost them), tickets refused for outsiders, removed people, an unconfigured
server and a room not open yet, admission and removal reflected in the room's ACL (a join with the
token is refused or accepted by Janus itself), the chair's flags, recording and the minute job."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.meetings import video
from tongban.meetings.janus import UNAUTHORIZED, JanusClient, JanusError
from tongban.meetings.models import (
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    Recording,
    RecordingStatus,
)
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.meetings.tests.conftest import use_janus

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(settings: Any, janus_signalling: Any) -> Any:
    use_janus(settings, janus_signalling)
    settings.TONGBAN_MEETING_TOKEN_GRACE_MINUTES = 30
    settings.TONGBAN_MEETING_ROOM_LEAD_MINUTES = 30
    return janus_signalling


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


def _live(w: MeetingsWorld, **kw: Any) -> Meeting:
    """A video meeting that started 10 minutes ago; 市场监管局 named 陈局长 and 吴科员."""
    kw.setdefault("starts_at", timezone.now() - timedelta(minutes=10))
    kw.setdefault("confirm", {"scj": ("scj_head", "scj_staff")})
    return make_meeting(w, kind=MeetingKind.VIDEO, **kw)


def _server(inst: Any) -> JanusClient:
    return JanusClient(inst.url, inst.token_secret, inst.room_admin_key)


def _join(
    inst: Any, ticket: dict[str, Any], *, token: str | None = None
) -> tuple[JanusClient, dict[str, Any]]:
    """Join the room as the browser would with this ticket (signalling only); the caller closes it."""
    browser = JanusClient(inst.url, token=ticket["token"])
    browser.open()
    try:
        joined = browser.join_publisher(
            room=ticket["room"],
            display=ticket["display"],
            token=token if token is not None else ticket["join_token"],
            pin=ticket["pin"],
        )
    except BaseException:
        browser.close()
        raise
    return browser, joined


def _attendee(m: Meeting, w: MeetingsWorld, key: str) -> Attendee:
    return Attendee.objects.get(meeting=m, user=w.users[key])


def _room(m: Meeting) -> int:
    assert m.janus_room is not None
    return m.janus_room


def _events(m: Meeting, kind: str) -> int:
    return MeetingEvent.objects.filter(meeting=m, kind=kind).count()


# --- rooms ---------------------------------------------------------------------------------------


def test_open_room_creates_a_private_room_with_the_attendees_tokens_and_is_idempotent(
    jan: Any, w: MeetingsWorld
) -> None:
    m = _live(w)
    video.open_room(meeting=m, actor=w.users["organiser"])
    m.refresh_from_db()
    assert m.janus_room and 100_000_000 <= m.janus_room < 1_000_000_000
    assert m.janus_secret and m.janus_pin and m.room_created_at and m.room_destroyed_at is None
    assert m.status == MeetingStatus.LIVE
    attendees = list(Attendee.objects.filter(meeting=m))
    assert all(a.join_token and a.admitted for a in attendees)
    with _server(jan) as jc:
        info = jc.room_info(room=_room(m))
        assert info and info["is_private"] and info["pin_required"] and info["require_pvtid"]
        assert info["max_publishers"] == len(attendees)
        acl = jc.allowed(room=_room(m), secret=m.janus_secret, action="add", tokens=[])
    assert set(acl) == {a.join_token for a in attendees}
    assert _events(m, "room_opened") == 1

    room, secret = m.janus_room, m.janus_secret
    video.open_room(meeting=m)
    m.refresh_from_db()
    assert (m.janus_room, m.janus_secret) == (room, secret)
    assert _events(m, "room_opened") == 1


def test_a_room_janus_lost_is_recreated_with_the_same_number(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w)
    video.open_room(meeting=m)
    m.refresh_from_db()
    with _server(jan) as jc:
        jc.destroy_room(room=_room(m), secret=m.janus_secret)
    video.open_room(meeting=m)
    with _server(jan) as jc:
        assert jc.exists(room=_room(m))
    assert MeetingEvent.objects.filter(meeting=m, kind="room_opened").last().data["recreated"] is True


def test_rooms_are_opened_only_for_notified_video_meetings(jan: Any, w: MeetingsWorld, settings: Any) -> None:
    in_person = make_meeting(w, kind=MeetingKind.IN_PERSON, starts_at=timezone.now())
    with pytest.raises(TongbanError) as err:
        video.open_room(meeting=in_person)
    assert err.value.code == "meetings.not_video"
    draft = _live(w, status=MeetingStatus.DRAFT, title="草稿会议")
    with pytest.raises(TongbanError) as err:
        video.open_room(meeting=draft)
    assert err.value.code == "meetings.room_cannot_open"
    over = _live(w, title="早已结束", starts_at=timezone.now() - timedelta(hours=5))
    with pytest.raises(TongbanError) as err:
        video.open_room(meeting=over)
    assert err.value.code == "meetings.room_cannot_open"
    settings.TONGBAN_JANUS_URL = ""
    fresh = _live(w, title="未配置")
    with pytest.raises(TongbanError) as err:
        video.open_room(meeting=fresh)
    assert err.value.code == "meetings.video_not_configured"
    assert not Meeting.objects.filter(janus_room__isnull=False).exists()
    assert not MeetingEvent.objects.filter(kind="room_opened").exists()


def test_an_unreachable_janus_is_a_503_and_changes_nothing(jan: Any, w: MeetingsWorld, settings: Any) -> None:
    m = _live(w)
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:9/janus"
    with pytest.raises(video.VideoUnavailable) as err:
        video.open_room(meeting=m)
    assert err.value.status == 503 and "视频会议服务" in str(err.value)
    m.refresh_from_db()
    assert m.janus_room is None and m.status == MeetingStatus.NOTIFIED
    assert not Attendee.objects.filter(meeting=m).exclude(join_token="").exists()


def test_close_room_destroys_it_once_and_ends_a_finished_meeting(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w, starts_at=timezone.now() - timedelta(minutes=100))  # 90 minutes: ended 10 min ago
    video.open_room(meeting=m)
    m.refresh_from_db()
    video.close_room(meeting=m, actor=w.users["organiser"])
    m.refresh_from_db()
    assert m.room_destroyed_at is not None and m.status == MeetingStatus.ENDED
    with _server(jan) as jc:
        assert jc.exists(room=_room(m)) is False
    video.close_room(meeting=m)
    assert _events(m, "room_closed") == 1
    with pytest.raises(TongbanError) as err:
        video.ticket(meeting=m, user=w.users["deputy"])
    assert err.value.code == "meetings.room_not_open"


# --- tickets -------------------------------------------------------------------------------------


def test_ticket_lets_an_attendee_join_and_janus_checks_it(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w)
    video.open_room(meeting=m)
    m.refresh_from_db()
    t = video.ticket(meeting=m, user=w.users["scj_head"])
    a = _attendee(m, w, "scj_head")
    assert t["admitted"] is True and t["attendee_id"] == a.pk and t["name"] == "陈局长"
    assert t["room"] == m.janus_room and t["pin"] == m.janus_pin and t["join_token"] == a.join_token
    assert t["display"] == f"{a.pk}|陈局长" and t["is_chair"] is False and t["can_control"] is False
    assert "secret" not in t and m.janus_secret not in str(t)
    assert t["janus_url"] == jan.public_url and t["ice_servers"] == [] and t["grid_sites"] == 11
    expiry = int((m.ends_at + timedelta(minutes=30)).timestamp())
    data, sig = t["token"].split(":")
    assert data == f"{expiry},janus,janus.plugin.videoroom"
    assert (
        sig
        == base64.b64encode(
            hmac.new(jan.token_secret.encode(), data.encode(), hashlib.sha1).digest()
        ).decode()
    )

    browser, joined = _join(jan, t)
    try:
        video.report_joined(
            meeting=m, user=w.users["scj_head"], feed=joined["id"], mids={"audio": "0", "video": "1"}
        )
        a.refresh_from_db()
        assert a.janus_feed == joined["id"] and a.janus_mids == {"audio": "0", "video": "1"}
        assert a.joined_at and a.signed_in_at and a.sign_method == "video"
        assert _events(m, "joined") == 1
        # Someone else's feed (or a made-up one) is not accepted as yours.
        with pytest.raises(TongbanError) as err:
            video.report_joined(meeting=m, user=w.users["scj_staff"], feed=joined["id"], mids={})
        assert err.value.code == "meetings.feed_unknown"
        assert _attendee(m, w, "scj_staff").janus_feed is None
    finally:
        browser.close()
    video.report_left(meeting=m, user=w.users["scj_head"])
    a.refresh_from_db()
    assert a.janus_feed is None and _events(m, "left") == 1


def test_janus_refuses_a_token_not_on_the_rooms_list(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w)
    video.open_room(meeting=m)
    m.refresh_from_db()
    t = video.ticket(meeting=m, user=w.users["scj_staff"])
    with pytest.raises(JanusError) as err:
        _join(jan, t, token="made-up-token")
    assert err.value.code == UNAUTHORIZED


def test_ticket_refusals(jan: Any, w: MeetingsWorld, settings: Any) -> None:
    m = _live(w, starts_at=timezone.now() + timedelta(hours=3))
    for key in ("outsider", "cz_clerk"):  # no post / a unit's 文书 who only fills in the 回执
        with pytest.raises(PermissionDenied) as err:
            video.ticket(meeting=m, user=w.users[key])
        assert err.value.code == "meetings.not_invited"
    with pytest.raises(TongbanError) as err:
        video.ticket(meeting=m, user=w.users["scj_head"])
    assert err.value.code == "meetings.room_not_open"
    opens = timezone.localtime(m.starts_at - timedelta(minutes=30)).strftime("%H:%M")
    assert opens in str(err.value)
    in_person = make_meeting(w, kind=MeetingKind.IN_PERSON, title="现场会")
    with pytest.raises(TongbanError) as err:
        video.ticket(meeting=in_person, user=w.users["deputy"])
    assert err.value.code == "meetings.not_video"
    settings.TONGBAN_JANUS_URL = ""
    with pytest.raises(TongbanError) as err:
        video.ticket(meeting=m, user=w.users["scj_head"])
    assert err.value.code == "meetings.video_not_configured" and err.value.status == 400
    assert not Attendee.objects.filter(meeting=m).exclude(join_token="").exists()


def test_an_organiser_who_is_not_an_attendee_gets_a_ticket_and_a_row(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w)
    video.open_room(meeting=m)
    assert not Attendee.objects.filter(meeting=m, user=w.users["organiser"]).exists()
    t = video.ticket(meeting=m, user=w.users["organiser"])
    a = _attendee(m, w, "organiser")
    assert a.role == AttendeeRole.ORGANISER and a.admitted and t["can_control"] is True
    browser, _joined = _join(jan, t)
    browser.close()


def test_admission_and_removal_change_the_rooms_list(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w, needs_admission=True)
    video.open_room(meeting=m)
    m.refresh_from_db()
    staff = _attendee(m, w, "scj_staff")
    assert staff.admitted is False and _attendee(m, w, "deputy").admitted is True  # the chair
    assert _attendee(m, w, "qs_terminal").admitted is True
    waiting = video.ticket(meeting=m, user=w.users["scj_staff"])
    assert waiting == {"admitted": False, "attendee_id": staff.pk, "name": "吴科员"}
    staff.refresh_from_db()
    chair = _attendee(m, w, "deputy")
    chair_ticket = video.ticket(meeting=m, user=w.users["deputy"])
    assert chair_ticket["is_chair"] and chair_ticket["can_control"]
    # Janus itself refuses the waiting person's token.
    fake = {**chair_ticket, "display": f"{staff.pk}|吴科员"}
    with pytest.raises(JanusError) as err:
        _join(jan, fake, token=staff.join_token)
    assert err.value.code == UNAUTHORIZED

    with pytest.raises(PermissionDenied):
        video.admit(meeting=m, actor=w.users["scj_head"], attendee=staff)
    video.admit(meeting=m, actor=w.users["deputy"], attendee=staff)
    t = video.ticket(meeting=m, user=w.users["scj_staff"])
    assert t["admitted"] is True
    browser, joined = _join(jan, t)
    try:
        video.report_joined(meeting=m, user=w.users["scj_staff"], feed=joined["id"], mids={"audio": "0"})
        video.remove(meeting=m, actor=w.users["organiser"], attendee=staff)
        staff.refresh_from_db()
        assert staff.removed and not staff.admitted and staff.janus_feed is None
        with _server(jan) as jc:
            assert jc.list_participants(room=_room(m)) == []  # kicked
            acl = jc.allowed(room=_room(m), secret=m.janus_secret, action="add", tokens=[])
        assert staff.join_token not in acl and chair.join_token in acl
    finally:
        browser.close()
    with pytest.raises(JanusError) as err:
        _join(jan, t)
    assert err.value.code == UNAUTHORIZED
    with pytest.raises(PermissionDenied) as err:
        video.ticket(meeting=m, user=w.users["scj_staff"])
    assert err.value.code == "meetings.removed"
    with pytest.raises(TongbanError) as err:
        video.remove(meeting=m, actor=w.users["organiser"], attendee=chair)
    assert err.value.code == "meetings.cannot_remove_chair"
    # Admitting again lifts the removal.
    video.admit(meeting=m, actor=w.users["deputy"], attendee=staff)
    t = video.ticket(meeting=m, user=w.users["scj_staff"])
    browser, _joined = _join(jan, t)
    browser.close()
    assert [
        e.kind
        for e in MeetingEvent.objects.filter(meeting=m, attendee=staff, kind__in=("admitted", "removed"))
    ] == [
        "admitted",
        "removed",
        "admitted",
    ]


def test_chair_flags_and_main_site(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w)
    video.open_room(meeting=m)
    m.refresh_from_db()
    head = _attendee(m, w, "scj_head")
    t = video.ticket(meeting=m, user=w.users["scj_head"])
    browser, joined = _join(jan, t)
    try:
        video.report_joined(
            meeting=m, user=w.users["scj_head"], feed=joined["id"], mids={"audio": "0", "video": "1"}
        )
        with pytest.raises(PermissionDenied):
            video.set_audio(meeting=m, actor=w.users["scj_staff"], attendee=head, muted=True)
        assert not Attendee.objects.get(pk=head.pk).audio_muted
        video.set_audio(meeting=m, actor=w.users["deputy"], attendee=head, muted=True)
        video.set_audio(meeting=m, actor=w.users["deputy"], attendee=head, muted=True)  # no second event
        video.set_camera(meeting=m, actor=w.users["organiser"], attendee=head, off=True)
        head.refresh_from_db()
        assert head.audio_muted and head.video_off
        assert _events(m, "audio_muted") == 1 and _events(m, "video_off") == 1
        video.set_audio(meeting=m, actor=w.users["deputy"], attendee=head, muted=False)
        assert _events(m, "audio_unmuted") == 1
        video.set_main(meeting=m, actor=w.users["deputy"], attendee=head)
        m.refresh_from_db()
        assert m.main_attendee_id == head.pk
        st = video.state(meeting=m, user=w.users["scj_staff"])
        assert st["main_attendee"] == head.pk and st["room_open"] is True and st["status"] == "live"
        row = next(p for p in st["participants"] if p["attendee_id"] == head.pk)
        assert row["online"] and row["feed"] == joined["id"] and row["video_off"] and not row["audio_muted"]
        assert row["unit"] == "市场监管局"
        assert st["me"]["attendee_id"] == _attendee(m, w, "scj_staff").pk
        video.set_main(meeting=m, actor=w.users["deputy"], attendee=None)
        m.refresh_from_db()
        assert m.main_attendee_id is None
    finally:
        browser.close()
    other = _live(w, title="另一会议")
    with pytest.raises(TongbanError):
        video.set_audio(
            meeting=m, actor=w.users["deputy"], attendee=_attendee(other, w, "scj_head"), muted=True
        )


def test_state_marks_waiting_people_and_refuses_outsiders(jan: Any, w: MeetingsWorld) -> None:
    m = _live(w, needs_admission=True)
    video.open_room(meeting=m)
    staff = _attendee(m, w, "scj_staff")
    video.state(meeting=m, user=w.users["scj_staff"])
    st = video.state(meeting=m, user=w.users["deputy"])
    row = next(p for p in st["participants"] if p["attendee_id"] == staff.pk)
    assert row["waiting"] is True and row["online"] is True and row["feed"] is None
    Attendee.objects.filter(pk=staff.pk).update(last_seen_at=timezone.now() - timedelta(seconds=20))
    st = video.state(meeting=m, user=w.users["deputy"])
    assert next(p for p in st["participants"] if p["attendee_id"] == staff.pk)["online"] is False
    with pytest.raises(PermissionDenied):
        video.state(meeting=m, user=w.users["outsider"])


def test_recording_sets_the_folder_in_janus_and_hands_over_to_the_converter(
    jan: Any, w: MeetingsWorld, django_capture_on_commit_callbacks: Any
) -> None:
    m = _live(w)
    with pytest.raises(TongbanError):
        video.recording(meeting=m, actor=w.users["deputy"], on=True)  # the room is not open
    video.open_room(meeting=m)
    m.refresh_from_db()
    with pytest.raises(PermissionDenied):
        video.recording(meeting=m, actor=w.users["scj_head"], on=True)
    assert not Recording.objects.exists()
    rec = video.recording(meeting=m, actor=w.users["deputy"], on=True)
    assert rec is not None and rec.status == RecordingStatus.RECORDING and rec.started_by == w.users["deputy"]
    folder = jan.recordings_dir / str(m.pk) / str(rec.pk)
    assert folder.is_dir() and rec.source_dir == str(folder)
    with _server(jan) as jc:
        info = jc.room_info(room=_room(m))
    assert info and info["record"] is True and info["rec_dir"] == str(folder)
    m.refresh_from_db()
    assert m.recording is True
    assert video.recording(meeting=m, actor=w.users["deputy"], on=True).pk == rec.pk  # idempotent
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stopped = video.recording(meeting=m, actor=w.users["organiser"], on=False)
    assert stopped is not None and stopped.pk == rec.pk and len(callbacks) == 1
    rec.refresh_from_db()
    assert rec.stopped_at is not None and rec.status != RecordingStatus.RECORDING
    with _server(jan) as jc:
        assert (jc.room_info(room=_room(m)) or {})["record"] is False
    m.refresh_from_db()
    assert m.recording is False
    assert _events(m, "recording_started") == 1 and _events(m, "recording_stopped") == 1
    assert video.recording(meeting=m, actor=w.users["organiser"], on=False) is None


def test_turn_credentials(settings: Any) -> None:
    settings.TONGBAN_TURN_URLS = []
    assert video.turn_servers(user_id=7, expiry=1_900_000_000) == []
    settings.TONGBAN_TURN_URLS = ["turn:10.0.0.1:3478"]
    settings.TONGBAN_TURN_SECRET = "turn-secret"
    [entry] = video.turn_servers(user_id=7, expiry=1_900_000_000)
    assert entry["urls"] == ["turn:10.0.0.1:3478"] and entry["username"] == "1900000000:7"
    expected = base64.b64encode(hmac.new(b"turn-secret", b"1900000000:7", hashlib.sha1).digest()).decode()
    assert entry["credential"] == expected


# --- the minute job and health -------------------------------------------------------------------


def test_rooms_tick_opens_soon_closes_over_and_leaves_a_closed_room_closed(
    jan: Any, w: MeetingsWorld, settings: Any
) -> None:
    now = timezone.now()
    soon = _live(w, title="即将开始", starts_at=now + timedelta(minutes=10))
    later = _live(w, title="下午开", starts_at=now + timedelta(hours=3))
    over = _live(w, title="已结束", starts_at=now - timedelta(minutes=140))  # ended 50 min ago
    by_hand = _live(w, title="手动关闭")
    in_person = make_meeting(
        w, kind=MeetingKind.IN_PERSON, title="现场", starts_at=now + timedelta(minutes=5)
    )
    # ``over`` had its room opened while it ran.
    Meeting.objects.filter(pk=over.pk).update(
        starts_at=now - timedelta(minutes=60), ends_at=now + timedelta(minutes=30)
    )
    video.open_room(meeting=Meeting.objects.get(pk=over.pk))
    Meeting.objects.filter(pk=over.pk).update(
        starts_at=now - timedelta(minutes=140), ends_at=now - timedelta(minutes=50)
    )
    video.open_room(meeting=by_hand)
    video.close_room(meeting=by_hand)

    assert video.rooms_tick() == "open=1 closed=1 failed=0"
    for m in (soon, later, over, by_hand, in_person):
        m.refresh_from_db()
    assert video.is_room_open(soon) and soon.status == MeetingStatus.NOTIFIED  # opens 30 min ahead
    assert later.janus_room is None and in_person.janus_room is None
    assert over.room_destroyed_at is not None and over.status == MeetingStatus.ENDED
    assert by_hand.room_destroyed_at is not None
    with _server(jan) as jc:
        assert jc.exists(room=_room(soon)) and not jc.exists(room=_room(over))
    # Run twice: nothing new (the open room is only checked).
    video.rooms_tick()
    assert _events(soon, "room_opened") == 1
    settings.TONGBAN_JANUS_URL = ""
    assert video.rooms_tick() == "video not configured"


def test_rooms_tick_is_scheduled_every_minute() -> None:
    from tongban.core import schedule
    from tongban.meetings import tasks_video

    job = {j.job_id: j for j in schedule.jobs()}["meetings.video_rooms"]
    assert job.task is tasks_video.rooms_tick and job.seconds == 60


def test_healthz_reports_janus(jan: Any, client: Any, settings: Any) -> None:
    body = client.get("/healthz").json()
    assert body["checks"]["janus"] == {"ok": True, "version": "1.1.2"}
    assert jan.token_secret not in str(body) and jan.room_admin_key not in str(body)
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:9/janus"
    started = time.monotonic()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert r.json()["checks"]["janus"] == {"ok": False, "error": "unreachable"}
    assert time.monotonic() - started < 5
    settings.TONGBAN_JANUS_URL = ""
    assert "janus" not in client.get("/healthz").json()["checks"]
