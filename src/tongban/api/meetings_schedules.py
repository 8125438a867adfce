"""REST endpoints of the leaders' schedules (/api/v1/schedules/): the leaders the caller may see,
a leader's week, entries kept by hand (create, change, delete; a clash is a warning in the
answer), the county's 领导周活动安排 and publishing it to the portal. Thin: selectors and services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tongban.api.common import Id, OptionalId, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.meetings import schedules
from tongban.meetings import schedules_selectors as sel
from tongban.meetings.models import ScheduleEntry
from tongban.orgs.models import County

router = Router(tags=["会议：领导日程"])


class LeaderOut(Schema):
    id: int
    name: str
    title: str
    can_keep: bool


class EntryOut(Schema):
    id: int
    leader_id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    place: str
    visibility: str
    meeting_id: int | None


class WeekItemOut(EntryOut):
    slot: str
    continued: bool


class ScheduleDayOut(Schema):
    date: date
    label: str
    items: list[WeekItemOut]


class WeekOut(Schema):
    leader: LeaderOut
    week_start: date
    label: str
    days: list[ScheduleDayOut]


class EntryIn(Schema):
    leader_id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    place: str = ""
    visibility: str = "internal"


class EntryPatch(Schema):
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title: str | None = None
    place: str | None = None
    visibility: str | None = None


class ScheduleSavedOut(Schema):
    entry: EntryOut
    warning: str
    clashes: list[EntryOut]


class SchedulePublishIn(Schema):
    week: date
    county_id: int | None = None


class SchedulePublishedOut(Schema):
    week_start: date
    title: str
    entries: int
    portal_page_id: int | None
    published_at: datetime


def _entry(e: ScheduleEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "leader_id": e.leader_id,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "title": e.title,
        "place": e.place,
        "visibility": e.visibility,
        "meeting_id": e.meeting_id,
    }


def _leader(user: User, leader: User) -> dict[str, Any]:
    return {
        "id": leader.pk,
        "name": leader.full_name or leader.username,
        "title": sel.leader_title(leader),
        "can_keep": sel.can_keep(user, leader),
    }


def _saved(saved: schedules.Saved) -> dict[str, Any]:
    return {
        "entry": _entry(saved.entry),
        "warning": saved.warning,
        "clashes": [_entry(c) for c in saved.clashes],
    }


def _county(user: User, county_id: int | None) -> County:
    counties = sel.counties_for(user)
    if not counties:
        raise PermissionDenied("schedules.no_access", _("您没有查看领导周活动安排的权限。"))
    if county_id is None:
        return counties[0]
    county = next((c for c in counties if c.pk == county_id), None)
    if county is None:
        raise NotFound("schedules.county_not_found", _("县不存在或您无权查看。"))
    return county


@router.get("leaders", response={200: list[LeaderOut], **errors()}, summary="可查看日程的领导")
def leaders(request: HttpRequest) -> list[dict[str, Any]]:
    user = _caller(request)
    return [_leader(user, ldr.user) for ldr in sel.leaders_for(user)]


@router.get("leaders/{user_id}/week", response={200: WeekOut, **errors(404)}, summary="领导一周日程")
def leader_week(request: HttpRequest, user_id: Id, week: str = "") -> dict[str, Any]:
    """The week holding ``week`` (YYYY-MM-DD; this week when missing), grouped by day; ``slot`` is
    am (上午), pm (下午) or evening (晚上) by start time."""
    user = _caller(request)
    leader = sel.get_leader_for(user, user_id)
    wk = sel.week_of(leader, sel.parse_week(week), visibilities=sel.visibilities_for(user, leader))
    return {
        "leader": _leader(user, leader),
        "week_start": wk.week_start,
        "label": wk.label,
        "days": [
            {
                "date": d.day,
                "label": d.label,
                "items": [
                    {**_entry(i.entry), "slot": key, "continued": i.continued}
                    for key, _label, items in d.slot_rows()
                    for i in items
                ],
            }
            for d in wk.days
        ],
    }


@router.post("entries", response={201: ScheduleSavedOut, **errors(400, 403, 404)}, summary="新增日程")
def entry_create(request: HttpRequest, body: EntryIn) -> Status:
    """By the leader, a secretary of the leader or a schedule clerk. An overlap with another entry
    of the leader is saved and reported in ``warning`` and ``clashes``."""
    user = _caller(request)
    leader = sel.get_leader_for(user, body.leader_id)
    saved = schedules.entry_create(
        actor=user, leader=leader, data=body.dict(exclude={"leader_id"}), request=request
    )
    return Status(201, _saved(saved))


@router.patch(
    "entries/{entry_id}", response={200: ScheduleSavedOut, **errors(400, 403, 404)}, summary="修改日程"
)
def entry_update(request: HttpRequest, entry_id: Id, body: EntryPatch) -> dict[str, Any]:
    """Only the given fields change. A meeting's entry: only ``visibility``."""
    user = _caller(request)
    entry = sel.get_entry_for(user, entry_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    return _saved(schedules.entry_update(actor=user, entry=entry, data=data, request=request))


@router.delete("entries/{entry_id}", response={204: None, **errors(400, 403, 404)}, summary="删除日程")
def entry_delete(request: HttpRequest, entry_id: Id) -> Status:
    user = _caller(request)
    entry = sel.get_entry_for(user, entry_id)
    schedules.entry_delete(actor=user, entry=entry, request=request)
    return Status(204, None)


@router.get("county", response={200: dict[str, Any], **errors(403, 404)}, summary="领导周活动安排")
def county_week(request: HttpRequest, week: str = "", county_id: OptionalId = None) -> dict[str, Any]:
    """rows = the county's leaders in protocol order; each row's ``cells`` = 周一…周日, each
    {"am": [...], "pm": [...]} (evening entries in pm with ``evening`` true). Public and internal
    entries; never private ones."""
    user = _caller(request)
    county = _county(user, county_id)
    if not sel.can_view_county(user, county):
        raise PermissionDenied("schedules.no_access", _("您没有查看领导周活动安排的权限。"))
    return sel.county_week(county, sel.parse_week(week))


@router.post(
    "county/publish", response={200: SchedulePublishedOut, **errors(400, 403, 404)}, summary="发布到门户网站"
)
def county_publish(request: HttpRequest, body: SchedulePublishIn) -> dict[str, Any]:
    """The schedule clerk publishes the week's public entries to the portal's 县领导 column; the
    same week again updates that page."""
    user = _caller(request)
    county = _county(user, body.county_id)
    pub = schedules.publish_week(county=county, week_start=body.week, actor=user)
    return {
        "week_start": pub.week_start,
        "title": pub.table.get("title", ""),
        "entries": sel.entry_count(pub.table),
        "portal_page_id": pub.portal_page_id,
        "published_at": pub.published_at,
    }
