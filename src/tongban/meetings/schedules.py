"""Leaders' schedules (日程): entries kept by the leaders' secretaries, and the entries of meetings
kept in step with the meetings (owner: the schedules part).

- :func:`sync_meeting` keeps one entry per county leader attending a notified, live or ended
  meeting (title, place and times follow the meeting; the visibility, once changed by hand, stays).
- :func:`entry_create`, :func:`entry_update`, :func:`entry_delete`: the leader, the leader's
  secretaries or the county's schedule clerks (领导日程管理员) keep the other entries. An entry that
  overlaps another of the same leader is saved with a warning (日程冲突), not refused: a leader may
  well leave a meeting early for a visit, and the secretary is the one who knows; the warning names
  the entries it overlaps. Entries of meetings cannot be edited by hand except for their visibility.
- :func:`publish_week` hands the county's week to the portal (registered by the portal, which
  this module may not import: :func:`register_publisher`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.meetings import schedules_selectors as sel
from tongban.meetings.models import (
    Attendee,
    Meeting,
    MeetingStatus,
    MeetingVenue,
    Reply,
    ScheduleEntry,
    ScheduleVisibility,
)
from tongban.orgs.models import County

SYNCED_STATUSES = (MeetingStatus.NOTIFIED, MeetingStatus.LIVE, MeetingStatus.ENDED)
MAX_DAYS = 31  # an entry longer than a month is a typing mistake
EDITABLE_FIELDS = ("starts_at", "ends_at", "title", "place", "visibility")


# --- meetings → entries ---------------------------------------------------------------------------


def meeting_place(meeting: Meeting, venue_name: str | None = None) -> str:
    """The main venue's name (or ``venue_name``), with （视频） for a video meeting."""
    if venue_name is None:
        link = MeetingVenue.objects.filter(meeting=meeting, is_main=True).select_related("venue").first()
        link = link or MeetingVenue.objects.filter(meeting=meeting).select_related("venue").first()
        venue_name = link.venue.name if link else ""
    if meeting.has_video:
        return f"{venue_name}{_('（视频）')}" if venue_name else _("视频会议")
    return venue_name


@transaction.atomic
def sync_meeting(meeting: Meeting) -> None:
    """Make the schedule entries of ``meeting`` match it: one entry per county leader who attends
    (chair included), removed when the meeting is cancelled or the leader no longer attends (a
    请假 reply). Called by the scheduling services after every change of a notified meeting;
    idempotent (a second call changes nothing)."""
    existing = {e.leader_id: e for e in ScheduleEntry.objects.filter(meeting=meeting)}
    if meeting.status not in SYNCED_STATUSES:
        if existing:
            ScheduleEntry.objects.filter(meeting=meeting).delete()
        return
    leader_ids = set(sel.leader_grants(meeting.county_id).values_list("user_id", flat=True))
    attending = (
        Attendee.objects.filter(meeting=meeting, user_id__in=leader_ids)
        .exclude(reply=Reply.LEAVE)
        .select_related("venue")
    )
    main = meeting_place(meeting)
    wanted: dict[int, str] = {}
    for a in attending:
        wanted[a.user_id] = meeting_place(meeting, a.venue.name) if a.venue is not None else main
    stale = [e.pk for uid, e in existing.items() if uid not in wanted]
    if stale:
        ScheduleEntry.objects.filter(pk__in=stale).delete()
    title = meeting.title[:200]
    for uid, place in wanted.items():
        entry = existing.get(uid)
        values = {
            "title": title,
            "place": place[:200],
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
        }
        if entry is None:
            ScheduleEntry.objects.create(
                county_id=meeting.county_id,
                leader_id=uid,
                meeting=meeting,
                visibility=ScheduleVisibility.INTERNAL,
                **values,
            )
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(entry, k, v)
            entry.save(update_fields=[*values, "updated_at"])


# --- entries kept by hand ---------------------------------------------------------------------------


@dataclass
class Saved:
    entry: ScheduleEntry
    clashes: list[ScheduleEntry] = field(default_factory=list)

    @property
    def warning(self) -> str:
        if not self.clashes:
            return ""
        parts = [f"{timezone.localtime(c.starts_at):%m-%d %H:%M} {c.title}" for c in self.clashes[:3]]
        return _("注意：与该领导的其他日程时间重叠（%(list)s），请确认。") % {"list": "；".join(parts)}


def require_keep(actor: Any, leader: Any) -> None:
    if not sel.can_keep(actor, leader):
        raise PermissionDenied(
            "schedules.not_keeper", _("只有领导本人、其秘书或领导日程管理员可以维护领导日程。")
        )


def _clean(data: dict[str, Any], current: ScheduleEntry | None = None) -> dict[str, Any]:
    """Checked values of ``data`` (missing keys from ``current``); TongbanError naming the field."""
    out: dict[str, Any] = {}
    for key in EDITABLE_FIELDS:
        if key in data and data[key] is not None:
            out[key] = data[key]
        elif current is not None:
            out[key] = getattr(current, key)
    title = str(out.get("title") or "").strip()
    if not title:
        raise TongbanError("schedules.title_required", _("请填写活动内容。"), field="title")
    if len(title) > 200:
        raise TongbanError("schedules.title_too_long", _("活动内容不能超过200字。"), field="title")
    place = str(out.get("place") or "").strip()
    if len(place) > 200:
        raise TongbanError("schedules.place_too_long", _("地点不能超过200字。"), field="place")
    visibility = out.get("visibility") or ScheduleVisibility.INTERNAL
    if visibility not in ScheduleVisibility.values:
        raise TongbanError("schedules.bad_visibility", _("公开范围不正确。"), field="visibility")
    starts_at, ends_at = out.get("starts_at"), out.get("ends_at")
    if not isinstance(starts_at, datetime):
        raise TongbanError("schedules.start_required", _("请填写开始时间。"), field="starts_at")
    if not isinstance(ends_at, datetime):
        raise TongbanError("schedules.end_required", _("请填写结束时间。"), field="ends_at")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at)
    if ends_at <= starts_at:
        raise TongbanError("schedules.end_before_start", _("结束时间必须晚于开始时间。"), field="ends_at")
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise TongbanError(
            "schedules.too_long",
            _("一项活动不能超过%(days)d天，请分开录入。") % {"days": MAX_DAYS},
            field="ends_at",
        )
    return {
        "title": title,
        "place": place,
        "visibility": visibility,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }


def _snapshot(entry: ScheduleEntry) -> dict[str, Any]:
    return {
        "leader_id": entry.leader_id,
        "title": entry.title,
        "place": entry.place,
        "starts_at": entry.starts_at.isoformat(),
        "ends_at": entry.ends_at.isoformat(),
        "visibility": entry.visibility,
        "meeting_id": entry.meeting_id,
    }


@transaction.atomic
def entry_create(
    *, actor: Any, leader: Any, data: dict[str, Any], request: HttpRequest | None = None
) -> Saved:
    """A new entry in ``leader``'s schedule by the leader, a secretary or a schedule clerk."""
    county_id = sel.leader_county_id(leader)
    if county_id is None:
        raise NotFound("schedules.leader_not_found", _("领导不存在或您无权查看其日程。"))
    require_keep(actor, leader)
    values = _clean(data)
    entry = ScheduleEntry.objects.create(county_id=county_id, leader=leader, created_by=actor, **values)
    audit.record("schedules.entry_created", actor=actor, request=request, obj=entry, new=_snapshot(entry))
    clashes = sel.overlapping(
        leader=leader, starts_at=entry.starts_at, ends_at=entry.ends_at, exclude_id=entry.pk
    )
    return Saved(entry, clashes)


@transaction.atomic
def entry_update(
    *, actor: Any, entry: ScheduleEntry, data: dict[str, Any], request: HttpRequest | None = None
) -> Saved:
    """Change an entry. A meeting's entry follows its meeting: only its visibility may change."""
    require_keep(actor, entry.leader)
    entry = ScheduleEntry.objects.select_for_update().get(pk=entry.pk)
    old = _snapshot(entry)
    if entry.meeting_id is not None:
        changed = [
            k
            for k in ("starts_at", "ends_at", "title", "place")
            if k in data and data[k] is not None and data[k] != getattr(entry, k)
        ]
        if changed:
            raise TongbanError(
                "schedules.meeting_entry",
                _("会议日程随会议自动更新，只能修改公开范围；时间、地点等请在会议中修改。"),
                field=changed[0],
            )
        visibility = data.get("visibility") or entry.visibility
        if visibility not in ScheduleVisibility.values:
            raise TongbanError("schedules.bad_visibility", _("公开范围不正确。"), field="visibility")
        if visibility != entry.visibility:
            entry.visibility = visibility
            entry.save(update_fields=["visibility", "updated_at"])
            audit.record(
                "schedules.entry_updated",
                actor=actor,
                request=request,
                obj=entry,
                old=old,
                new=_snapshot(entry),
            )
        return Saved(entry)
    values = _clean(data, entry)
    for k, v in values.items():
        setattr(entry, k, v)
    entry.save(update_fields=[*values, "updated_at"])
    audit.record(
        "schedules.entry_updated", actor=actor, request=request, obj=entry, old=old, new=_snapshot(entry)
    )
    clashes = sel.overlapping(
        leader=entry.leader, starts_at=entry.starts_at, ends_at=entry.ends_at, exclude_id=entry.pk
    )
    return Saved(entry, clashes)


@transaction.atomic
def entry_delete(*, actor: Any, entry: ScheduleEntry, request: HttpRequest | None = None) -> None:
    require_keep(actor, entry.leader)
    if entry.meeting_id is not None:
        raise TongbanError(
            "schedules.meeting_entry_delete",
            _("会议日程随会议自动更新，不能删除；领导不参会请在会议回执中请假。"),
        )
    old = _snapshot(entry)
    audit.record("schedules.entry_deleted", actor=actor, request=request, obj=entry, old=old)
    entry.delete()


# --- publishing to the portal -------------------------------------------------------------------

Publisher = Callable[..., Any]
_publisher: list[Publisher] = []


def register_publisher(fn: Publisher) -> None:
    """The portal registers ``publish_week(county, week_start, actor)`` here (the meetings module
    may not import the portal)."""
    _publisher[:] = [fn]


def require_publish(actor: Any, county: County) -> None:
    if not sel.is_schedule_clerk(actor, county.pk):
        raise PermissionDenied("schedules.not_clerk", _("只有领导日程管理员可以发布领导周活动安排。"))


def publish_week(*, county: County, week_start: date, actor: Any) -> Any:
    """Publish the county's week (its public entries) to the portal's 县领导 column; returns the
    :class:`SchedulePublication`."""
    require_publish(actor, county)
    if not _publisher:
        raise TongbanError("schedules.no_portal", _("门户网站尚未开通，无法发布领导周活动安排。"))
    return _publisher[0](county, sel.monday_of(week_start), actor)
