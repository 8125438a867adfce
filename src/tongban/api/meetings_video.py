"""REST endpoints of the meetings' video part (/api/v1/meetings/{id}/video/...), used by the
meeting room page (live.js, session + CSRF) and by integrations (bearer token).

Every endpoint loads the meeting with ``access.get_meeting_for`` (404 for anyone who may not see
it); the services check the rest (an attendee for tickets and state, ``can_control`` for the
chair's actions). Thin: parse, load, call one service in ``tongban.meetings.video``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tongban.api.common import Id, caller, errors
from tongban.core.errors import NotFound
from tongban.meetings import access, video
from tongban.meetings.models import Attendee, Meeting

router = Router(tags=["会议：视频会议"])


# --- schemas -------------------------------------------------------------------------------------
class VideoOkOut(Schema):
    ok: bool


class IceServerOut(Schema):
    urls: list[str]
    username: str
    credential: str


class TicketOut(Schema):
    admitted: bool
    attendee_id: int
    name: str
    janus_url: str | None = None
    token: str | None = None
    room: int | None = None
    pin: str | None = None
    join_token: str | None = None
    display: str | None = None
    is_chair: bool | None = None
    can_control: bool | None = None
    ice_servers: list[IceServerOut] | None = None
    expires_at: str | None = None
    grid_sites: int | None = None


class MidsIn(Schema):
    audio: str | None = None
    video: str | None = None


class JoinedIn(Schema):
    feed: int
    mids: MidsIn = MidsIn()


class VideoMeOut(Schema):
    attendee_id: int | None
    admitted: bool
    removed: bool
    audio_muted: bool
    video_off: bool


class ParticipantOut(Schema):
    attendee_id: int
    name: str
    unit: str
    venue: str
    role: str
    feed: int | None
    audio_muted: bool
    video_off: bool
    admitted: bool
    removed: bool
    online: bool
    waiting: bool


class StateOut(Schema):
    status: str
    room_open: bool
    main_attendee: int | None
    recording: bool
    me: VideoMeOut
    participants: list[ParticipantOut]


class MutedIn(Schema):
    muted: bool


class CameraIn(Schema):
    off: bool


class MainIn(Schema):
    attendee_id: int | None = None


class RecordingIn(Schema):
    on: bool


class VideoRecordingOut(Schema):
    ok: bool
    recording: bool
    recording_id: int | None


class RoomOut(Schema):
    ok: bool
    room_open: bool
    status: str


# --- helpers -------------------------------------------------------------------------------------
def _meeting(request: HttpRequest, id: int) -> tuple[Any, Meeting]:
    user = caller(request)
    return user, access.get_meeting_for(user, id)


# --- endpoints -----------------------------------------------------------------------------------
@router.post(
    "{id}/video/ticket",
    response={200: TicketOut, **errors(400, 403, 404, 503)},
    exclude_none=True,
    summary="入会凭证",
)
def ticket(request: HttpRequest, id: Id) -> dict[str, Any]:
    """入会凭证: Janus's address, a signed token (expires after the meeting), the room, its PIN and
    this attendee's join token. ``admitted: false`` — wait in the lobby and poll ``state``."""
    user, meeting = _meeting(request, id)
    return video.ticket(meeting=meeting, user=user)


@router.post(
    "{id}/video/joined", response={200: VideoOkOut, **errors(400, 403, 404, 503)}, summary="报告已入会"
)
def joined(request: HttpRequest, id: Id, payload: JoinedIn) -> dict[str, Any]:
    """The page joined the room as ``feed`` (checked in Janus's participant list)."""
    user, meeting = _meeting(request, id)
    video.report_joined(meeting=meeting, user=user, feed=payload.feed, mids=payload.mids.dict())
    return {"ok": True}


@router.post("{id}/video/left", response={200: VideoOkOut, **errors(403, 404)}, summary="报告已离会")
def left(request: HttpRequest, id: Id) -> dict[str, Any]:
    user, meeting = _meeting(request, id)
    video.report_left(meeting=meeting, user=user)
    return {"ok": True}


@router.get("{id}/video/state", response={200: StateOut, **errors(403, 404)}, summary="会议室状态")
def state(request: HttpRequest, id: Id) -> dict[str, Any]:
    """The room as everyone sees it: who is online, muted, waiting; the main site; recording."""
    user, meeting = _meeting(request, id)
    return video.state(meeting=meeting, user=user)


def _attendee_id(meeting: Meeting, attendee_id: int) -> int:
    """404 for an attendee of another meeting (the service locks and re-checks the row)."""
    if not Attendee.objects.filter(pk=attendee_id, meeting=meeting).exists():
        raise NotFound("meetings.attendee_not_found", _("该参会人员不存在。"))
    return attendee_id


@router.post(
    "{id}/video/participants/{attendee_id}/audio",
    response={200: VideoOkOut, **errors(400, 403, 404, 503)},
    summary="静音 / 取消静音",
)
def participant_audio(request: HttpRequest, id: Id, attendee_id: Id, payload: MutedIn) -> dict[str, Any]:
    """静音 / 解除静音 (chair and organisers)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    video.set_audio(
        meeting=meeting, actor=user, attendee=_attendee_id(meeting, attendee_id), muted=payload.muted
    )
    return {"ok": True}


@router.post(
    "{id}/video/participants/{attendee_id}/camera",
    response={200: VideoOkOut, **errors(400, 403, 404, 503)},
    summary="关闭 / 打开摄像头",
)
def participant_camera(request: HttpRequest, id: Id, attendee_id: Id, payload: CameraIn) -> dict[str, Any]:
    """关闭画面 / 恢复画面 (chair and organisers)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    video.set_camera(
        meeting=meeting, actor=user, attendee=_attendee_id(meeting, attendee_id), off=payload.off
    )
    return {"ok": True}


@router.post(
    "{id}/video/participants/{attendee_id}/admit",
    response={200: VideoOkOut, **errors(400, 403, 404, 503)},
    summary="准入等候的参会方",
)
def participant_admit(request: HttpRequest, id: Id, attendee_id: Id) -> dict[str, Any]:
    """准入 (from the lobby, or back after being removed)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    video.admit(meeting=meeting, actor=user, attendee=_attendee_id(meeting, attendee_id))
    return {"ok": True}


@router.post(
    "{id}/video/participants/{attendee_id}/remove",
    response={200: VideoOkOut, **errors(400, 403, 404, 503)},
    summary="移出参会方",
)
def participant_remove(request: HttpRequest, id: Id, attendee_id: Id) -> dict[str, Any]:
    """移出会议 (kicked, and cannot rejoin until admitted again)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    video.remove(meeting=meeting, actor=user, attendee=_attendee_id(meeting, attendee_id))
    return {"ok": True}


@router.post("{id}/video/main", response={200: VideoOkOut, **errors(400, 403, 404)}, summary="设置主画面")
def main_site(request: HttpRequest, id: Id, payload: MainIn) -> dict[str, Any]:
    """主画面: the site shown large to everyone (``attendee_id: null`` returns to the grid)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    target = _attendee_id(meeting, payload.attendee_id) if payload.attendee_id is not None else None
    video.set_main(meeting=meeting, actor=user, attendee=target)
    return {"ok": True}


@router.post(
    "{id}/video/recording",
    response={200: VideoRecordingOut, **errors(400, 403, 404, 503)},
    summary="开始 / 停止录制",
)
def recording(request: HttpRequest, id: Id, payload: RecordingIn) -> dict[str, Any]:
    """开始 / 停止录制."""
    user, meeting = _meeting(request, id)
    rec = video.recording(meeting=meeting, actor=user, on=payload.on)
    return {"ok": True, "recording": meeting.recording, "recording_id": rec.pk if rec else None}


@router.post("{id}/video/open", response={200: RoomOut, **errors(400, 403, 404, 503)}, summary="开放会议室")
def open_room(request: HttpRequest, id: Id) -> dict[str, Any]:
    """开放会议室 now (otherwise the scheduler opens it ahead of the start)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    video.open_room(meeting=meeting, actor=user)
    return {"ok": True, "room_open": video.is_room_open(meeting), "status": meeting.status}


@router.post("{id}/video/close", response={200: RoomOut, **errors(400, 403, 404, 503)}, summary="关闭会议室")
def close_room(request: HttpRequest, id: Id) -> dict[str, Any]:
    """关闭会议室 (everyone is disconnected)."""
    user, meeting = _meeting(request, id)
    access.require_control(user, meeting)
    video.close_room(meeting=meeting, actor=user)
    return {"ok": True, "room_open": video.is_room_open(meeting), "status": meeting.status}
