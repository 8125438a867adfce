"""The video API (/api/v1/meetings/{id}/video/...) against a real Janus (signalling only): the
authorization matrix (anonymous, an outsider, a unit's 文书 who can see the meeting but is not
invited, an invited participant trying the chair's actions — refused and nothing changed, in the
database or in Janus), and the chair's and organiser's actions going through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongban.meetings import video
from tongban.meetings.janus import JanusClient
from tongban.meetings.models import Attendee, Meeting, MeetingEvent, MeetingKind, Recording
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.meetings.tests.conftest import use_janus

pytestmark = pytest.mark.django_db

BASE = "/api/v1/meetings"


@pytest.fixture
def jan(settings: Any, janus_signalling: Any) -> Any:
    use_janus(settings, janus_signalling)
    return janus_signalling


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def live(jan: Any, w: MeetingsWorld) -> Meeting:
    m = make_meeting(
        w,
        kind=MeetingKind.VIDEO,
        starts_at=timezone.now() - timedelta(minutes=5),
        confirm={"scj": ("scj_head", "scj_staff")},
        needs_admission=True,
    )
    video.open_room(meeting=m)
    m.refresh_from_db()
    return m


def _as(w: MeetingsWorld, key: str) -> Client:
    c = Client()
    c.force_login(w.users[key])
    return c


def _post(c: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(f"{BASE}/{path}", body or {}, content_type="application/json")


def _acl(jan: Any, m: Meeting) -> set[str]:
    assert m.janus_room is not None
    with JanusClient(jan.url, jan.token_secret, jan.room_admin_key) as jc:
        return set(jc.allowed(room=m.janus_room, secret=m.janus_secret, action="add", tokens=[]))


def _snapshot(m: Meeting) -> tuple[Any, ...]:
    m.refresh_from_db()
    people = tuple(
        Attendee.objects.filter(meeting=m)
        .order_by("pk")
        .values_list("admitted", "removed", "audio_muted", "video_off", "janus_feed")
    )
    return (
        m.janus_room,
        m.room_destroyed_at,
        m.recording,
        m.main_attendee_id,
        m.status,
        people,
        MeetingEvent.objects.filter(meeting=m).count(),
        Recording.objects.filter(meeting=m).count(),
    )


def _chair_actions(m: Meeting, target: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{m.pk}/video/participants/{target}/audio", {"muted": True}),
        (f"{m.pk}/video/participants/{target}/camera", {"off": True}),
        (f"{m.pk}/video/participants/{target}/admit", {}),
        (f"{m.pk}/video/participants/{target}/remove", {}),
        (f"{m.pk}/video/main", {"attendee_id": target}),
        (f"{m.pk}/video/recording", {"on": True}),
        (f"{m.pk}/video/close", {}),
        (f"{m.pk}/video/open", {}),
    ]


def test_refused_roles_change_nothing(jan: Any, w: MeetingsWorld, live: Meeting) -> None:
    m = live
    staff = Attendee.objects.get(meeting=m, user=w.users["scj_staff"])
    head = Attendee.objects.get(meeting=m, user=w.users["scj_head"])
    video.admit(meeting=m, actor=w.users["deputy"], attendee=head)
    before, acl_before = _snapshot(m), _acl(jan, m)
    assert head.join_token in acl_before and staff.join_token not in acl_before

    anonymous = Client()
    for path, body in _chair_actions(m, staff.pk):
        assert _post(anonymous, path, body).status_code == 401
    assert anonymous.get(f"{BASE}/{m.pk}/video/state").status_code == 401
    assert _post(anonymous, f"{m.pk}/video/ticket").status_code == 401

    outsider = _as(w, "outsider")  # cannot see the meeting: 404, like a meeting that does not exist
    for path, body in [*_chair_actions(m, staff.pk), (f"{m.pk}/video/ticket", {})]:
        r = _post(outsider, path, body)
        assert r.status_code == 404 and r.json()["code"] == "meetings.not_found", path
    assert outsider.get(f"{BASE}/{m.pk}/video/state").status_code == 404

    clerk = _as(w, "cz_clerk")  # sees the meeting (confirms for 财政局) but is not invited
    r = _post(clerk, f"{m.pk}/video/ticket")
    assert r.status_code == 403 and r.json()["code"] == "meetings.not_invited"
    assert "参会人员" in r.json()["detail"]
    assert clerk.get(f"{BASE}/{m.pk}/video/state").status_code == 403

    participant = _as(w, "scj_head")  # invited and admitted, but not the chair
    for path, body in _chair_actions(m, staff.pk):
        r = _post(participant, path, body)
        assert r.status_code == 403 and r.json()["code"] == "meetings.not_chair", path
    assert _snapshot(m) == before
    assert _acl(jan, m) == acl_before


def test_ticket_state_and_lobby(jan: Any, w: MeetingsWorld, live: Meeting) -> None:
    m = live
    staff = Attendee.objects.get(meeting=m, user=w.users["scj_staff"])
    r = _post(_as(w, "scj_staff"), f"{m.pk}/video/ticket")
    assert r.status_code == 200
    assert r.json() == {"admitted": False, "attendee_id": staff.pk, "name": "吴科员"}

    chair = _as(w, "deputy")
    r = _post(chair, f"{m.pk}/video/ticket")
    assert r.status_code == 200, r.content
    t = r.json()
    assert t["admitted"] and t["is_chair"] and t["can_control"] and t["room"] == m.janus_room
    assert set(t) >= {
        "janus_url",
        "token",
        "pin",
        "join_token",
        "display",
        "ice_servers",
        "expires_at",
        "grid_sites",
    }
    assert m.janus_secret not in r.content.decode()

    # The waiting person polls; the chair sees them waiting and admits them.
    assert _as(w, "scj_staff").get(f"{BASE}/{m.pk}/video/state").status_code == 200
    st = chair.get(f"{BASE}/{m.pk}/video/state").json()
    row = next(p for p in st["participants"] if p["attendee_id"] == staff.pk)
    assert row["waiting"] is True and st["room_open"] is True and st["me"]["attendee_id"]
    assert _post(chair, f"{m.pk}/video/participants/{staff.pk}/admit").json() == {"ok": True}
    assert staff.join_token in _acl(jan, m)
    t2 = _post(_as(w, "scj_staff"), f"{m.pk}/video/ticket").json()
    assert t2["admitted"] is True and t2["join_token"] in _acl(jan, m)

    # joined: a feed that is not in the room is refused.
    r = _post(_as(w, "scj_staff"), f"{m.pk}/video/joined", {"feed": 123456, "mids": {"audio": "0"}})
    assert r.status_code == 400 and r.json()["code"] == "meetings.feed_unknown"
    # A real join (signalling only, as the page would) is accepted.
    with JanusClient(jan.url, token=t2["token"]) as browser:
        joined = browser.join_publisher(
            room=t2["room"], display=t2["display"], token=t2["join_token"], pin=t2["pin"]
        )
        r = _post(
            _as(w, "scj_staff"),
            f"{m.pk}/video/joined",
            {"feed": joined["id"], "mids": {"audio": "0", "video": "1"}},
        )
        assert r.status_code == 200 and r.json() == {"ok": True}
    staff.refresh_from_db()
    assert staff.janus_feed == joined["id"] and staff.signed_in_at is not None
    assert _post(_as(w, "scj_staff"), f"{m.pk}/video/left").json() == {"ok": True}


def test_chair_and_organiser_controls(jan: Any, w: MeetingsWorld, live: Meeting) -> None:
    m = live
    head = Attendee.objects.get(meeting=m, user=w.users["scj_head"])
    chair, organiser = _as(w, "deputy"), _as(w, "organiser")
    assert _post(chair, f"{m.pk}/video/participants/{head.pk}/audio", {"muted": True}).status_code == 200
    assert _post(organiser, f"{m.pk}/video/participants/{head.pk}/camera", {"off": True}).status_code == 200
    assert _post(chair, f"{m.pk}/video/main", {"attendee_id": head.pk}).status_code == 200
    head.refresh_from_db()
    m.refresh_from_db()
    assert head.audio_muted and head.video_off and m.main_attendee_id == head.pk
    me = _as(w, "scj_head").get(f"{BASE}/{m.pk}/video/state").json()["me"]
    assert me["audio_muted"] is True and me["video_off"] is True
    assert _post(chair, f"{m.pk}/video/main", {"attendee_id": None}).status_code == 200

    assert _post(organiser, f"{m.pk}/video/participants/{head.pk}/admit").status_code == 200
    assert head.join_token in _acl(jan, m)
    r = _post(organiser, f"{m.pk}/video/participants/{head.pk}/remove")
    assert r.status_code == 200
    assert head.join_token not in _acl(jan, m)
    r = _post(_as(w, "scj_head"), f"{m.pk}/video/ticket")
    assert r.status_code == 403 and r.json()["code"] == "meetings.removed"
    chair_row = Attendee.objects.get(meeting=m, user=w.users["deputy"])
    r = _post(organiser, f"{m.pk}/video/participants/{chair_row.pk}/remove")
    assert r.status_code == 400 and r.json()["code"] == "meetings.cannot_remove_chair"

    # Someone of another meeting is not found here.
    other = make_meeting(w, kind=MeetingKind.VIDEO, title="另一会议", confirm={"czj": ("cz_head",)})
    stranger = Attendee.objects.get(meeting=other, user=w.users["cz_head"])
    r = _post(chair, f"{m.pk}/video/participants/{stranger.pk}/audio", {"muted": True})
    assert r.status_code == 404
    assert not Attendee.objects.get(pk=stranger.pk).audio_muted

    r = _post(chair, f"{m.pk}/video/recording", {"on": True})
    assert r.status_code == 200 and r.json()["recording"] is True and r.json()["recording_id"]
    r = _post(organiser, f"{m.pk}/video/recording", {"on": False})
    assert r.status_code == 200 and r.json()["recording"] is False

    r = _post(organiser, f"{m.pk}/video/close")
    assert r.status_code == 200 and r.json()["room_open"] is False
    r = _post(_as(w, "deputy"), f"{m.pk}/video/ticket")
    assert r.status_code == 400 and r.json()["code"] == "meetings.room_not_open"
    r = _post(chair, f"{m.pk}/video/open")
    assert r.status_code == 200 and r.json() == {"ok": True, "room_open": True, "status": "live"}


def test_not_configured_and_bad_input(jan: Any, w: MeetingsWorld, live: Meeting, settings: Any) -> None:
    m = live
    chair = _as(w, "deputy")
    r = _post(chair, f"{m.pk}/video/joined", {"mids": {}})
    assert r.status_code == 422 and r.json()["code"] == "api.invalid"
    r = _post(chair, f"{m.pk}/video/participants/abc/audio", {"muted": True})
    assert r.status_code in (404, 422)
    settings.TONGBAN_JANUS_URL = ""
    r = _post(chair, f"{m.pk}/video/ticket")
    assert r.status_code == 400 and r.json()["code"] == "meetings.video_not_configured"
    assert "尚未配置视频会议服务" in r.json()["detail"]
    in_person = make_meeting(w, kind=MeetingKind.IN_PERSON, title="现场会")
    r = _post(chair, f"{in_person.pk}/video/ticket")
    assert r.status_code == 400 and r.json()["code"] == "meetings.not_video"


def test_session_callers_need_the_csrf_token(jan: Any, w: MeetingsWorld, live: Meeting) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.users["deputy"])
    head = Attendee.objects.get(meeting=live, user=w.users["scj_head"])
    r = c.post(
        f"{BASE}/{live.pk}/video/participants/{head.pk}/audio",
        {"muted": True},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not Attendee.objects.get(pk=head.pk).audio_muted
