"""Services of the meetings' scheduling part — the only writers of meetings, their venues, agenda,
materials, invitations and the attendee rows that come from them.

- :func:`meeting_create` / :func:`meeting_update`: a meeting hosted by one of the organiser's
  units; the chair, named people, presenters and (for video) the venues' terminals become
  ``Attendee`` rows, kept in step on every change (rows that signed in are never dropped).
  Room and leader clashes (:func:`clashes`) and a capacity shortfall are *warnings*: the
  services refuse with :class:`ClashWarning` unless ``data["force"]`` is true.
- :func:`meeting_notify`: 会议通知 to the named attendees, the venue terminals and each invited
  unit's confirmers (in-app + SMS); a later change of time or venue sends 会议变更;
  :func:`meeting_cancel` sends 会议取消.
- :func:`invitation_confirm`: a unit's 参会回执 (who attends, who is on leave and why) within
  its seats, until the meeting starts; :func:`send_confirm_reminders` (every 30 minutes) urges
  units that have not replied as the deadline nears, at most once per 12 hours.

Every step writes a ``MeetingEvent`` (``events.record``) and an audit row, inside one
transaction: a refused step changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core import files as tfiles
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.meetings import access
from tongban.meetings.events import record
from tongban.meetings.models import (
    AgendaItem,
    Attendee,
    AttendeeRole,
    ConfirmStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingMaterial,
    MeetingStatus,
    MeetingVenue,
    Reply,
    ScheduleEntry,
    Venue,
)
from tongban.notify.services import notify
from tongban.orgs.models import BusinessRole, Post, RoleGrant, Unit

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_AGENDA = 30
MAX_INVITATIONS = 200
MAX_PEOPLE = 100
MAX_VENUES = 40
MAX_SEATS = 500
MAX_MINUTES = 24 * 60
MATERIAL_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "png", "zip")
REMINDER_WINDOW = timedelta(hours=24)
REMINDER_GAP = timedelta(hours=12)
EDITABLE = (MeetingStatus.DRAFT, MeetingStatus.NOTIFIED)
# The first tier that has anyone receives a unit's notices and reminders (the 文书 does the 回执).
NOTICE_TIERS = (
    (BusinessRole.CLERK, BusinessRole.OFFICE_HEAD),
    (BusinessRole.UNIT_LEADER, BusinessRole.MEETING_ORGANISER),
)


# --- warnings ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clash:
    """A warning shown before saving: ``kind`` "venue" (the room is taken), "leader" (a county
    leader has another meeting or schedule entry) or "capacity" (more seats than room)."""

    kind: str
    message: str
    meeting_id: int | None = None
    meeting_title: str = ""
    entry_id: int | None = None
    venue_id: int | None = None
    user_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ClashWarning(TongbanError):
    """Saving would clash; repeat with ``force`` to save anyway. Carries the warnings."""

    status = 409

    def __init__(self, warnings: list[Clash]):
        super().__init__(
            "meetings.clash",
            _("存在 %(n)d 项冲突或提醒，请核对后勾选“仍然保存”。") % {"n": len(warnings)},
        )
        self.warnings = warnings


def _span(start: datetime, end: datetime) -> str:
    s, e = timezone.localtime(start), timezone.localtime(end)
    if s.date() == e.date():
        return f"{s:%m-%d %H:%M}–{e:%H:%M}"
    return f"{s:%m-%d %H:%M}–{e:%m-%d %H:%M}"


def county_leader_ids(county_id: int, user_ids: Iterable[int]) -> set[int]:
    return set(
        RoleGrant.objects.filter(
            county_id=county_id, role=BusinessRole.COUNTY_LEADER, user_id__in=list(user_ids)
        ).values_list("user_id", flat=True)
    )


def clashes(
    *,
    county: Any,
    starts_at: datetime,
    ends_at: datetime,
    venue_ids: Iterable[int],
    user_ids: Iterable[int],
    exclude_meeting_id: int | None = None,
) -> list[Clash]:
    """Room clashes (a venue used by another non-cancelled meeting whose time overlaps; a meeting
    ending at 10:00 and one starting at 10:00 do not clash) and leader clashes (a county leader
    among ``user_ids`` attends another overlapping meeting, or has an overlapping schedule entry)."""
    county_id = getattr(county, "pk", county)
    out: list[Clash] = []
    overlap = Q(meeting__starts_at__lt=ends_at, meeting__ends_at__gt=starts_at)
    live = ~Q(meeting__status=MeetingStatus.CANCELLED)
    links = (
        MeetingVenue.objects.filter(overlap, live, meeting__county_id=county_id, venue_id__in=list(venue_ids))
        .exclude(meeting_id=exclude_meeting_id or 0)
        .select_related("meeting", "venue")
        .order_by("meeting__starts_at", "venue__sort", "id")
    )
    for link in links:
        m = link.meeting
        out.append(
            Clash(
                kind="venue",
                message=_("会场“%(venue)s”在 %(span)s 已安排“%(title)s”。")
                % {"venue": link.venue.name, "span": _span(m.starts_at, m.ends_at), "title": m.title},
                meeting_id=m.pk,
                meeting_title=m.title,
                venue_id=link.venue_id,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
            )
        )
    leaders = county_leader_ids(county_id, user_ids)
    if leaders:
        rows = (
            Attendee.objects.filter(overlap, live, meeting__county_id=county_id, user_id__in=leaders)
            .exclude(meeting_id=exclude_meeting_id or 0)
            .exclude(reply=Reply.LEAVE)
            .select_related("meeting", "user")
            .order_by("meeting__starts_at", "id")
        )
        for a in rows:
            m = a.meeting
            out.append(
                Clash(
                    kind="leader",
                    message=_("%(leader)s 在 %(span)s 已安排参加“%(title)s”。")
                    % {"leader": a.user.full_name, "span": _span(m.starts_at, m.ends_at), "title": m.title},
                    meeting_id=m.pk,
                    meeting_title=m.title,
                    user_id=a.user_id,
                    starts_at=m.starts_at,
                    ends_at=m.ends_at,
                )
            )
        entries = (
            ScheduleEntry.objects.filter(
                county_id=county_id,
                leader_id__in=leaders,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
                meeting__isnull=True,
            )
            .select_related("leader")
            .order_by("starts_at", "id")
        )
        for e in entries:
            out.append(
                Clash(
                    kind="leader",
                    message=_("%(leader)s 在 %(span)s 已有日程：“%(title)s”。")
                    % {"leader": e.leader.full_name, "span": _span(e.starts_at, e.ends_at), "title": e.title},
                    entry_id=e.pk,
                    meeting_title=e.title,
                    user_id=e.leader_id,
                    starts_at=e.starts_at,
                    ends_at=e.ends_at,
                )
            )
    return out


def capacity_warnings(*, kind: str, venues: Sequence[Venue], expected: int) -> list[Clash]:
    """More people expected than the venues hold (a venue of capacity 0 is not counted)."""
    rooms = [v for v in venues if v.capacity]
    if not rooms:
        return []
    if kind == MeetingKind.IN_PERSON:
        rooms = rooms[:1]  # everyone sits in the main venue
    capacity = sum(v.capacity for v in rooms)
    if expected <= capacity:
        return []
    return [
        Clash(
            kind="capacity",
            message=_("邀请的参会名额共 %(n)d 人，超过会场容纳人数 %(cap)d 人。")
            % {"n": expected, "cap": capacity},
            venue_id=rooms[0].pk,
        )
    ]


# --- input -------------------------------------------------------------------------------------
@dataclass
class MeetingInput:
    title: str
    kind: str
    host_unit: Unit
    chair: User
    starts_at: datetime
    ends_at: datetime
    main_venue: Venue
    venues: list[Venue]  # main first, then 分会场
    agenda: list[dict[str, Any]]
    invitations: list[tuple[Unit, int]]
    people: list[User]
    confirm_deadline: datetime | None
    late_after_minutes: int
    needs_admission: bool
    summary: str
    requirements: str
    contact_phone: str
    force: bool = False
    presenters: list[User] = field(default_factory=list)


def _err(code: str, message: Any, fld: str | None = None) -> TongbanError:
    return TongbanError(f"meetings.{code}", message, field=fld)


def _text(data: dict[str, Any], key: str, label: str, limit: int, *, required: bool = False) -> str:
    value = str(data.get(key) or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise _err(f"{key}_required", _("请填写%(label)s。") % {"label": label}, key)
    if len(value) > limit:
        raise _err(f"{key}_too_long", _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}, key)
    return value


def _int(value: Any, key: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise _err(f"bad_{key}", _("%(label)s无效。") % {"label": label}, key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _err(f"bad_{key}", _("%(label)s无效。") % {"label": label}, key) from None


def _dt(value: Any, key: str, label: str, *, required: bool = True) -> datetime | None:
    if value in (None, ""):
        if required:
            raise _err(f"{key}_required", _("请填写%(label)s。") % {"label": label}, key)
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            raise _err(f"bad_{key}", _("%(label)s格式不正确。") % {"label": label}, key)
        value = parsed
    if not isinstance(value, datetime):
        raise _err(f"bad_{key}", _("%(label)s格式不正确。") % {"label": label}, key)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.replace(second=0, microsecond=0)


def staff_of_county(county_id: int) -> Any:
    return User.objects.filter(is_active=True, posts__county_id=county_id).distinct()


def unit_staff(unit: Unit) -> list[User]:
    """People with a post in ``unit`` (primary or concurrent), in the unit's order."""
    seen: dict[int, User] = {}
    for p in (
        Post.objects.filter(unit=unit, user__is_active=True).select_related("user").order_by("sort", "id")
    ):
        seen.setdefault(p.user_id, p.user)
    return list(seen.values())


def _user_in_county(county_id: int, user_id: int | None, key: str, label: str) -> User:
    user = staff_of_county(county_id).filter(pk=user_id).first() if user_id else None
    if user is None:
        raise _err(f"bad_{key}", _("%(label)s不是本县在职人员。") % {"label": label}, key)
    return user


def _clean(
    *, actor: User, data: dict[str, Any], county_id: int | None, meeting: Meeting | None
) -> MeetingInput:
    title = _text(data, "title", _("会议名称"), MAX_TITLE, required=True)
    kind = str(data.get("kind") or "")
    if kind not in MeetingKind.values:
        raise _err("bad_kind", _("请选择会议形式。"), "kind")
    host_id = _int(data.get("host_unit_id"), "host_unit_id", _("主办单位"))
    organiser_units = access.organiser_unit_ids(actor)
    if meeting is not None and host_id is None:
        host_id = meeting.host_unit_id
    if host_id is None and len(organiser_units) == 1:
        host_id = next(iter(organiser_units))
    allowed = host_id is not None and (
        host_id in organiser_units or (meeting is not None and host_id == meeting.host_unit_id)
    )
    host = Unit.objects.filter(pk=host_id or 0, is_active=True).first() if allowed else None
    if host is None or (county_id is not None and host.county_id != county_id):
        raise _err("bad_host_unit", _("主办单位须是您担任会务管理员的单位。"), "host_unit_id")
    cid = host.county_id
    chair = _user_in_county(cid, _int(data.get("chair_id"), "chair_id", _("主持人")), "chair_id", _("主持人"))
    starts_at = _dt(data.get("starts_at"), "starts_at", _("开始时间"))
    ends_at = _dt(data.get("ends_at"), "ends_at", _("结束时间"))
    assert starts_at is not None and ends_at is not None
    if ends_at <= starts_at:
        raise _err("ends_before_start", _("结束时间须晚于开始时间。"), "ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise _err("too_long", _("一次会议不能超过 24 小时。"), "ends_at")
    now = timezone.now()
    moved = meeting is None or meeting.starts_at != starts_at
    if moved and starts_at <= now:
        raise _err("in_past", _("开始时间不能早于现在。"), "starts_at")
    deadline = _dt(data.get("confirm_deadline"), "confirm_deadline", _("回执截止时间"), required=False)
    if deadline is not None and deadline >= starts_at:
        raise _err("bad_deadline", _("回执截止时间须早于会议开始时间。"), "confirm_deadline")
    late = _int(data.get("late_after_minutes"), "late_after_minutes", _("迟到判定")) or 0
    if not 0 <= late <= 240:
        raise _err("bad_late_after_minutes", _("迟到判定须在 0 至 240 分钟之间。"), "late_after_minutes")

    # venues: one main + 分会场
    main_id = _int(data.get("main_venue_id"), "main_venue_id", _("主会场"))
    if main_id is None:
        raise _err("main_venue_required", _("请选择主会场。"), "main_venue_id")
    other_ids: list[int] = []
    for v in data.get("venue_ids") or []:
        vid = _int(v, "venue_ids", _("分会场"))
        if vid is not None and vid != main_id and vid not in other_ids:
            other_ids.append(vid)
    if len(other_ids) + 1 > MAX_VENUES:
        raise _err("too_many_venues", _("会场不能超过 %(n)d 个。") % {"n": MAX_VENUES}, "venue_ids")
    found = {
        v.pk: v for v in Venue.objects.filter(county_id=cid, is_active=True, pk__in=[main_id, *other_ids])
    }
    if main_id not in found:
        raise _err("bad_main_venue", _("主会场不存在或已停用。"), "main_venue_id")
    if any(vid not in found for vid in other_ids):
        raise _err("bad_venue", _("所选分会场不存在或已停用。"), "venue_ids")
    venues = [found[main_id], *(found[v] for v in other_ids)]

    # agenda
    agenda: list[dict[str, Any]] = []
    raw_agenda = data.get("agenda") or []
    if len(raw_agenda) > MAX_AGENDA:
        raise _err("too_many_agenda", _("议程不能超过 %(n)d 项。") % {"n": MAX_AGENDA}, "agenda")
    presenters: list[User] = []
    for i, row in enumerate(raw_agenda, start=1):
        item_title = str(row.get("title") or "").strip()
        if not item_title:
            continue
        if len(item_title) > 200:
            raise _err("agenda_too_long", _("第 %(n)d 项议题不能超过 200 个字。") % {"n": i}, "agenda")
        pid = _int(row.get("presenter_id"), "agenda", _("汇报人"))
        presenter = _user_in_county(cid, pid, "agenda", _("汇报人")) if pid else None
        if presenter is not None and presenter not in presenters:
            presenters.append(presenter)
        minutes = _int(row.get("minutes"), "agenda", _("时长")) or 0
        if not 0 <= minutes <= MAX_MINUTES:
            raise _err("bad_agenda_minutes", _("第 %(n)d 项议题的时长无效。") % {"n": i}, "agenda")
        name = str(row.get("presenter_name") or "").strip()[:64]
        agenda.append(
            {
                "title": item_title,
                "presenter": presenter,
                "presenter_name": name,
                "minutes": minutes,
                "notes": str(row.get("notes") or "").strip()[:MAX_TEXT],
            }
        )

    # invited units
    raw_inv = data.get("invitations") or []
    if len(raw_inv) > MAX_INVITATIONS:
        raise _err("too_many_units", _("参会单位过多。"), "invitations")
    inv_ids: dict[int, int] = {}
    for row in raw_inv:
        uid = _int(row.get("unit_id"), "invitations", _("参会单位"))
        seats = _int(row.get("seats"), "invitations", _("参会名额"))
        if uid is None:
            continue
        if seats is None or not 1 <= seats <= MAX_SEATS:
            raise _err("bad_seats", _("参会名额须在 1 至 %(n)d 之间。") % {"n": MAX_SEATS}, "invitations")
        inv_ids[uid] = seats
    units = {u.pk: u for u in Unit.objects.filter(county_id=cid, is_active=True, pk__in=list(inv_ids))}
    if len(units) != len(inv_ids):
        raise _err("bad_unit", _("所选参会单位不存在或已停用。"), "invitations")
    invitations = [(units[uid], seats) for uid, seats in inv_ids.items()]

    # people invited by name
    pids: list[int] = []
    for v in data.get("people") or []:
        pid = _int(v, "people", _("参会人员"))
        if pid is not None and pid not in pids:
            pids.append(pid)
    if len(pids) > MAX_PEOPLE:
        raise _err("too_many_people", _("点名参会人员不能超过 %(n)d 人。") % {"n": MAX_PEOPLE}, "people")
    people_map = {u.pk: u for u in staff_of_county(cid).filter(pk__in=pids)}
    if len(people_map) != len(pids):
        raise _err("bad_people", _("参会人员须是本县在职人员。"), "people")
    return MeetingInput(
        title=title,
        kind=kind,
        host_unit=host,
        chair=chair,
        starts_at=starts_at,
        ends_at=ends_at,
        main_venue=venues[0],
        venues=venues,
        agenda=agenda,
        invitations=invitations,
        people=[people_map[p] for p in pids],
        confirm_deadline=deadline,
        late_after_minutes=late,
        needs_admission=bool(data.get("needs_admission")),
        summary=_text(data, "summary", _("会议内容"), MAX_TEXT),
        requirements=_text(data, "requirements", _("参会要求"), MAX_TEXT),
        contact_phone=_text(data, "contact_phone", _("联系电话"), 32),
        force=bool(data.get("force")),
        presenters=presenters,
    )


def warnings_for(inp: MeetingInput, *, exclude_meeting_id: int | None = None) -> list[Clash]:
    users = {inp.chair.pk, *(u.pk for u in inp.people), *(u.pk for u in inp.presenters)}
    out = clashes(
        county=inp.host_unit.county_id,
        starts_at=inp.starts_at,
        ends_at=inp.ends_at,
        venue_ids=[v.pk for v in inp.venues],
        user_ids=users,
        exclude_meeting_id=exclude_meeting_id,
    )
    expected = sum(s for _u, s in inp.invitations) + len(users)
    return out + capacity_warnings(kind=inp.kind, venues=inp.venues, expected=expected)


def check(*, actor: User, data: dict[str, Any], meeting: Meeting | None = None) -> list[Clash]:
    """The warnings saving ``data`` would give (validation errors are raised as for saving)."""
    inp = _clean(actor=actor, data=data, county_id=meeting.county_id if meeting else None, meeting=meeting)
    return warnings_for(inp, exclude_meeting_id=meeting.pk if meeting else None)


# --- attendees kept in step ----------------------------------------------------------------------
def _primary_unit_ids(user_ids: Iterable[int], county_id: int) -> dict[int, int]:
    out: dict[int, int] = {}
    for uid, unit_id in (
        Post.objects.filter(user_id__in=list(user_ids), county_id=county_id)
        .order_by("-is_primary", "sort", "id")
        .values_list("user_id", "unit_id")
    ):
        out.setdefault(uid, unit_id)
    return out


def _sync_attendees(meeting: Meeting, inp: MeetingInput) -> list[Attendee]:
    """Chair, named people, presenters and terminals as attendee rows. Returns the rows added."""
    main = inp.main_venue
    desired: dict[int, dict[str, Any]] = {}
    for v in inp.venues if meeting.kind != MeetingKind.IN_PERSON else []:
        if v.terminal_id and v.has_video:
            desired[v.terminal_id] = {"role": AttendeeRole.TERMINAL, "venue": v, "unit_id": v.unit_id}
    units = _primary_unit_ids([u.pk for u in (*inp.people, *inp.presenters, inp.chair)], meeting.county_id)
    for u in inp.people:
        desired[u.pk] = {"role": AttendeeRole.PARTICIPANT, "venue": main, "unit_id": units.get(u.pk)}
    for u in inp.presenters:
        desired[u.pk] = {"role": AttendeeRole.PRESENTER, "venue": main, "unit_id": units.get(u.pk)}
    desired[inp.chair.pk] = {"role": AttendeeRole.CHAIR, "venue": main, "unit_id": units.get(inp.chair.pk)}
    added: list[Attendee] = []
    existing = {
        a.user_id: a
        for a in Attendee.objects.select_for_update(of=("self",)).filter(meeting=meeting).order_by("id")
    }
    for uid, a in existing.items():
        want = desired.get(uid)
        if a.invitation_id is not None:
            # named by a unit: keep the row; a role given by the organiser is added or taken back
            role = (
                want["role"] if want and want["role"] != AttendeeRole.TERMINAL else AttendeeRole.PARTICIPANT
            )
            if a.role != role:
                a.role = role
                a.save(update_fields=["role"])
            continue
        if want is None:
            if a.signed_in_at is None:
                a.delete()
            continue
        changed = []
        for key in ("role", "venue", "unit_id"):
            if getattr(a, key) != want[key]:
                setattr(a, key, want[key])
                changed.append(key)
        if changed:
            a.save(update_fields=[k.replace("_id", "") if k == "unit_id" else k for k in changed])
    for uid, want in desired.items():
        if uid in existing:
            continue
        added.append(
            Attendee.objects.create(
                meeting=meeting,
                user_id=uid,
                role=want["role"],
                venue=want["venue"],
                unit_id=want["unit_id"],
                reply=Reply.ATTEND,
                admitted=not meeting.needs_admission or want["role"] != AttendeeRole.PARTICIPANT,
            )
        )
    return added


def _sync_invitations(meeting: Meeting, inp: MeetingInput) -> list[Invitation]:
    """Returns the invitations added."""
    want = {u.pk: seats for u, seats in inp.invitations}
    added: list[Invitation] = []
    current = {
        i.unit_id: i
        for i in Invitation.objects.select_for_update(of=("self",)).filter(meeting=meeting).order_by("id")
    }
    for unit_id, inv in current.items():
        if unit_id not in want:
            if inv.attendees.filter(signed_in_at__isnull=False).exists():
                raise _err(
                    "invitation_in_use",
                    _("“%(unit)s”已有人签到，不能取消邀请。") % {"unit": inv.unit.name},
                    "invitations",
                )
            inv.delete()
            continue
        attending = inv.attendees.filter(reply=Reply.ATTEND).count()
        if want[unit_id] < attending:
            raise _err(
                "seats_below_confirmed",
                _("“%(unit)s”已回执 %(n)d 人参会，名额不能少于 %(n)d。")
                % {"unit": inv.unit.name, "n": attending},
                "invitations",
            )
        if inv.seats != want[unit_id]:
            inv.seats = want[unit_id]
            inv.save(update_fields=["seats"])
    for unit, seats in inp.invitations:
        if unit.pk not in current:
            added.append(Invitation.objects.create(meeting=meeting, unit=unit, seats=seats))
    return added


def _sync_venues(meeting: Meeting, inp: MeetingInput) -> None:
    MeetingVenue.objects.filter(meeting=meeting).delete()
    for i, v in enumerate(inp.venues):
        MeetingVenue.objects.create(meeting=meeting, venue=v, is_main=(i == 0))


def _sync_agenda(meeting: Meeting, inp: MeetingInput) -> None:
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "id"))
    for i, row in enumerate(inp.agenda):
        fields = {
            "order": i + 1,
            "title": row["title"],
            "presenter": row["presenter"],
            "presenter_name": row["presenter_name"],
            "minutes": row["minutes"],
            "notes": row["notes"],
        }
        if i < len(items):
            item = items[i]
            for k, v in fields.items():
                setattr(item, k, v)
            item.save()
        else:
            AgendaItem.objects.create(meeting=meeting, **fields)
    for item in items[len(inp.agenda) :]:
        item.delete()  # its materials stay on the meeting (agenda_item SET_NULL)


def _apply(meeting: Meeting, inp: MeetingInput) -> None:
    meeting.title = inp.title
    meeting.kind = inp.kind
    meeting.host_unit = inp.host_unit
    meeting.chair = inp.chair
    meeting.starts_at = inp.starts_at
    meeting.ends_at = inp.ends_at
    meeting.confirm_deadline = inp.confirm_deadline
    meeting.late_after_minutes = inp.late_after_minutes
    meeting.needs_admission = inp.needs_admission
    meeting.summary = inp.summary
    meeting.requirements = inp.requirements
    meeting.contact_phone = inp.contact_phone


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "chair": meeting.chair_id,
        "starts_at": timezone.localtime(meeting.starts_at).isoformat(),
        "ends_at": timezone.localtime(meeting.ends_at).isoformat(),
        "venues": list(
            MeetingVenue.objects.filter(meeting=meeting)
            .order_by("-is_main", "id")
            .values_list("venue_id", flat=True)
        ),
        "units": sorted(Invitation.objects.filter(meeting=meeting).values_list("unit_id", flat=True)),
    }


def meeting_create(*, actor: User, data: dict[str, Any], request: Any = None) -> Meeting:
    """Create a draft meeting. Refused (nothing saved) on invalid input, or with
    :class:`ClashWarning` when it clashes and ``data["force"]`` is not set."""
    if not access.organiser_unit_ids(actor):
        raise PermissionDenied("meetings.not_organiser", _("只有会务管理员可以安排会议。"))
    inp = _clean(actor=actor, data=data, county_id=None, meeting=None)
    warnings = warnings_for(inp)
    if warnings and not inp.force:
        raise ClashWarning(warnings)
    with transaction.atomic():
        meeting = Meeting(
            county_id=inp.host_unit.county_id,
            organiser=actor,
            status=MeetingStatus.DRAFT,
            signin_key=secrets.token_urlsafe(24),
        )
        _apply(meeting, inp)
        meeting.save()
        _sync_venues(meeting, inp)
        _sync_agenda(meeting, inp)
        _sync_invitations(meeting, inp)
        _sync_attendees(meeting, inp)
        record(
            meeting,
            "created",
            actor=actor,
            warnings=[w.message for w in warnings],
        )
        audit.record("meetings.created", actor=actor, request=request, obj=meeting, new=_snapshot(meeting))
    return meeting


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("host_unit", "chair", "organiser", "county")
        .get(pk=meeting.pk)
    )


def _state(meeting: Meeting, *allowed: str) -> None:
    if meeting.status not in allowed:
        raise _err(
            "bad_state",
            _("会议当前状态为“%(status)s”，不能进行此操作。") % {"status": meeting.get_status_display()},
        )


def meeting_update(*, meeting: Meeting, actor: User, data: dict[str, Any], request: Any = None) -> Meeting:
    """Change a draft or notified meeting that has not started. For a notified meeting a change
    of time or venues sends 会议变更 to everyone already notified; newly invited people and units
    get the 会议通知."""
    access.require_manage(actor, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _state(meeting, *EDITABLE)
        if meeting.starts_at <= timezone.now():
            raise _err("started", _("会议已开始，不能再修改。"))
        inp = _clean(actor=actor, data=data, county_id=meeting.county_id, meeting=meeting)
        warnings = warnings_for(inp, exclude_meeting_id=meeting.pk)
        if warnings and not inp.force:
            raise ClashWarning(warnings)
        before = _snapshot(meeting)
        _apply(meeting, inp)
        meeting.save()
        _sync_venues(meeting, inp)
        _sync_agenda(meeting, inp)
        new_invitations = _sync_invitations(meeting, inp)
        new_people = _sync_attendees(meeting, inp)
        after = _snapshot(meeting)
        changed = sorted(k for k in after if after[k] != before[k])
        ev = record(meeting, "updated", actor=actor, changed=changed, warnings=[w.message for w in warnings])
        audit.record("meetings.updated", actor=actor, request=request, obj=meeting, old=before, new=after)
        if meeting.status == MeetingStatus.NOTIFIED:
            moved = any(k in changed for k in ("starts_at", "ends_at", "venues"))
            if moved:
                fresh = {a.user_id for a in new_people}
                for inv in new_invitations:
                    fresh |= {u.pk for u in confirmers_of(inv.unit_id)}
                _notify_changed(meeting, actor, ev.pk, exclude=fresh)
            _send_notices(meeting, actor, people=new_people, invitations=new_invitations)
            _sync_schedules(meeting)
    return meeting


# --- notices -----------------------------------------------------------------------------------
def confirmers_of(unit_id: int) -> list[User]:
    """Who receives a unit's 会议通知 and 回执催报: its 文书 and 办公室主任, or, when the unit has
    none, its leader and meeting organisers."""
    grants = list(
        RoleGrant.objects.filter(unit_id=unit_id, role__in=access.CONFIRMER_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("id")
    )
    for tier in NOTICE_TIERS:
        users: dict[int, User] = {}
        for g in grants:
            if g.role in tier:
                users.setdefault(g.user_id, g.user)
        if users:
            return list(users.values())
    return []


def venue_text(meeting: Meeting) -> str:
    links = list(
        MeetingVenue.objects.filter(meeting=meeting).select_related("venue").order_by("-is_main", "id")
    )
    main = [link.venue.name for link in links if link.is_main]
    others = [link.venue.name for link in links if not link.is_main]
    text = _("主会场：%(main)s") % {"main": "、".join(main) or "—"}
    if others:
        text += _("；分会场：%(others)s") % {"others": "、".join(others)}
    return text


def notice_text(meeting: Meeting, *, for_unit: bool = False) -> str:
    """会议名称、时间、地点（主会场/分会场）、参会要求、回执截止时间."""
    lines = [
        _("会议名称：%(title)s") % {"title": meeting.title},
        _("会议时间：%(span)s") % {"span": _span(meeting.starts_at, meeting.ends_at)},
        _("会议地点：%(venues)s") % {"venues": venue_text(meeting)},
        _("会议形式：%(kind)s") % {"kind": meeting.get_kind_display()},
    ]
    if meeting.requirements:
        lines.append(_("参会要求：%(req)s") % {"req": meeting.requirements})
    if for_unit and meeting.confirm_deadline:
        lines.append(
            _("请于 %(at)s 前填报参会回执。")
            % {"at": f"{timezone.localtime(meeting.confirm_deadline):%m-%d %H:%M}"}
        )
    if meeting.contact_phone:
        lines.append(_("联系电话：%(phone)s") % {"phone": meeting.contact_phone})
    return "\n".join(lines)


def _detail_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def _confirm_url(inv: Invitation) -> str:
    return reverse("meetings:confirm", args=[inv.meeting_id, inv.pk])


def _send_notices(
    meeting: Meeting,
    actor: User | None,
    *,
    people: Iterable[Attendee] | None = None,
    invitations: Iterable[Invitation] | None = None,
) -> int:
    """会议通知 (dedupe per meeting: nobody gets it twice)."""
    sent = 0
    rows = (
        list(people)
        if people is not None
        else list(Attendee.objects.filter(meeting=meeting).exclude(reply=Reply.LEAVE).select_related("user"))
    )
    users = [a.user for a in rows]
    if users:
        sent += len(
            notify(
                users=users,
                event="meetings.notice",
                title=_("会议通知：%(title)s") % {"title": meeting.title},
                body=notice_text(meeting),
                url=_detail_url(meeting),
                dedupe_key=f"meetings:{meeting.pk}:notice",
                actor=actor,
            )
        )
    invs = list(invitations) if invitations is not None else list(Invitation.objects.filter(meeting=meeting))
    for inv in invs:
        sent += len(
            notify(
                users=confirmers_of(inv.unit_id),
                event="meetings.notice",
                title=_("会议通知（请填报参会回执）：%(title)s") % {"title": meeting.title},
                body=notice_text(meeting, for_unit=True)
                + "\n"
                + _("本单位参会名额：%(n)d 人。") % {"n": inv.seats},
                url=_confirm_url(inv),
                dedupe_key=f"meetings:{meeting.pk}:inv:{inv.pk}:notice",
                actor=actor,
            )
        )
    return sent


def _everyone(meeting: Meeting) -> list[User]:
    users: dict[int, User] = {}
    for a in Attendee.objects.filter(meeting=meeting).exclude(reply=Reply.LEAVE).select_related("user"):
        users.setdefault(a.user_id, a.user)
    for inv in Invitation.objects.filter(meeting=meeting):
        for u in confirmers_of(inv.unit_id):
            users.setdefault(u.pk, u)
    return list(users.values())


def _notify_changed(meeting: Meeting, actor: User, key: int, *, exclude: set[int]) -> None:
    users = [u for u in _everyone(meeting) if u.pk not in exclude]
    if users:
        notify(
            users=users,
            event="meetings.changed",
            title=_("会议变更：%(title)s") % {"title": meeting.title},
            body=_("会议时间或地点已调整，以本通知为准。") + "\n" + notice_text(meeting),
            url=_detail_url(meeting),
            dedupe_key=f"meetings:{meeting.pk}:changed:{key}",
            actor=actor,
        )


def _sync_schedules(meeting: Meeting) -> None:
    from tongban.meetings import schedules

    schedules.sync_meeting(meeting)


def meeting_notify(*, meeting: Meeting, actor: User, request: Any = None) -> int:
    """Send the 会议通知 of a draft meeting; status → notified. Returns how many notices went out."""
    access.require_manage(actor, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _state(meeting, MeetingStatus.DRAFT)
        if meeting.starts_at <= timezone.now():
            raise _err("started", _("会议开始时间已过，请先修改会议时间。"))
        if not MeetingVenue.objects.filter(meeting=meeting).exists():
            raise _err("no_venue", _("请先选择会场。"))
        meeting.status = MeetingStatus.NOTIFIED
        meeting.notified_at = timezone.now()
        meeting.save(update_fields=["status", "notified_at", "updated_at"])
        sent = _send_notices(meeting, actor)
        record(meeting, "notified", actor=actor, notices=sent)
        audit.record("meetings.notified", actor=actor, request=request, obj=meeting, new={"notices": sent})
        _sync_schedules(meeting)
    return sent


def meeting_cancel(*, meeting: Meeting, actor: User, reason: str, request: Any = None) -> Meeting:
    """Cancel a meeting that has not ended; everyone notified gets 会议取消 with the reason."""
    access.require_manage(actor, meeting)
    reason = (reason or "").strip()
    if not reason:
        raise _err("reason_required", _("请填写取消原因。"), "reason")
    if len(reason) > 200:
        raise _err("reason_too_long", _("取消原因不能超过 200 个字。"), "reason")
    with transaction.atomic():
        meeting = _lock(meeting)
        _state(meeting, MeetingStatus.DRAFT, MeetingStatus.NOTIFIED)
        was_notified = meeting.status == MeetingStatus.NOTIFIED
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancelled_reason = reason
        meeting.save(update_fields=["status", "cancelled_reason", "updated_at"])
        record(meeting, "cancelled", actor=actor, reason=reason)
        audit.record("meetings.cancelled", actor=actor, request=request, obj=meeting, new={"reason": reason})
        if was_notified:
            users = _everyone(meeting)
            if users:
                notify(
                    users=users,
                    event="meetings.cancelled",
                    title=_("会议取消：%(title)s") % {"title": meeting.title},
                    body=_("原定 %(span)s 召开的“%(title)s”取消。原因：%(reason)s")
                    % {
                        "span": _span(meeting.starts_at, meeting.ends_at),
                        "title": meeting.title,
                        "reason": reason,
                    },
                    url=_detail_url(meeting),
                    dedupe_key=f"meetings:{meeting.pk}:cancelled",
                    actor=actor,
                )
        _sync_schedules(meeting)
    return meeting


# --- materials -----------------------------------------------------------------------------------
def material_max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_MEETING_MATERIAL_MAX_MB", 50)) * 1024 * 1024


def material_add(
    *,
    meeting: Meeting,
    actor: User,
    file: IO[bytes],
    name: str,
    agenda_item_id: int | None = None,
    request: Any = None,
) -> MeetingMaterial:
    """Attach a material (types by extension and content, size limit, safe display name)."""
    access.require_manage(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise _err("bad_state", _("会议已取消，不能再上传材料。"))
    checked = tfiles.check(
        file,
        name,
        allowed=MATERIAL_TYPES,
        limit=material_max_bytes(),
        prefix="meetings.material",
        field="file",
    )
    item = None
    if agenda_item_id:
        item = AgendaItem.objects.filter(meeting=meeting, pk=agenda_item_id).first()
        if item is None:
            raise _err("bad_agenda_item", _("所选议题不属于本会议。"), "agenda_item")
    from django.core.files import File

    with transaction.atomic():
        m = MeetingMaterial(
            meeting=meeting,
            agenda_item=item,
            name=checked.name,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        file.seek(0)
        m.file.save(f"m{meeting.pk}-{secrets.token_hex(8)}.{checked.ext}", File(file), save=False)
        m.save()
        audit.record(
            "meetings.material_added", actor=actor, request=request, obj=meeting, new={"name": m.name}
        )
    return m


def material_delete(*, material: MeetingMaterial, actor: User, request: Any = None) -> None:
    access.require_manage(actor, material.meeting)
    with transaction.atomic():
        name = material.name
        meeting = material.meeting
        material.delete()
        audit.record(
            "meetings.material_deleted", actor=actor, request=request, obj=meeting, old={"name": name}
        )
    material.file.delete(save=False)


def material_content_type(material: MeetingMaterial) -> str:
    return tfiles.ALLOWED.get(tfiles.extension(material.name), ("application/octet-stream", None))[0]


# --- 参会回执 ------------------------------------------------------------------------------------
def _unit_venue(meeting: Meeting, unit_id: int) -> Venue | None:
    links = list(
        MeetingVenue.objects.filter(meeting=meeting).select_related("venue").order_by("-is_main", "id")
    )
    for link in links:
        if link.venue.unit_id == unit_id and not link.is_main:
            return link.venue
    return links[0].venue if links else None


def invitation_confirm(
    *,
    invitation: Invitation,
    actor: User,
    people: list[dict[str, Any]],
    note: str = "",
    request: Any = None,
) -> Invitation:
    """A unit's 参会回执: ``people`` = [{"user_id", "reply": "attend"|"leave", "leave_reason"}],
    staff of the unit only, attending people within the seats; may be sent again until the
    meeting starts (people dropped from the list are removed unless they signed in)."""
    access.require_confirm(actor, invitation)
    note = (note or "").strip()
    if len(note) > 200:
        raise _err("note_too_long", _("回执说明不能超过 200 个字。"), "note")
    with transaction.atomic():
        meeting = _lock(invitation.meeting)
        inv = Invitation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=invitation.pk)
        if meeting.status != MeetingStatus.NOTIFIED or meeting.starts_at <= timezone.now():
            raise _err("confirm_closed", _("会议未通知、已开始或已取消，不能填报回执。"))
        staff = {u.pk: u for u in unit_staff(inv.unit)}
        rows: dict[int, tuple[str, str]] = {}
        for p in people:
            uid = _int(p.get("user_id"), "people", _("参会人员"))
            if uid is None:
                continue
            if uid not in staff:
                raise _err("not_unit_staff", _("回执人员须是本单位在职人员。"), "people")
            if uid in rows:
                raise _err(
                    "duplicate_person", _("“%(name)s”重复填报。") % {"name": staff[uid].full_name}, "people"
                )
            reply = str(p.get("reply") or "")
            reason = str(p.get("leave_reason") or "").strip()
            if reply not in (Reply.ATTEND, Reply.LEAVE):
                raise _err(
                    "bad_reply",
                    _("请为“%(name)s”选择参会或请假。") % {"name": staff[uid].full_name},
                    "people",
                )
            if reply == Reply.LEAVE and not reason:
                raise _err(
                    "leave_reason_required",
                    _("“%(name)s”请假，请填写请假事由。") % {"name": staff[uid].full_name},
                    "people",
                )
            if len(reason) > 200:
                raise _err("leave_reason_too_long", _("请假事由不能超过 200 个字。"), "people")
            rows[uid] = (reply, reason if reply == Reply.LEAVE else "")
        if not rows:
            raise _err("nobody", _("请至少填报一名参会或请假人员。"), "people")
        attending = sum(1 for r, _x in rows.values() if r == Reply.ATTEND)
        if attending > inv.seats:
            raise _err(
                "over_seats",
                _(
                    "本单位参会名额为 %(seats)d 人，已填报 %(n)d 人参会，请减少参会人员或联系会务人员增加名额。"
                )
                % {"seats": inv.seats, "n": attending},
                "people",
            )
        existing = {
            a.user_id: a
            for a in Attendee.objects.select_for_update(of=("self",)).filter(meeting=meeting).order_by("id")
        }
        for uid in rows:
            a = existing.get(uid)
            if a is not None and a.invitation_id != inv.pk:
                raise _err(
                    "already_attendee",
                    _("“%(name)s”已作为%(role)s参会，无需在回执中填报。")
                    % {"name": staff[uid].full_name, "role": a.get_role_display()},
                    "people",
                )
        venue = _unit_venue(meeting, inv.unit_id)
        new_attending: list[Attendee] = []
        for a in [a for a in existing.values() if a.invitation_id == inv.pk and a.user_id not in rows]:
            if a.signed_in_at is not None:
                raise _err(
                    "signed_in",
                    _("“%(name)s”已签到，不能从回执中移除。") % {"name": a.user.full_name},
                    "people",
                )
            a.delete()
        for uid, (reply, reason) in rows.items():
            a = existing.get(uid)
            if a is None:
                a = Attendee.objects.create(
                    meeting=meeting,
                    user_id=uid,
                    unit=inv.unit,
                    invitation=inv,
                    venue=venue,
                    role=AttendeeRole.PARTICIPANT,
                    reply=reply,
                    leave_reason=reason,
                    admitted=not meeting.needs_admission,
                )
                if reply == Reply.ATTEND:
                    new_attending.append(a)
            else:
                if a.reply != Reply.ATTEND and reply == Reply.ATTEND:
                    new_attending.append(a)
                a.reply, a.leave_reason = reply, reason
                a.save(update_fields=["reply", "leave_reason"])
        first = inv.status != ConfirmStatus.CONFIRMED
        inv.status = ConfirmStatus.CONFIRMED
        inv.confirmed_by = actor
        inv.confirmed_at = timezone.now()
        inv.note = note
        inv.save(update_fields=["status", "confirmed_by", "confirmed_at", "note"])
        summary = [{"user_id": uid, "reply": r, "leave_reason": why} for uid, (r, why) in rows.items()]
        record(
            meeting,
            "invitation_confirmed",
            actor=actor,
            invitation=inv.pk,
            unit=inv.unit.name,
            people=summary,
        )
        audit.record("meetings.invitation_confirmed", actor=actor, request=request, obj=meeting, new=summary)
        for a in new_attending:
            a.user = staff[a.user_id]
        _send_notices(meeting, actor, people=new_attending, invitations=[])
        leaves = len(rows) - attending
        notify(
            users=[meeting.organiser],
            event="meetings.confirmed",
            title=_("%(unit)s%(again)s填报参会回执：%(title)s")
            % {
                "unit": inv.unit.short_name or inv.unit.name,
                "again": "" if first else _("重新"),
                "title": meeting.title,
            },
            body=_("参会 %(a)d 人，请假 %(l)d 人。") % {"a": attending, "l": leaves},
            url=reverse("meetings:confirmations", args=[meeting.pk]),
            dedupe_key=f"meetings:{meeting.pk}:inv:{inv.pk}:confirmed:{inv.confirmed_at.isoformat()}",
            actor=actor,
        )
        _sync_schedules(meeting)
    return inv


def get_invitation_for(user: User, meeting: Meeting, invitation_pk: Any) -> Invitation:
    try:
        pk = int(invitation_pk)
    except (TypeError, ValueError):
        raise NotFound("meetings.invitation_not_found", _("参会邀请不存在。")) from None
    inv = Invitation.objects.filter(meeting=meeting, pk=pk).select_related("unit", "meeting").first()
    if inv is None:
        raise NotFound("meetings.invitation_not_found", _("参会邀请不存在。"))
    return inv


# --- reminders -----------------------------------------------------------------------------------
def send_confirm_reminders(now: datetime | None = None) -> int:
    """回执催报 to units that have not replied: the deadline (or, without one, the start) is within
    24 hours or has passed, the meeting has not started, and the unit was not reminded in the last
    12 hours. Returns the number of invitations reminded."""
    now = now or timezone.now()
    due = (
        Invitation.objects.filter(
            status=ConfirmStatus.PENDING,
            meeting__status=MeetingStatus.NOTIFIED,
            meeting__starts_at__gt=now,
        )
        .filter(
            Q(meeting__confirm_deadline__lte=now + REMINDER_WINDOW)
            | Q(meeting__confirm_deadline__isnull=True, meeting__starts_at__lte=now + REMINDER_WINDOW)
        )
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMINDER_GAP))
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(due):
        with transaction.atomic():
            inv = (
                Invitation.objects.select_for_update(of=("self",))
                .select_related("meeting", "unit")
                .filter(pk=pk, status=ConfirmStatus.PENDING)
                .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMINDER_GAP))
                .first()
            )
            if inv is None:
                continue
            meeting = inv.meeting
            deadline = meeting.confirm_deadline or meeting.starts_at
            users = confirmers_of(inv.unit_id)
            inv.reminders_sent += 1
            inv.last_reminded_at = now
            inv.save(update_fields=["reminders_sent", "last_reminded_at"])
            late = deadline <= now
            notify(
                users=users,
                event="meetings.confirm_reminder",
                title=(_("参会回执已逾期：%(title)s") if late else _("请尽快填报参会回执：%(title)s"))
                % {"title": meeting.title},
                body=_(
                    "“%(title)s”将于 %(start)s 召开，回执截止 %(deadline)s，贵单位尚未填报（名额 %(n)d 人）。"
                )
                % {
                    "title": meeting.title,
                    "start": f"{timezone.localtime(meeting.starts_at):%m-%d %H:%M}",
                    "deadline": f"{timezone.localtime(deadline):%m-%d %H:%M}",
                    "n": inv.seats,
                },
                url=_confirm_url(inv),
                dedupe_key=f"meetings:{meeting.pk}:inv:{inv.pk}:reminder:{inv.reminders_sent}",
            )
            record(meeting, "reminder_sent", unit=inv.unit.name, invitation=inv.pk, recipients=len(users))
            count += 1
    return count


# --- venues ------------------------------------------------------------------------------------
def venue_save(
    *, actor: User, data: dict[str, Any], venue: Venue | None = None, request: Any = None
) -> Venue:
    """Create or change a venue of one of the actor's organiser units (会场管理)."""
    units = access.organiser_unit_ids(actor)
    if venue is not None and venue.unit_id not in units:
        raise PermissionDenied("meetings.not_venue_manager", _("只能管理本单位的会场。"))
    unit_id = _int(data.get("unit_id"), "unit", _("所属单位"))
    unit = Unit.objects.filter(pk=unit_id or 0, is_active=True).first() if unit_id in units else None
    if unit is None:
        raise _err("bad_venue_unit", _("所属单位须是您担任会务管理员的单位。"), "unit")
    name = _text(data, "name", _("会场名称"), 64, required=True)
    clash = Venue.objects.filter(county_id=unit.county_id, name=name).exclude(pk=venue.pk if venue else 0)
    if clash.exists():
        raise _err("venue_name_taken", _("本县已有名为“%(name)s”的会场。") % {"name": name}, "name")
    capacity = _int(data.get("capacity"), "capacity", _("容纳人数")) or 0
    if not 0 <= capacity <= 5000:
        raise _err("bad_capacity", _("容纳人数无效。"), "capacity")
    has_video = bool(data.get("has_video"))
    terminal = None
    tid = _int(data.get("terminal_id"), "terminal", _("会场终端账号"))
    if tid:
        terminal = User.objects.filter(
            pk=tid,
            is_active=True,
            role_grants__county_id=unit.county_id,
            role_grants__role=BusinessRole.VENUE_TERMINAL,
        ).first()
        if terminal is None:
            raise _err("bad_terminal", _("终端账号须是本县的会场终端。"), "terminal")
        if not has_video:
            raise _err("terminal_without_video", _("有终端账号的会场须勾选“有视频会议终端”。"), "has_video")
    with transaction.atomic():
        old = None
        if venue is None:
            venue = Venue(county_id=unit.county_id)
        else:
            venue = Venue.objects.select_for_update(of=("self",)).get(pk=venue.pk)
            old = {
                "name": venue.name,
                "unit": venue.unit_id,
                "capacity": venue.capacity,
                "terminal": venue.terminal_id,
            }
        venue.unit = unit
        venue.name = name
        venue.address = _text(data, "address", _("地点"), 200)
        venue.capacity = capacity
        venue.has_video = has_video
        venue.terminal = terminal
        venue.sort = _int(data.get("sort"), "sort", _("排序")) or 0
        venue.is_active = bool(data.get("is_active", True))
        venue.save()
        audit.record(
            "meetings.venue_saved",
            actor=actor,
            request=request,
            obj=venue,
            old=old,
            new={
                "name": venue.name,
                "unit": venue.unit_id,
                "capacity": venue.capacity,
                "terminal": venue.terminal_id,
            },
        )
    return venue
