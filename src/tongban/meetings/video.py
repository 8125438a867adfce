"""Video meetings on the server side: the meeting's Janus room, the attendees' tickets, and the
chair's controls. Every action is atomic, checked through ``tongban.meetings.access`` and stored as
a ``MeetingEvent`` (plus an audit row for the chair's and organisers' actions).

How the room is secured:
- the room is created by the server only (the VideoRoom plugin's ``admin_key``), private, with a
  random ``secret`` (needed to edit, moderate, kick, record, destroy; it never leaves the server)
  and a random ``pin``;
- its ``allowed`` list holds the join tokens of the admitted attendees: a ticket (``ticket``) is
  given to an invited, admitted, not removed person only; removing someone takes their token off
  the list and kicks their feed;
- browsers reach Janus with a core token signed with ``token_auth_secret`` that names the
  videoroom plugin and expires ``TONGBAN_MEETING_TOKEN_GRACE_MINUTES`` after the meeting ends;
- a participant's ``display`` is ``"<attendee id>|<name>"``, so the server can tell whose feed a
  reported feed id is (``report_joined`` checks it in the room's participant list)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.meetings import access, events
from tongban.meetings.janus import (
    NO_SUCH_FEED,
    NO_SUCH_ROOM,
    ROOM_EXISTS,
    JanusClient,
    JanusError,
    JanusUnavailable,
)
from tongban.meetings.models import (
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Recording,
    RecordingStatus,
    Reply,
)

log = logging.getLogger(__name__)

ONLINE_SECONDS = 15
MAX_PUBLISHERS = 100
ROOM_BITRATE = 512_000
AUTO_ADMITTED = (AttendeeRole.CHAIR, AttendeeRole.ORGANISER, AttendeeRole.TERMINAL)
OPENABLE = (MeetingStatus.NOTIFIED, MeetingStatus.LIVE)


class VideoUnavailable(TongbanError):
    """Janus could not be reached: nothing was changed; try again later."""

    status = 503


# --- settings and small helpers ----------------------------------------------------------------


def configured() -> bool:
    return bool(getattr(settings, "TONGBAN_JANUS_URL", ""))


def _grace() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "TONGBAN_MEETING_TOKEN_GRACE_MINUTES", 30)))


def _lead() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "TONGBAN_MEETING_ROOM_LEAD_MINUTES", 30)))


def room_opens_at(meeting: Meeting) -> datetime:
    return meeting.starts_at - _lead()


def is_room_open(meeting: Meeting) -> bool:
    return bool(meeting.janus_room and meeting.room_created_at and meeting.room_destroyed_at is None)


def client(timeout: float = 5.0) -> JanusClient:
    return JanusClient(
        settings.TONGBAN_JANUS_URL,
        getattr(settings, "TONGBAN_JANUS_TOKEN_SECRET", ""),
        getattr(settings, "TONGBAN_JANUS_ROOM_ADMIN_KEY", ""),
        timeout=timeout,
    )


@contextmanager
def _janus() -> Iterator[JanusClient]:
    """A Janus session; an unreachable Janus becomes a 503 with a Chinese message, a refusal a 400."""
    try:
        with client() as jc:
            yield jc
    except JanusUnavailable as exc:
        log.warning("Janus unavailable: %s", exc)
        raise VideoUnavailable(
            "meetings.video_unavailable", _("视频会议服务暂时无法连接，请稍后再试。")
        ) from exc
    except JanusError as exc:
        log.warning("Janus refused a request: %s %s", exc.code, exc.reason)
        raise TongbanError(
            "meetings.janus_error", _("视频会议服务拒绝了本次操作（错误 %(code)s）。") % {"code": exc.code}
        ) from exc


def _tolerate(exc: JanusError, *codes: int) -> None:
    if exc.code not in codes:
        raise exc


def _name(a: Attendee) -> str:
    return a.user.full_name or a.user.username


def _display(a: Attendee) -> str:
    return f"{a.pk}|{_name(a)}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _new_room_id() -> int:
    while True:
        room = 100_000_000 + secrets.randbelow(900_000_000)
        if not Meeting.objects.filter(janus_room=room).exists():
            return room


def _auto_admitted(meeting: Meeting, a: Attendee) -> bool:
    return (not meeting.needs_admission) or a.role in AUTO_ADMITTED or a.user_id == meeting.chair_id


def _require_video(meeting: Meeting) -> None:
    if meeting.kind not in (MeetingKind.VIDEO, MeetingKind.BOTH):
        raise TongbanError("meetings.not_video", _("本次会议为现场会议，没有视频会议室。"))


def _require_configured() -> None:
    if not configured():
        raise TongbanError(
            "meetings.video_not_configured", _("本平台尚未配置视频会议服务，请联系系统管理员。")
        )


def _require_open(meeting: Meeting) -> None:
    if is_room_open(meeting):
        return
    if meeting.room_destroyed_at is not None or meeting.status in (
        MeetingStatus.ENDED,
        MeetingStatus.CANCELLED,
    ):
        raise TongbanError("meetings.room_not_open", _("会议已结束或已取消，视频会议室已关闭。"))
    opens = timezone.localtime(room_opens_at(meeting))
    raise TongbanError(
        "meetings.room_not_open",
        _("视频会议室尚未开放，将于 %(time)s 开放。") % {"time": opens.strftime("%Y-%m-%d %H:%M")},
    )


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _refresh(meeting: Meeting, fresh: Meeting) -> Meeting:
    for f in (
        "janus_room",
        "janus_secret",
        "janus_pin",
        "room_created_at",
        "room_destroyed_at",
        "status",
        "recording",
        "main_attendee_id",
    ):
        setattr(meeting, f, getattr(fresh, f))
    return meeting


def _attendee_in(meeting: Meeting, attendee: Attendee | int) -> Attendee:
    pk = attendee.pk if isinstance(attendee, Attendee) else attendee
    # order_by(): the model's default ordering joins the (nullable) unit, which PostgreSQL will
    # not lock; of=("self",): lock the attendee row only.
    a = (
        Attendee.objects.select_for_update(of=("self",))
        .filter(pk=pk, meeting_id=meeting.pk)
        .select_related("user")
        .order_by()
        .first()
    )
    if a is None:
        raise NotFound("meetings.attendee_not_found", _("该参会人员不存在。"))
    return a


def _audit(event: str, *, actor: Any, meeting: Meeting, **new: Any) -> None:
    if actor is not None and getattr(actor, "pk", None):
        audit.record(f"meetings.video.{event}", actor=actor, obj=meeting, new=new or None)


# --- the room ------------------------------------------------------------------------------------


def open_room(*, meeting: Meeting, actor: Any = None) -> Meeting:
    """Make sure the meeting's room exists in Janus (idempotent). Creates it — private, with a
    fresh secret and PIN, room for the expected publishers, the admitted attendees' join tokens
    as its ACL — or re-creates it with the same number, secret and PIN when Janus lost it (a
    restart). The meeting turns live once its time has come."""
    _require_video(meeting)
    _require_configured()
    now = timezone.now()
    with transaction.atomic():
        m = _lock(meeting)
        if m.status not in OPENABLE:
            raise TongbanError(
                "meetings.room_cannot_open", _("会议未发出通知、已结束或已取消，不能开放视频会议室。")
            )
        if m.ends_at + _grace() <= now:
            raise TongbanError("meetings.room_cannot_open", _("会议已结束，不能再开放视频会议室。"))
        attendees = list(Attendee.objects.filter(meeting=m).select_related("user"))
        touched = []
        for a in attendees:
            dirty = False
            if not a.join_token:
                a.join_token = _new_token()
                dirty = True
            if not a.admitted and not a.removed and _auto_admitted(m, a):
                a.admitted = True
                dirty = True
            if dirty:
                touched.append(a)
        if touched:
            Attendee.objects.bulk_update(touched, ["join_token", "admitted"])
        allowed = [a.join_token for a in attendees if a.admitted and not a.removed]
        expected = sum(1 for a in attendees if not a.removed and a.reply != Reply.LEAVE)
        publishers = min(max(expected, 2), MAX_PUBLISHERS)
        was_open = is_room_open(m)
        created = False
        with _janus() as jc:
            if was_open and jc.exists(room=int(m.janus_room or 0)):
                if allowed:
                    jc.allowed(
                        room=int(m.janus_room or 0), secret=m.janus_secret, action="add", tokens=allowed
                    )
            else:
                if not was_open:
                    m.janus_secret = secrets.token_urlsafe(24)
                    m.janus_pin = f"{secrets.randbelow(10**8):08d}"
                    m.janus_room = _new_room_id()
                for attempt in range(3):
                    try:
                        jc.create_room(
                            room_id=int(m.janus_room or 0),
                            description=m.title,
                            secret=m.janus_secret,
                            pin=m.janus_pin,
                            publishers=publishers,
                            allowed=allowed,
                            bitrate=ROOM_BITRATE,
                        )
                        break
                    except JanusError as exc:  # a number taken on Janus by another platform
                        _tolerate(exc, ROOM_EXISTS)
                        if was_open or attempt == 2:
                            raise
                        m.janus_room = _new_room_id()
                created = True
            fields = [
                "janus_room",
                "janus_secret",
                "janus_pin",
                "room_created_at",
                "room_destroyed_at",
                "status",
            ]
            if created and not was_open:
                m.room_created_at = now
                m.room_destroyed_at = None
            if m.status == MeetingStatus.NOTIFIED and m.starts_at <= now < m.ends_at:
                m.status = MeetingStatus.LIVE
            try:
                m.save(update_fields=[*fields, "updated_at"])
                if created:
                    events.record(
                        m,
                        "room_opened",
                        actor=actor,
                        room=m.janus_room,
                        publishers=publishers,
                        recreated=was_open,
                    )
                    _audit("room_opened", actor=actor, meeting=m, room=m.janus_room)
            except Exception:
                if created:  # do not leave a room Janus holds that the database does not know
                    jc.destroy_room(room=int(m.janus_room or 0), secret=m.janus_secret)
                raise
    return _refresh(meeting, m)


def close_room(*, meeting: Meeting, actor: Any = None) -> Meeting:
    """Destroy the room (everyone in it is disconnected; idempotent). A running recording is
    stopped first; the meeting ends when its time is over."""
    _require_video(meeting)
    now = timezone.now()
    with transaction.atomic():
        m = _lock(meeting)
        if is_room_open(m):
            _require_configured()
            if m.recording:
                _stop_recording(m, actor=actor)
            with _janus() as jc:
                try:
                    jc.destroy_room(room=int(m.janus_room or 0), secret=m.janus_secret)
                except JanusError as exc:
                    _tolerate(exc, NO_SUCH_ROOM)
            m.room_destroyed_at = now
            Attendee.objects.filter(meeting=m).update(janus_feed=None, janus_mids={}, last_seen_at=None)
            events.record(m, "room_closed", actor=actor, room=m.janus_room)
            _audit("room_closed", actor=actor, meeting=m, room=m.janus_room)
        if now >= m.ends_at and m.status in OPENABLE:
            m.status = MeetingStatus.ENDED
        m.save(update_fields=["room_destroyed_at", "status", "recording", "updated_at"])
    return _refresh(meeting, m)


# --- joining -------------------------------------------------------------------------------------


def _staff_attendee(meeting: Meeting, user: Any) -> Attendee:
    """The chair's or an organiser's own row (created when they first open the room page)."""
    is_chair = meeting.chair_id == user.pk
    a, _created = Attendee.objects.get_or_create(
        meeting=meeting,
        user=user,
        defaults={
            "role": AttendeeRole.CHAIR if is_chair else AttendeeRole.ORGANISER,
            "reply": Reply.ATTEND,
            "unit": None if is_chair else meeting.host_unit,
            "admitted": True,
            "join_token": _new_token(),
        },
    )
    return a


def _attendee_for(meeting: Meeting, user: Any, *, create: bool) -> Attendee | None:
    a = access.attendee_of(user, meeting)
    if a is None and create and access.can_control(user, meeting):
        a = _staff_attendee(meeting, user)
    return a


def turn_servers(*, user_id: int, expiry: int) -> list[dict[str, Any]]:
    """TURN entries with coturn's REST-API credentials (``use-auth-secret``): the username is
    ``"<expiry>:<user id>"``, the credential base64(HMAC-SHA1(secret, username))."""
    urls = list(getattr(settings, "TONGBAN_TURN_URLS", []) or [])
    secret = getattr(settings, "TONGBAN_TURN_SECRET", "")
    if not urls or not secret:
        return []
    username = f"{expiry}:{user_id}"
    credential = base64.b64encode(
        hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    ).decode()
    return [{"urls": urls, "username": username, "credential": credential}]


def ticket(*, meeting: Meeting, user: Any) -> dict[str, Any]:
    """What a browser needs to join the room: Janus's address, a signed core token, the room,
    its PIN, the attendee's join token and display. An attendee waiting for admission gets
    ``{"admitted": False, ...}`` and polls ``state``."""
    from tongban.meetings.janus import sign_token

    _require_video(meeting)
    a = _attendee_for(meeting, user, create=True)
    if a is None:
        raise PermissionDenied("meetings.not_invited", _("您不是本次会议的参会人员，不能进入视频会议室。"))
    if a.removed:
        raise PermissionDenied("meetings.removed", _("您已被主持人移出本次会议，不能再次进入。"))
    _require_configured()
    _require_open(meeting)
    now = timezone.now()
    expires = meeting.ends_at + _grace()
    if expires <= now:
        raise TongbanError("meetings.room_not_open", _("会议已结束或已取消，视频会议室已关闭。"))
    with transaction.atomic():
        a = _attendee_in(meeting, a)
        dirty = []
        if not a.join_token:
            a.join_token = _new_token()
            dirty.append("join_token")
        if not a.admitted and not a.removed and _auto_admitted(meeting, a):
            a.admitted = True
            dirty.append("admitted")
        if dirty:
            a.save(update_fields=dirty)
    if not a.admitted:
        return {"admitted": False, "attendee_id": a.pk, "name": _name(a)}
    _allow(meeting, [a.join_token])
    expiry = int(expires.timestamp())
    return {
        "admitted": True,
        "janus_url": settings.TONGBAN_JANUS_PUBLIC_URL or settings.TONGBAN_JANUS_URL,
        "token": sign_token(settings.TONGBAN_JANUS_TOKEN_SECRET, expiry)
        if getattr(settings, "TONGBAN_JANUS_TOKEN_SECRET", "")
        else "",
        "room": meeting.janus_room,
        "pin": meeting.janus_pin,
        "join_token": a.join_token,
        "display": _display(a),
        "attendee_id": a.pk,
        "name": _name(a),
        "is_chair": meeting.chair_id == user.pk,
        "can_control": access.can_control(user, meeting),
        "ice_servers": turn_servers(user_id=user.pk, expiry=expiry),
        "expires_at": expires.isoformat(),
        "grid_sites": int(getattr(settings, "TONGBAN_VIDEO_GRID_SITES", 11)),
    }


def _allow(meeting: Meeting, tokens: list[str]) -> None:
    """Put ``tokens`` on the room's ACL (the room is re-created if Janus lost it)."""
    with _janus() as jc:
        try:
            jc.allowed(
                room=int(meeting.janus_room or 0), secret=meeting.janus_secret, action="add", tokens=tokens
            )
            return
        except JanusError as exc:
            _tolerate(exc, NO_SUCH_ROOM)
    open_room(meeting=meeting)  # the re-created room's ACL holds every admitted attendee


def _clean_mids(mids: Any) -> dict[str, str]:
    if not isinstance(mids, dict):
        return {}
    out = {}
    for kind in ("audio", "video"):
        value = mids.get(kind)
        if value is not None and str(value).strip() and len(str(value)) <= 16:
            out[kind] = str(value).strip()
    return out


def report_joined(*, meeting: Meeting, user: Any, feed: int, mids: Any) -> Attendee:
    """The browser joined the room as ``feed``: checked against the room's participants (the
    display must be this attendee's), stored, signed in (method video). Moderation the chair set
    before (muted, video off) is applied to the new feed."""
    _require_video(meeting)
    a = _attendee_for(meeting, user, create=False)
    if a is None:
        raise PermissionDenied("meetings.not_invited", _("您不是本次会议的参会人员，不能进入视频会议室。"))
    if a.removed:
        raise PermissionDenied("meetings.removed", _("您已被主持人移出本次会议，不能再次进入。"))
    _require_configured()
    _require_open(meeting)
    try:
        feed = int(feed)
    except (TypeError, ValueError):
        feed = 0
    if feed <= 0:
        raise TongbanError("meetings.feed_unknown", _("视频流编号不正确，请刷新页面重新入会。"), field="feed")
    clean = _clean_mids(mids)
    with _janus() as jc:
        people = jc.list_participants(room=int(meeting.janus_room or 0))
    prefix = f"{a.pk}|"
    if not any(int(p.get("id", 0)) == feed and str(p.get("display", "")).startswith(prefix) for p in people):
        raise TongbanError(
            "meetings.feed_unknown", _("未在会议室中找到您的视频流，请刷新页面重新入会。"), field="feed"
        )
    now = timezone.now()
    with transaction.atomic():
        a = _attendee_in(meeting, a)
        a.janus_feed = feed
        a.janus_mids = clean
        a.joined_at = a.joined_at or now
        a.last_seen_at = now
        a.save(update_fields=["janus_feed", "janus_mids", "joined_at", "last_seen_at"])
        events.record(meeting, "joined", actor=user, attendee=a, feed=feed)
        _sign_in(meeting, a)
    if a.audio_muted:
        _moderate(meeting, a, "audio", True)
    if a.video_off:
        _moderate(meeting, a, "video", True)
    return a


def _sign_in(meeting: Meeting, a: Attendee) -> None:
    try:
        from tongban.meetings.attendance import sign_in_video
    except (ImportError, AttributeError):  # the attendance part is optional here
        return
    sign_in_video(meeting=meeting, attendee=a)


def report_left(*, meeting: Meeting, user: Any) -> None:
    a = _attendee_for(meeting, user, create=False)
    if a is None:
        raise PermissionDenied("meetings.not_invited", _("您不是本次会议的参会人员，不能进入视频会议室。"))
    with transaction.atomic():
        a = _attendee_in(meeting, a)
        if a.janus_feed is None and a.last_seen_at is None:
            return
        feed = a.janus_feed
        a.janus_feed = None
        a.janus_mids = {}
        a.last_seen_at = None
        a.save(update_fields=["janus_feed", "janus_mids", "last_seen_at"])
        events.record(meeting, "left", actor=user, attendee=a, feed=feed)


def state(*, meeting: Meeting, user: Any) -> dict[str, Any]:
    """The room as everyone sees it (polled every few seconds by the page). Refreshes the
    caller's ``last_seen_at``: someone polling is online (in the room or in the lobby)."""
    me = access.attendee_of(user, meeting)
    if me is None and not access.can_control(user, meeting):
        raise PermissionDenied("meetings.not_invited", _("您不是本次会议的参会人员，不能进入视频会议室。"))
    now = timezone.now()
    if me is not None:
        Attendee.objects.filter(pk=me.pk).update(last_seen_at=now)
        me.last_seen_at = now
    since = now - timedelta(seconds=ONLINE_SECONDS)
    people = Attendee.objects.filter(meeting=meeting).select_related("user", "unit", "venue")
    participants = []
    for a in people:
        online = a.last_seen_at is not None and a.last_seen_at >= since
        participants.append(
            {
                "attendee_id": a.pk,
                "name": _name(a),
                "unit": (a.unit.short_name or a.unit.name) if a.unit else "",
                "venue": a.venue.name if a.venue else "",
                "role": a.role,
                "feed": a.janus_feed if online else None,
                "audio_muted": a.audio_muted,
                "video_off": a.video_off,
                "admitted": a.admitted,
                "removed": a.removed,
                "online": online,
                "waiting": online and not a.admitted and not a.removed,
            }
        )
    return {
        "status": meeting.status,
        "room_open": is_room_open(meeting),
        "main_attendee": meeting.main_attendee_id,
        "recording": meeting.recording,
        "me": {
            "attendee_id": me.pk if me else None,
            "admitted": me.admitted if me else True,
            "removed": me.removed if me else False,
            "audio_muted": me.audio_muted if me else False,
            "video_off": me.video_off if me else False,
        },
        "participants": participants,
    }


# --- the chair's controls ------------------------------------------------------------------------


def _moderate(meeting: Meeting, a: Attendee, kind: str, mute: bool) -> bool:
    """Block/unblock one of ``a``'s streams in Janus; False when there is nothing to moderate
    (not connected, or not publishing that stream yet: the page honours the flag itself)."""
    mid = (a.janus_mids or {}).get(kind)
    if not (is_room_open(meeting) and configured() and a.janus_feed and mid is not None):
        return False
    with _janus() as jc:
        try:
            jc.moderate(
                room=int(meeting.janus_room or 0),
                secret=meeting.janus_secret,
                feed=a.janus_feed,
                mid=mid,
                mute=mute,
            )
        except JanusError as exc:
            _tolerate(exc, NO_SUCH_FEED, NO_SUCH_ROOM)
            return False
    return True


def set_audio(*, meeting: Meeting, actor: Any, attendee: Attendee | int, muted: bool) -> Attendee:
    access.require_control(actor, meeting)
    with transaction.atomic():
        a = _attendee_in(meeting, attendee)
        if a.audio_muted == bool(muted):
            return a
        moderated = _moderate(meeting, a, "audio", bool(muted))
        a.audio_muted = bool(muted)
        a.save(update_fields=["audio_muted"])
        kind = "audio_muted" if muted else "audio_unmuted"
        events.record(meeting, kind, actor=actor, attendee=a, moderated=moderated)
        _audit(kind, actor=actor, meeting=meeting, attendee=a.pk)
    return a


def set_camera(*, meeting: Meeting, actor: Any, attendee: Attendee | int, off: bool) -> Attendee:
    access.require_control(actor, meeting)
    with transaction.atomic():
        a = _attendee_in(meeting, attendee)
        if a.video_off == bool(off):
            return a
        moderated = _moderate(meeting, a, "video", bool(off))
        a.video_off = bool(off)
        a.save(update_fields=["video_off"])
        kind = "video_off" if off else "video_on"
        events.record(meeting, kind, actor=actor, attendee=a, moderated=moderated)
        _audit(kind, actor=actor, meeting=meeting, attendee=a.pk)
    return a


def admit(*, meeting: Meeting, actor: Any, attendee: Attendee | int) -> Attendee:
    """Let ``attendee`` in (from the lobby, or back after being removed)."""
    access.require_control(actor, meeting)
    with transaction.atomic():
        a = _attendee_in(meeting, attendee)
        if a.admitted and not a.removed:
            return a
        if not a.join_token:
            a.join_token = _new_token()
        if is_room_open(meeting) and configured():
            _allow(meeting, [a.join_token])
        a.admitted = True
        a.removed = False
        a.save(update_fields=["join_token", "admitted", "removed"])
        events.record(meeting, "admitted", actor=actor, attendee=a)
        _audit("admitted", actor=actor, meeting=meeting, attendee=a.pk)
    return a


def remove(*, meeting: Meeting, actor: Any, attendee: Attendee | int) -> Attendee:
    """Take ``attendee`` out of the room: their token leaves the ACL, their feed is kicked, and
    they cannot come back until admitted again."""
    access.require_control(actor, meeting)
    with transaction.atomic():
        a = _attendee_in(meeting, attendee)
        if a.user_id == meeting.chair_id or a.role == AttendeeRole.CHAIR:
            raise TongbanError("meetings.cannot_remove_chair", _("不能将主持人移出会议。"))
        if a.user_id == getattr(actor, "pk", None):
            raise TongbanError("meetings.cannot_remove_self", _("不能将自己移出会议。"))
        if a.removed:
            return a
        if is_room_open(meeting) and configured():
            with _janus() as jc:
                room, secret = int(meeting.janus_room or 0), meeting.janus_secret
                try:
                    if a.join_token:
                        jc.allowed(room=room, secret=secret, action="remove", tokens=[a.join_token])
                    if a.janus_feed:
                        jc.kick(room=room, secret=secret, feed=a.janus_feed)
                except JanusError as exc:
                    _tolerate(exc, NO_SUCH_FEED, NO_SUCH_ROOM)
        a.removed = True
        a.admitted = False
        a.janus_feed = None
        a.janus_mids = {}
        a.save(update_fields=["removed", "admitted", "janus_feed", "janus_mids"])
        if meeting.main_attendee_id == a.pk:
            Meeting.objects.filter(pk=meeting.pk).update(main_attendee=None)
            meeting.main_attendee_id = None
        events.record(meeting, "removed", actor=actor, attendee=a)
        _audit("removed", actor=actor, meeting=meeting, attendee=a.pk)
    return a


def set_main(*, meeting: Meeting, actor: Any, attendee: Attendee | int | None) -> Meeting:
    """The site everyone sees large (主会场画面); None returns to the grid."""
    access.require_control(actor, meeting)
    with transaction.atomic():
        m = _lock(meeting)
        a = _attendee_in(meeting, attendee) if attendee is not None else None
        if a is not None and a.removed:
            raise TongbanError("meetings.attendee_removed", _("该参会人员已被移出会议，不能设为主画面。"))
        new = a.pk if a else None
        if m.main_attendee_id != new:
            m.main_attendee_id = new
            m.save(update_fields=["main_attendee", "updated_at"])
            events.record(m, "main_set", actor=actor, attendee=a, attendee_id=new)
    return _refresh(meeting, m)


def recording(*, meeting: Meeting, actor: Any, on: bool) -> Recording | None:
    """Start (a Recording row, the room's rec_dir set to a fresh folder, Janus records every
    publisher) or stop (Janus stops, the row goes to conversion: ``tasks_records.convert_recording``).
    Idempotent; answers the recording concerned (None when there was nothing to stop)."""
    access.require_control(actor, meeting)
    _require_configured()
    rec: Recording | None
    with transaction.atomic():
        m = _lock(meeting)
        if on:
            _require_open(m)
            if m.recording:
                return Recording.objects.filter(meeting=m, status=RecordingStatus.RECORDING).last()
            rec = _start_recording(m, actor=actor)
        else:
            if not m.recording:
                return None
            rec = _stop_recording(m, actor=actor)
        m.save(update_fields=["recording", "updated_at"])
    _refresh(meeting, m)
    return rec


def _start_recording(m: Meeting, *, actor: Any) -> Recording:
    rec = Recording.objects.create(
        meeting=m, started_by=actor, started_at=timezone.now(), status=RecordingStatus.RECORDING
    )
    folder = Path(settings.TONGBAN_JANUS_RECORDINGS_DIR) / str(m.pk) / str(rec.pk)
    folder.mkdir(parents=True, exist_ok=True)
    rec.source_dir = str(folder)
    rec.save(update_fields=["source_dir"])
    with _janus() as jc:
        jc.edit_rec_dir(room=int(m.janus_room or 0), secret=m.janus_secret, rec_dir=str(folder))
        jc.enable_recording(room=int(m.janus_room or 0), secret=m.janus_secret, on=True)
    m.recording = True
    events.record(m, "recording_started", actor=actor, recording_id=rec.pk)
    _audit("recording_started", actor=actor, meeting=m, recording=rec.pk)
    return rec


def _stop_recording(m: Meeting, *, actor: Any) -> Recording | None:
    if is_room_open(m):
        with _janus() as jc:
            try:
                jc.enable_recording(room=int(m.janus_room or 0), secret=m.janus_secret, on=False)
            except JanusError as exc:
                _tolerate(exc, NO_SUCH_ROOM)
    m.recording = False
    rec = (
        Recording.objects.filter(meeting=m, status=RecordingStatus.RECORDING).order_by("-started_at").first()
    )
    if rec is not None:
        rec.stopped_at = timezone.now()
        rec.status = RecordingStatus.CONVERTING
        rec.save(update_fields=["stopped_at", "status"])
        pk = rec.pk
        transaction.on_commit(lambda: _enqueue_conversion(pk))
    events.record(m, "recording_stopped", actor=actor, recording_id=rec.pk if rec else None)
    _audit("recording_stopped", actor=actor, meeting=m, recording=rec.pk if rec else None)
    return rec


def _enqueue_conversion(recording_id: int) -> None:
    try:
        from tongban.meetings.tasks_records import convert_recording
    except (ImportError, AttributeError):  # the records part is optional here
        log.warning("recording %s stopped, but no converter is installed", recording_id)
        return
    convert_recording.enqueue(recording_id)


# --- the scheduled job and health ----------------------------------------------------------------


def rooms_tick(now: datetime | None = None) -> str:
    """Every minute: open (or re-create) the rooms of video meetings starting within the lead
    time, close the rooms of meetings ended more than the grace ago or cancelled. A room an
    organiser closed by hand stays closed. Nothing to do when video is not configured."""
    if not configured():
        return "video not configured"
    now = now or timezone.now()
    opened = closed = failed = 0
    due = Meeting.objects.filter(
        kind__in=(MeetingKind.VIDEO, MeetingKind.BOTH),
        status__in=OPENABLE,
        starts_at__lte=now + _lead(),
        ends_at__gt=now - _grace(),
    ).filter(Q(room_created_at__isnull=True) | Q(room_destroyed_at__isnull=True))
    for m in due:
        try:
            open_room(meeting=m)
            opened += 1
        except TongbanError as exc:
            failed += 1
            log.warning("meeting %s: room not opened: %s (%s)", m.pk, exc, exc.code)
    over = Meeting.objects.filter(
        janus_room__isnull=False, room_created_at__isnull=False, room_destroyed_at__isnull=True
    ).filter(Q(ends_at__lte=now - _grace()) | Q(status=MeetingStatus.CANCELLED))
    for m in over:
        try:
            close_room(meeting=m)
            closed += 1
        except TongbanError as exc:
            failed += 1
            log.warning("meeting %s: room not closed: %s (%s)", m.pk, exc, exc.code)
    return f"open={opened} closed={closed} failed={failed}"


def janus_health() -> dict[str, Any] | None:
    """/healthz's ``checks.janus`` (None when video is not configured): reachable, and its version."""
    if not configured():
        return None
    try:
        info = client(timeout=2).info()
    except JanusUnavailable:
        return {"ok": False, "error": "unreachable"}
    return {"ok": True, "version": str(info.get("version_string", ""))}
