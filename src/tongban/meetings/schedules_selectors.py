"""Reads of the leaders' schedules (日程), already filtered for the viewer.

Who sees a county leader's week:

- the leader, and the leader's secretaries (秘书, :class:`LeaderSecretary`): every entry, the
  private ones (仅本人及秘书) included;
- the county's schedule clerks (领导日程管理员, 政府办) and the other county leaders of the county:
  the public and internal entries;
- anyone else: nothing — the leader is "not found" (404), the same as a user who is not a leader.

Who keeps (creates, edits, deletes) a leader's entries: the leader, the leader's secretaries and the
county's schedule clerks. Entries of meetings are kept by :func:`tongban.meetings.schedules.sync_meeting`.

The county's 领导周活动安排 lists the county leaders in protocol order (:func:`leader_rank`): 县委书记,
县长, 县委副书记, 人大常委会主任, 政协主席, 县委常委, 副县长, 人大常委会副主任, 政协副主席; within a rank
by the body's order (unit sort) and the post's order. It shows public and internal entries to staff
who may see it, and only public entries on the portal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import clock
from tongban.core.errors import NotFound
from tongban.identity.models import User
from tongban.meetings.models import LeaderSecretary, ScheduleEntry, ScheduleVisibility
from tongban.orgs.models import BusinessRole, County, Post, RoleGrant

WEEKDAYS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)
AM, PM, EVENING = "am", "pm", "evening"
SLOT_LABELS = {AM: gettext_lazy("上午"), PM: gettext_lazy("下午"), EVENING: gettext_lazy("晚上")}
NOON = time(12, 0)
EVENING_FROM = time(18, 0)

STAFF_VISIBLE = (ScheduleVisibility.PUBLIC, ScheduleVisibility.INTERNAL)
ALL_VISIBLE = (ScheduleVisibility.PUBLIC, ScheduleVisibility.INTERNAL, ScheduleVisibility.PRIVATE)
PUBLIC_ONLY = (ScheduleVisibility.PUBLIC,)


# --- weeks -----------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def this_week() -> date:
    return monday_of(clock.today())


def parse_week(value: Any) -> date:
    """The Monday of the week holding ``value`` (YYYY-MM-DD); this week for a missing or bad value."""
    if isinstance(value, date):
        return monday_of(value)
    try:
        return monday_of(date.fromisoformat(str(value or "").strip()[:10]))
    except ValueError:
        return this_week()


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """The week as aware datetimes: Monday 00:00 (local) to the next Monday 00:00."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(week_start, time.min, tzinfo=tz)
    return start, datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=tz)


def week_label(week_start: date) -> str:
    """2026年11月30日—12月6日 (the year again when the week crosses into the next one)."""
    end = week_start + timedelta(days=6)
    first = _("%(y)d年%(m)d月%(d)d日") % {"y": week_start.year, "m": week_start.month, "d": week_start.day}
    if end.year != week_start.year:
        last = _("%(y)d年%(m)d月%(d)d日") % {"y": end.year, "m": end.month, "d": end.day}
    else:
        last = _("%(m)d月%(d)d日") % {"m": end.month, "d": end.day}
    return f"{first}—{last}"


def county_table_title(county: County, week_start: date) -> str:
    return _("%(county)s领导周活动安排（%(week)s）") % {"county": county.name, "week": week_label(week_start)}


def slot_of(moment: datetime) -> str:
    local = timezone.localtime(moment).time()
    if local < NOON:
        return AM
    if local < EVENING_FROM:
        return PM
    return EVENING


# --- leaders ---------------------------------------------------------------------------------------

_RANKS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^(县委|市委|区委)?书记"), 10),
    (re.compile(r"(?<!副)(县|市|区)长"), 20),
    (re.compile(r"(县委|市委|区委)副书记"), 30),
    (re.compile(r"人大常委会主任"), 40),
    (re.compile(r"政协主席"), 50),
    (re.compile(r"(县委|市委|区委)常委"), 60),
    (re.compile(r"副(县|市|区)长"), 70),
    (re.compile(r"人大常委会副主任"), 80),
    (re.compile(r"政协副主席"), 90),
)


def leader_rank(title: str) -> int:
    """The protocol rank of a county leader's title (lower first); 100 when not recognised.
    "县委副书记、县长" ranks as 县长, "县委常委、常务副县长" as 县委常委."""
    for pattern, rank in _RANKS:
        if pattern.search(title or ""):
            return rank
    return 100


@dataclass(frozen=True)
class Leader:
    user: User
    title: str
    county_id: int

    @property
    def pk(self) -> int:
        return int(self.user.pk)

    @property
    def name(self) -> str:
        return self.user.full_name or self.user.username


def leader_grants(county: County | int | None = None) -> QuerySet[RoleGrant]:
    qs = RoleGrant.objects.filter(role=BusinessRole.COUNTY_LEADER, unit__is_active=True, user__is_active=True)
    if county is not None:
        qs = qs.filter(county=county)
    return qs


def county_leaders(county: County) -> list[Leader]:
    """The county's leaders (holders of the 县领导 role) in protocol order."""
    grants = list(leader_grants(county).select_related("user", "unit"))
    users: dict[int, tuple[User, int]] = {}
    for g in grants:
        users.setdefault(g.user_id, (g.user, g.unit.sort))
    posts = {
        p.user_id: p for p in Post.objects.filter(user_id__in=users, is_primary=True).select_related("unit")
    }
    rows = []
    for uid, (user, grant_sort) in users.items():
        post = posts.get(uid)
        title = post.title if post else ""
        unit_sort = post.unit.sort if post else grant_sort
        rows.append(
            (leader_rank(title), unit_sort, post.sort if post else 0, uid, Leader(user, title, county.pk))
        )
    rows.sort(key=lambda r: r[:4])
    return [r[4] for r in rows]


def leader_title(leader: Any) -> str:
    post = Post.objects.filter(user=leader, is_primary=True).only("title").first()
    return post.title if post else ""


def leader_county_id(leader: Any) -> int | None:
    """The county in which ``leader`` is a county leader (None: not a county leader)."""
    if leader is None or not getattr(leader, "pk", None):
        return None
    return leader_grants().filter(user=leader).values_list("county_id", flat=True).first()


def is_county_leader(user: Any, county_id: int | None = None) -> bool:
    if not _staff(user):
        return False
    qs = leader_grants().filter(user=user)
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    return qs.exists()


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.pk)


def is_secretary_of(user: Any, leader: Any) -> bool:
    return _staff(user) and LeaderSecretary.objects.filter(leader=leader, secretary=user).exists()


def is_schedule_clerk(user: Any, county_id: int | None = None) -> bool:
    if not _staff(user):
        return False
    qs = RoleGrant.objects.filter(user=user, role=BusinessRole.SCHEDULE_CLERK, unit__is_active=True)
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    return qs.exists()


def visibilities_for(user: Any, leader: Any) -> tuple[str, ...]:
    """The visibilities of ``leader``'s entries that ``user`` sees (empty: may not see the leader)."""
    if not _staff(user):
        return ()
    county_id = leader_county_id(leader)
    if county_id is None:
        return ()
    if user.pk == leader.pk or is_secretary_of(user, leader):
        return ALL_VISIBLE
    if is_schedule_clerk(user, county_id) or is_county_leader(user, county_id):
        return STAFF_VISIBLE
    return ()


def can_view_leader(user: Any, leader: Any) -> bool:
    return bool(visibilities_for(user, leader))


def can_keep(user: Any, leader: Any) -> bool:
    """May ``user`` create, edit and delete ``leader``'s entries?"""
    if not _staff(user):
        return False
    county_id = leader_county_id(leader)
    if county_id is None:
        return False
    return user.pk == leader.pk or is_secretary_of(user, leader) or is_schedule_clerk(user, county_id)


def get_leader_for(user: Any, leader_id: Any) -> User:
    """The county leader ``leader_id`` if ``user`` may see the leader's week; else NotFound."""
    try:
        pk = int(leader_id)
    except (TypeError, ValueError):
        raise NotFound("schedules.leader_not_found", _("领导不存在或您无权查看其日程。")) from None
    leader = User.objects.filter(pk=pk, is_active=True).first()
    if leader is None or not can_view_leader(user, leader):
        raise NotFound("schedules.leader_not_found", _("领导不存在或您无权查看其日程。"))
    return leader


def leaders_for(user: Any) -> list[Leader]:
    """The leaders whose week ``user`` may see, in protocol order: all the county's leaders for its
    schedule clerks and leaders; the leaders served for a secretary."""
    if not _staff(user):
        return []
    counties = set(
        RoleGrant.objects.filter(
            user=user,
            role__in=(BusinessRole.SCHEDULE_CLERK, BusinessRole.COUNTY_LEADER),
            unit__is_active=True,
        ).values_list("county_id", flat=True)
    )
    served = set(LeaderSecretary.objects.filter(secretary=user).values_list("leader_id", flat=True))
    counties |= set(LeaderSecretary.objects.filter(secretary=user).values_list("county_id", flat=True))
    out: list[Leader] = []
    for county in County.objects.filter(pk__in=counties).order_by("code"):
        everyone = is_schedule_clerk(user, county.pk) or is_county_leader(user, county.pk)
        out += [ldr for ldr in county_leaders(county) if everyone or ldr.pk in served]
    return out


def kept_leaders(user: Any) -> list[Leader]:
    """Leaders whose entries ``user`` keeps (for the entry form's choice of leader)."""
    return [ldr for ldr in leaders_for(user) if can_keep(user, ldr.user)]


def can_view_county(user: Any, county: County) -> bool:
    """The county's 领导周活动安排: its schedule clerks, its leaders and their secretaries."""
    if not _staff(user):
        return False
    if is_schedule_clerk(user, county.pk) or is_county_leader(user, county.pk):
        return True
    return LeaderSecretary.objects.filter(secretary=user, county=county).exists()


def counties_for(user: Any) -> list[County]:
    if not _staff(user):
        return []
    ids = set(
        RoleGrant.objects.filter(
            user=user,
            role__in=(BusinessRole.SCHEDULE_CLERK, BusinessRole.COUNTY_LEADER),
            unit__is_active=True,
        ).values_list("county_id", flat=True)
    ) | set(LeaderSecretary.objects.filter(secretary=user).values_list("county_id", flat=True))
    return list(County.objects.filter(pk__in=ids).order_by("code"))


def uses_schedules(user: Any) -> bool:
    """Whether the nav entry 领导日程 shows: county leaders, secretaries, schedule clerks."""
    if not _staff(user):
        return False
    return (
        RoleGrant.objects.filter(
            user=user,
            role__in=(BusinessRole.SCHEDULE_CLERK, BusinessRole.COUNTY_LEADER),
            unit__is_active=True,
        ).exists()
        or LeaderSecretary.objects.filter(secretary=user).exists()
    )


# --- entries ---------------------------------------------------------------------------------------


def entries_in(
    *, leaders: Any, week_start: date, visibilities: tuple[str, ...], county: County | None = None
) -> QuerySet[ScheduleEntry]:
    start, end = week_bounds(week_start)
    qs = ScheduleEntry.objects.filter(
        leader__in=leaders, visibility__in=visibilities, starts_at__lt=end, ends_at__gt=start
    )
    if county is not None:
        qs = qs.filter(county=county)
    return qs.select_related("meeting").order_by("starts_at", "id")


def get_entry_for(user: Any, entry_id: Any) -> ScheduleEntry:
    """The entry ``entry_id`` if ``user`` may see it (its leader's week and its visibility)."""
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        raise NotFound("schedules.entry_not_found", _("日程不存在或您无权查看。")) from None
    entry = ScheduleEntry.objects.filter(pk=pk).select_related("leader", "meeting", "county").first()
    if entry is None or entry.visibility not in visibilities_for(user, entry.leader):
        raise NotFound("schedules.entry_not_found", _("日程不存在或您无权查看。"))
    return entry


def overlapping(
    *, leader: Any, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> list[ScheduleEntry]:
    """The leader's other entries overlapping [starts_at, ends_at) (日程冲突)."""
    qs = ScheduleEntry.objects.filter(leader=leader, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("starts_at", "id"))


@dataclass
class Item:
    entry: ScheduleEntry
    slot: str
    continued: bool = False  # the entry started on an earlier day

    @property
    def time_text(self) -> str:
        if self.continued:
            return str(_("续"))
        start = timezone.localtime(self.entry.starts_at)
        end = timezone.localtime(self.entry.ends_at)
        if start.date() == end.date():
            return f"{start:%H:%M}—{end:%H:%M}"
        return f"{start:%H:%M}—{end:%m-%d %H:%M}"


@dataclass
class Day:
    day: date
    label: str
    slots: dict[str, list[Item]] = field(default_factory=lambda: {AM: [], PM: [], EVENING: []})

    @property
    def is_today(self) -> bool:
        return self.day == clock.today()

    @property
    def empty(self) -> bool:
        return not any(self.slots.values())

    def slot_rows(self) -> list[tuple[str, str, list[Item]]]:
        return [(key, str(SLOT_LABELS[key]), self.slots[key]) for key in (AM, PM, EVENING)]


def _spread(entry: ScheduleEntry, week_start: date) -> list[tuple[int, Item]]:
    """(day index within the week, item) for every day of the week the entry covers."""
    first = timezone.localtime(entry.starts_at).date()
    last = timezone.localtime(entry.ends_at - timedelta(microseconds=1)).date()
    out = []
    for i in range(7):
        d = week_start + timedelta(days=i)
        if first <= d <= last:
            cont = d != first
            out.append((i, Item(entry, AM if cont else slot_of(entry.starts_at), continued=cont)))
    return out


@dataclass
class Week:
    leader: User
    week_start: date
    days: list[Day]

    @property
    def label(self) -> str:
        return week_label(self.week_start)

    @property
    def prev(self) -> date:
        return self.week_start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.week_start + timedelta(days=7)

    @property
    def is_this_week(self) -> bool:
        return self.week_start == this_week()

    @property
    def count(self) -> int:
        return len({i.entry.pk for d in self.days for items in d.slots.values() for i in items})


def week_of(leader: Any, week_start: date, *, visibilities: tuple[str, ...] = STAFF_VISIBLE) -> Week:
    """The leader's week grouped by day and by 上午/下午/晚上 (by start time)."""
    week_start = monday_of(week_start)
    days = [Day(week_start + timedelta(days=i), str(WEEKDAYS[i])) for i in range(7)]
    for entry in entries_in(leaders=[leader], week_start=week_start, visibilities=visibilities):
        for i, item in _spread(entry, week_start):
            days[i].slots[item.slot].append(item)
    return Week(leader=leader, week_start=week_start, days=days)


# --- the county table (领导周活动安排) -----------------------------------------------------------


def _cell_item(item: Item) -> dict[str, Any]:
    e = item.entry
    start = timezone.localtime(e.starts_at)
    return {
        "entry_id": e.pk,
        "time": "" if item.continued else f"{start:%H:%M}",
        "evening": item.slot == EVENING,
        "continued": item.continued,
        "title": e.title,
        "place": e.place,
        "visibility": e.visibility,
    }


def county_week(county: County, week_start: date, *, public_only: bool = False) -> dict[str, Any]:
    """领导周活动安排 of ``county``: rows = the county's leaders (protocol order), columns = 周一…周日,
    each with 上午 and 下午 (evening entries go into 下午, marked 晚上). Public and internal entries for
    staff; only public ones with ``public_only`` (the portal). Plain data (JSON-ready): it is frozen
    as it is into :class:`SchedulePublication.table`."""
    week_start = monday_of(week_start)
    leaders = county_leaders(county)
    visibilities = PUBLIC_ONLY if public_only else STAFF_VISIBLE
    by_leader: dict[int, list[ScheduleEntry]] = {}
    for e in entries_in(
        leaders=[ldr.pk for ldr in leaders], week_start=week_start, visibilities=visibilities, county=county
    ):
        by_leader.setdefault(e.leader_id, []).append(e)
    rows = []
    for ldr in leaders:
        cells: list[dict[str, list[dict[str, Any]]]] = [{AM: [], PM: []} for _i in range(7)]
        for e in by_leader.get(ldr.pk, []):
            for i, item in _spread(e, week_start):
                cells[i][AM if item.slot == AM else PM].append(_cell_item(item))
        rows.append({"leader_id": ldr.pk, "name": ldr.name, "title": ldr.title, "cells": cells})
    return {
        "title": county_table_title(county, week_start),
        "county": county.name,
        "week_start": week_start.isoformat(),
        "days": [
            {"date": (week_start + timedelta(days=i)).isoformat(), "label": str(WEEKDAYS[i])}
            for i in range(7)
        ],
        "public_only": public_only,
        "rows": rows,
    }


def entry_count(table: dict[str, Any]) -> int:
    return len(
        {
            item["entry_id"]
            for row in table.get("rows", [])
            for cell in row.get("cells", [])
            for items in cell.values()
            for item in items
        }
    )
