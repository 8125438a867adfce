"""The video meeting pages: the meeting room (/meetings/<pk>/live/) and a venue terminal's big
screen (/meetings/terminal/). Thin: the meeting is loaded through ``access.get_meeting_for``; the
room itself (tickets, joining, the chair's actions) runs in the browser through live.js against the
video API (/api/v1/meetings/<id>/video/...), which checks every request again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongban.core.errors import NotFound
from tongban.meetings import access
from tongban.meetings.models import (
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingVenue,
    Venue,
)
from tongban.orgs.models import BusinessRole, RoleGrant


def _page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; a meeting the user may not see is a 404 (the same as one that does not exist)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc

    return wrapped


def _refused(
    request: HttpRequest, *, title: str, message: str, meeting: Meeting | None = None
) -> HttpResponse:
    return render(
        request,
        "meetings/video/refused.html",
        {"title": title, "message": message, "meeting": meeting},
        status=403,
    )


def video_configured() -> bool:
    return bool(getattr(settings, "TONGBAN_JANUS_URL", ""))


def room_open(meeting: Meeting) -> bool:
    return bool(meeting.janus_room and meeting.room_created_at and not meeting.room_destroyed_at)


def room_opens_at(meeting: Meeting) -> datetime:
    lead = int(getattr(settings, "TONGBAN_MEETING_ROOM_LEAD_MINUTES", 30))
    return meeting.starts_at - timedelta(minutes=lead)


def _main_venue_name(meeting: Meeting) -> str:
    link = MeetingVenue.objects.filter(meeting=meeting, is_main=True).select_related("venue").first()
    return link.venue.name if link else ""


@_page
@require_GET
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting room. Attendees (people, venue terminals, the chair) and those who may control
    the room get the page; anyone else who can see the meeting (a unit's 文书 who only filled in
    the 回执) gets a 403 page that says why."""
    meeting = access.get_meeting_for(request.user, pk)
    me = access.attendee_of(request.user, meeting)
    can_control = access.can_control(request.user, meeting)
    if me is None and not can_control:
        return _refused(
            request,
            meeting=meeting,
            title=_("无法进入视频会议"),
            message=_(
                "您不是本次会议的参会人员，不能进入视频会议室。如需参会，请联系本单位文书在参会回执中填报。"
            ),
        )
    now = timezone.now()
    state = "ready"
    if not meeting.has_video:
        state = "not_video"
    elif meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.DRAFT):
        state = "not_available"
    elif meeting.status == MeetingStatus.ENDED or (meeting.room_destroyed_at is not None):
        state = "ended"
    elif not video_configured():
        state = "not_configured"
    elif me is not None and me.removed:
        state = "removed"
    elif not room_open(meeting):
        state = "not_open"
    config = {
        "meetingId": meeting.pk,
        "state": state,
        "urls": {
            "ticket": f"/api/v1/meetings/{meeting.pk}/video/ticket",
            "joined": f"/api/v1/meetings/{meeting.pk}/video/joined",
            "left": f"/api/v1/meetings/{meeting.pk}/video/left",
            "state": f"/api/v1/meetings/{meeting.pk}/video/state",
            "participant": f"/api/v1/meetings/{meeting.pk}/video/participants/",
            "main": f"/api/v1/meetings/{meeting.pk}/video/main",
            "recording": f"/api/v1/meetings/{meeting.pk}/video/recording",
            "open": f"/api/v1/meetings/{meeting.pk}/video/open",
            "detail": _detail_url(meeting),
        },
        "gridSites": int(getattr(settings, "TONGBAN_VIDEO_GRID_SITES", 11)),
        "canControl": can_control,
        "meAttendeeId": me.pk if me else None,
        "pollMs": 2000,
        "strings": _strings(),
    }
    return render(
        request,
        "meetings/video/live.html",
        {
            "meeting": meeting,
            "tab": "live",
            "me": me,
            "can_control": can_control,
            "state": state,
            "opens_at": room_opens_at(meeting),
            "lead_minutes": int(getattr(settings, "TONGBAN_MEETING_ROOM_LEAD_MINUTES", 30)),
            "room_is_open": room_open(meeting),
            "started": meeting.starts_at <= now,
            "main_venue_name": _main_venue_name(meeting),
            "live_config": config,
            "has_tabs": _has_tabs(),
        },
    )


def _detail_url(meeting: Meeting) -> str:
    try:
        return reverse("meetings:detail", kwargs={"pk": meeting.pk})
    except Exception:  # the scheduling part's URLs may not be there yet
        return "/meetings/"


def _has_tabs() -> bool:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template("meetings/_meeting_tabs.html")
    except TemplateDoesNotExist:
        return False
    return True


def _strings() -> dict[str, str]:
    """Every sentence live.js shows, translated here so the catalogue carries them."""
    return {
        "connecting": _("正在连接视频会议室……"),
        "joining": _("正在进入会议室……"),
        "publishing": _("正在打开摄像头和麦克风……"),
        "inRoom": _("已进入会议室"),
        "lobby": _("您已在等候室，请等待主持人准入。准入后将自动进入会议。"),
        "removed": _("您已被主持人移出本次会议。"),
        "notOpen": _("会议室尚未开放，开放后本页将自动进入。"),
        "notConfigured": _("本平台尚未配置视频会议服务，请联系系统管理员。"),
        "ended": _("会议已结束，视频会议室已关闭。"),
        "mutedByChair": _("主持人已将您静音。主持人解除前，您无法自行打开麦克风。"),
        "videoOffByChair": _("主持人已关闭您的画面。主持人解除前，您无法自行打开摄像头。"),
        "mute": _("静音"),
        "unmute": _("取消静音"),
        "camOff": _("关闭摄像头"),
        "camOn": _("打开摄像头"),
        "leave": _("离开会议"),
        "left": _("您已离开会议。"),
        "rejoin": _("重新进入"),
        "mediaError": _("无法打开摄像头或麦克风：{error}。请检查浏览器权限后刷新页面。"),
        "janusError": _("视频服务连接失败：{error}。正在重试……"),
        "fatalError": _("无法进入视频会议：{error}"),
        "online": _("在线"),
        "offline": _("未入会"),
        "waiting": _("等待准入"),
        "removedShort": _("已移出"),
        "mutedShort": _("已静音"),
        "videoOffShort": _("画面已关闭"),
        "muteP": _("静音"),
        "unmuteP": _("解除静音"),
        "videoOffP": _("关闭画面"),
        "videoOnP": _("恢复画面"),
        "setMain": _("设为主画面"),
        "isMain": _("主画面"),
        "admit": _("准入"),
        "remove": _("移出"),
        "confirmRemove": _("确定将“{name}”移出会议吗？移出后对方不能再进入本次会议。"),
        "recStart": _("开始录制"),
        "recStop": _("停止录制"),
        "recording": _("录制中"),
        "mainSite": _("主会场"),
        "me": _("我"),
        "noVideo": _("暂无画面"),
        "moreSites": _("另有 {n} 个会场未在画面中显示"),
        "actionFailed": _("操作失败：{error}"),
        "chairRole": _("主持人"),
        "terminalRole": _("会场"),
    }


# --- the venue terminal's big screen ----------------------------------------------------------------


def _terminal_venues(user: Any) -> list[Venue]:
    return list(Venue.objects.filter(terminal=user, is_active=True).select_related("unit"))


def is_venue_terminal(user: Any) -> bool:
    """A venue's terminal account (the big screen of a meeting room): named as a venue's terminal
    or holding the 会场终端 role. For the page and its navigation entry."""
    if not (getattr(user, "is_authenticated", False) and user.pk):
        return False
    return (
        Venue.objects.filter(terminal=user, is_active=True).exists()
        or RoleGrant.objects.filter(
            user=user, role=BusinessRole.VENUE_TERMINAL, unit__is_active=True
        ).exists()
    )


@_page
@require_GET
def terminal(request: HttpRequest) -> HttpResponse:
    """Today's video meetings of the venue(s) this terminal account serves, each with a big
    进入会议 button. Only venue terminal accounts have this page."""
    user: Any = request.user
    venues = _terminal_venues(user)
    if not is_venue_terminal(user):
        return _refused(
            request,
            title=_("会场终端"),
            message=_("本页面只供会场终端账号（会议室大屏）使用。"),
        )
    now = timezone.now()
    local = timezone.localtime(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + timedelta(days=1)
    meetings = list(
        Meeting.objects.filter(
            Q(attendees__user=user, attendees__role=AttendeeRole.TERMINAL) | Q(venue_links__venue__in=venues),
            kind__in=[MeetingKind.VIDEO, MeetingKind.BOTH],
            status__in=[MeetingStatus.NOTIFIED, MeetingStatus.LIVE, MeetingStatus.ENDED],
            starts_at__lt=day_end,
            ends_at__gt=day_start,
        )
        .distinct()
        .select_related("host_unit", "chair")
        .order_by("starts_at", "id")
    )
    mine = set(
        Attendee.objects.filter(user=user, meeting__in=meetings, removed=False).values_list(
            "meeting_id", flat=True
        )
    )
    rows = []
    for m in meetings:
        rows.append(
            {
                "meeting": m,
                "can_join": m.pk in mine and m.status != MeetingStatus.ENDED and m.ends_at > now,
                "is_open": room_open(m),
                "opens_at": room_opens_at(m),
                "now_on": m.starts_at <= now < m.ends_at,
                "ended": m.status == MeetingStatus.ENDED or m.ends_at <= now,
                "main_venue": _main_venue_name(m),
            }
        )
    return render(
        request,
        "meetings/video/terminal.html",
        {"venues": venues, "rows": rows, "today": local.date(), "video_configured": video_configured()},
    )
