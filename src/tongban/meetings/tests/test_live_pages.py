"""The video meeting pages without a browser: who gets the meeting room page (/meetings/<pk>/live/)
and what it explains (video not configured, room not open, removed, not a video meeting), and the
venue terminal's big screen (/meetings/terminal/)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.meetings.models import Attendee, Meeting, MeetingEvent, MeetingKind, MeetingStatus
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> MeetingsWorld:
    return build_world()


def _client(w: MeetingsWorld, key: str) -> Client:
    c = Client()
    c.force_login(w.users[key])
    return c


def _open(meeting: Meeting) -> None:
    meeting.janus_room = 7_000_000 + meeting.pk
    meeting.room_created_at = timezone.now()
    meeting.save(update_fields=["janus_room", "room_created_at"])


def _config(resp: Any) -> dict[str, Any]:
    html = resp.content.decode()
    start = html.index('<script id="tb-live-config" type="application/json">') + len(
        '<script id="tb-live-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def live_meeting(world: MeetingsWorld, settings: Any) -> Meeting:
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:9/janus"
    m = make_meeting(
        world,
        kind=MeetingKind.VIDEO,
        starts_at=timezone.now() - timedelta(minutes=5),
        minutes=60,
        confirm={"scj": ("scj_head",)},
    )
    _open(m)
    return m


def test_anonymous_is_sent_to_login(live_meeting: Meeting) -> None:
    resp = Client().get(reverse("meetings_video:live", kwargs={"pk": live_meeting.pk}))
    assert resp.status_code == 302 and "/account/login/" in resp["Location"]


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("outsider", 404),  # no post anywhere
        ("by_clerk", 404),  # 白云镇 is not invited
        ("cz_head", 403),  # 财政局's head confirms for the invited unit (sees the meeting), is not named
        ("scj_clerk", 403),  # sees the meeting (fills in the 回执) but is not an attendee
        ("scj_staff", 404),
        ("deputy", 200),  # the chair
        ("scj_head", 200),  # named in the 回执
        ("qs_terminal", 200),  # the venue terminal of 青山镇
        ("organiser", 200),  # the organiser (controls the room)
    ],
)
def test_who_gets_the_room_page(world: MeetingsWorld, live_meeting: Meeting, user: str, status: int) -> None:
    before = MeetingEvent.objects.count(), list(Attendee.objects.values_list("id", "admitted", "joined_at"))
    resp = _client(world, user).get(reverse("meetings_video:live", kwargs={"pk": live_meeting.pk}))
    assert resp.status_code == status
    if status == 403:
        assert "不是本次会议的参会人员" in resp.content.decode()
        assert b"janus.js" not in resp.content
    if status == 200:
        assert b"vendor/janus-gateway-1.1.2/janus.js" in resp.content
        assert b"vendor/webrtc-adapter-8.2.0/adapter.js" in resp.content
        assert _config(resp)["state"] == "ready"
    # opening the page changes nothing
    assert (
        MeetingEvent.objects.count(),
        list(Attendee.objects.values_list("id", "admitted", "joined_at")),
    ) == before


def test_missing_meeting_is_404(world: MeetingsWorld) -> None:
    assert _client(world, "deputy").get("/meetings/999999/live/").status_code == 404


def test_chair_panel_only_for_those_who_control(world: MeetingsWorld, live_meeting: Meeting) -> None:
    url = reverse("meetings_video:live", kwargs={"pk": live_meeting.pk})
    chair = _client(world, "deputy").get(url)
    assert b'id="live-chair"' in chair.content and _config(chair)["canControl"] is True
    assert (
        _config(chair)["meAttendeeId"]
        == Attendee.objects.get(meeting=live_meeting, user=world.users["deputy"]).pk
    )
    participant = _client(world, "scj_head").get(url)
    assert b'id="live-chair"' not in participant.content and _config(participant)["canControl"] is False
    # the page carries the buttons and the API addresses live.js needs
    body = participant.content.decode()
    for text in ("静音", "关闭摄像头", "离开会议", live_meeting.title):
        assert text in body
    cfg = _config(participant)
    assert cfg["urls"]["ticket"] == f"/api/v1/meetings/{live_meeting.pk}/video/ticket"
    assert cfg["gridSites"] == 11
    assert cfg["strings"]["mutedByChair"].startswith("主持人已将您静音")


def test_not_configured_is_explained(world: MeetingsWorld, live_meeting: Meeting, settings: Any) -> None:
    settings.TONGBAN_JANUS_URL = ""
    resp = _client(world, "scj_head").get(reverse("meetings_video:live", kwargs={"pk": live_meeting.pk}))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="live-msg-not-configured"' in body and "尚未配置视频会议服务" in body
    assert "janus.js" not in body and _config(resp)["state"] == "not_configured"


def test_room_not_open_says_when(world: MeetingsWorld, settings: Any) -> None:
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:9/janus"
    settings.TONGBAN_MEETING_ROOM_LEAD_MINUTES = 30
    starts = timezone.now() + timedelta(hours=3)
    m = make_meeting(world, kind=MeetingKind.VIDEO, starts_at=starts)
    resp = _client(world, "deputy").get(reverse("meetings_video:live", kwargs={"pk": m.pk}))
    body = resp.content.decode()
    opens = timezone.localtime(starts - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert 'id="live-msg-not-open"' in body and opens in body and "会前 30 分钟" in body
    # the page waits for the room (live.js polls and joins when it opens)
    assert _config(resp)["state"] == "not_open" and "janus.js" in body


def test_removed_attendee_is_told(world: MeetingsWorld, live_meeting: Meeting) -> None:
    Attendee.objects.filter(meeting=live_meeting, user=world.users["scj_head"]).update(removed=True)
    resp = _client(world, "scj_head").get(reverse("meetings_video:live", kwargs={"pk": live_meeting.pk}))
    assert resp.status_code == 200
    assert 'id="live-msg-removed"' in resp.content.decode() and "janus.js" not in resp.content.decode()


def test_in_person_meeting_has_no_room(world: MeetingsWorld, settings: Any) -> None:
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:9/janus"
    m = make_meeting(world, kind=MeetingKind.IN_PERSON)
    resp = _client(world, "deputy").get(reverse("meetings_video:live", kwargs={"pk": m.pk}))
    assert 'id="live-msg-not-video"' in resp.content.decode()


def test_ended_and_cancelled(world: MeetingsWorld, live_meeting: Meeting) -> None:
    url = reverse("meetings_video:live", kwargs={"pk": live_meeting.pk})
    Meeting.objects.filter(pk=live_meeting.pk).update(room_destroyed_at=timezone.now())
    assert 'id="live-msg-ended"' in _client(world, "deputy").get(url).content.decode()
    Meeting.objects.filter(pk=live_meeting.pk).update(status=MeetingStatus.CANCELLED)
    body = _client(world, "deputy").get(url).content.decode()
    assert "本次会议已取消" in body and "janus.js" not in body


def test_title_is_escaped(world: MeetingsWorld, live_meeting: Meeting) -> None:
    Meeting.objects.filter(pk=live_meeting.pk).update(title="<script>alert(1)</script>会议")
    body = (
        _client(world, "deputy").get(reverse("meetings_video:live", kwargs={"pk": live_meeting.pk})).content
    )
    assert b"<script>alert(1)</script>" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- the venue terminal's big screen -------------------------------------------------------------


def test_terminal_lists_todays_meetings_of_its_venue(world: MeetingsWorld, settings: Any) -> None:
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:9/janus"
    now = timezone.localtime()
    today_start = now.replace(hour=0, minute=1, second=0, microsecond=0)
    ongoing = make_meeting(
        world, title="今天的视频会", kind=MeetingKind.VIDEO, starts_at=now - timedelta(minutes=5)
    )
    _open(ongoing)
    tomorrow = make_meeting(
        world,
        title="明天的视频会",
        kind=MeetingKind.VIDEO,
        starts_at=today_start + timedelta(days=1, hours=9),
    )
    elsewhere = make_meeting(
        world,
        title="别处的视频会",
        kind=MeetingKind.VIDEO,
        starts_at=now - timedelta(minutes=5),
        venues=("hall",),
    )
    draft = make_meeting(
        world,
        title="草稿会",
        kind=MeetingKind.VIDEO,
        starts_at=now - timedelta(minutes=5),
        status=MeetingStatus.DRAFT,
    )
    resp = _client(world, "qs_terminal").get(reverse("meetings_video:terminal"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "青山镇视频会议室" in body and ongoing.title in body
    assert reverse("meetings_video:live", kwargs={"pk": ongoing.pk}) in body and "进入会议" in body
    for other in (tomorrow, elsewhere, draft):
        assert other.title not in body
    # the county hall's terminal sees the other one
    hall = _client(world, "hall_terminal").get(reverse("meetings_video:terminal")).content.decode()
    assert elsewhere.title in hall and ongoing.title in hall


def test_terminal_without_meetings(world: MeetingsWorld) -> None:
    body = _client(world, "sm_terminal").get(reverse("meetings_video:terminal")).content.decode()
    assert 'id="tb-terminal-empty"' in body


@pytest.mark.parametrize("user", ["scj_head", "outsider", "organiser"])
def test_terminal_page_is_for_terminals_only(world: MeetingsWorld, user: str) -> None:
    resp = _client(world, user).get(reverse("meetings_video:terminal"))
    assert resp.status_code == 403 and "会场终端账号" in resp.content.decode()


def test_terminal_page_needs_login() -> None:
    resp = Client().get(reverse("meetings_video:terminal"))
    assert resp.status_code == 302
