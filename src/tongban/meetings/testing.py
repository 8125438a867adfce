"""Test builders for the meetings tests: a small county with the county hall, three township video
rooms with their terminal accounts, the people who organise, chair, confirm and attend, a leader
with a secretary, and ``make_meeting`` to lay out a meeting directly (without the services)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tongban.identity.models import User
from tongban.meetings.models import (
    AgendaItem,
    Attendee,
    AttendeeRole,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingVenue,
    Reply,
    Venue,
)
from tongban.orgs.models import County, LeaderDuty, Post, RoleGrant, Unit

PASSWORD = "Tongban@2026"  # noqa: S105 — the demo password, tests only

UNITS = [
    # key, name, short, code, kind
    ("xw", "中共青山县委员会", "县委", "县委", "leading_body"),
    ("zf", "青山县人民政府", "县政府", "政", "leading_body"),
    ("zfb", "青山县人民政府办公室", "政府办", "政办", "gov_dept"),
    ("scj", "青山县市场监督管理局", "市场监管局", "市监", "gov_dept"),
    ("czj", "青山县财政局", "财政局", "财", "gov_dept"),
    ("qsz", "青山镇人民政府", "青山镇", "青山镇", "township"),
    ("smx", "石门乡人民政府", "石门乡", "石门乡", "township"),
    ("byz", "白云镇人民政府", "白云镇", "白云镇", "township"),
]

PEOPLE = [
    # key, unit, name, title, business roles
    ("organiser", "zfb", "周会务", "科长", ["meeting_organiser"]),
    ("scheduler", "zfb", "钱日程", "科员", ["schedule_clerk"]),
    ("county_head", "zf", "李县长", "县长", ["county_leader"]),
    ("deputy", "zf", "王副县长", "副县长", ["county_leader"]),
    ("secretary", "zfb", "赵秘书", "秘书", []),
    ("scj_clerk", "scj", "孙文书", "科员", ["clerk"]),
    ("scj_head", "scj", "陈局长", "局长", ["unit_leader"]),
    ("scj_staff", "scj", "吴科员", "科员", []),
    ("cz_clerk", "czj", "郑文书", "科员", ["clerk"]),
    ("cz_head", "czj", "冯局长", "局长", ["unit_leader"]),
    ("qs_clerk", "qsz", "卫文书", "党政办主任", ["clerk"]),
    ("qs_head", "qsz", "蒋镇长", "镇长", ["unit_leader"]),
    ("sm_clerk", "smx", "沈文书", "党政办主任", ["clerk"]),
    ("sm_head", "smx", "韩乡长", "乡长", ["unit_leader"]),
    ("by_clerk", "byz", "杨文书", "党政办主任", ["clerk"]),
    ("hall_terminal", "zfb", "县政府第一会议室终端", "会场终端", ["venue_terminal"]),
    ("qs_terminal", "qsz", "青山镇视频会议室终端", "会场终端", ["venue_terminal"]),
    ("sm_terminal", "smx", "石门乡视频会议室终端", "会场终端", ["venue_terminal"]),
]

VENUES = [
    # key, unit, name, capacity, terminal
    ("hall", "zfb", "县政府第一会议室", 80, "hall_terminal"),
    ("hall2", "zfb", "县政府第二会议室", 30, None),
    ("qs_room", "qsz", "青山镇视频会议室", 30, "qs_terminal"),
    ("sm_room", "smx", "石门乡视频会议室", 25, "sm_terminal"),
]


@dataclass
class MeetingsWorld:
    county: County
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    venues: dict[str, Venue] = field(default_factory=dict)


def build_world(*, code: str = "990021") -> MeetingsWorld:
    county = County.objects.create(name="青山县", code=code)
    w = MeetingsWorld(county=county)
    for i, (key, name, short, agency_code, kind) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=county,
            unit_code=key.upper(),
            name=name,
            short_name=short,
            code=agency_code,
            kind=kind,
            sort=i,
        )
    for key, unit_key, name, title, roles in PEOPLE:
        unit = w.units[unit_key]
        user = User.objects.create_user(
            username=key, password=PASSWORD, full_name=name, mobile=f"1392000{len(w.users):04d}"
        )
        Post.objects.create(county=county, user=user, unit=unit, title=title)
        for role in roles:
            RoleGrant.objects.create(county=county, user=user, unit=unit, role=role)
        w.users[key] = user
    w.users["outsider"] = User.objects.create_user(username="outsider", password=PASSWORD, full_name="路人甲")
    LeaderDuty.objects.create(county=county, leader=w.users["deputy"], unit=w.units["scj"])
    from tongban.meetings.models import LeaderSecretary

    LeaderSecretary.objects.create(
        county=county, leader=w.users["county_head"], secretary=w.users["secretary"]
    )
    for i, (key, unit_key, name, capacity, terminal) in enumerate(VENUES):
        w.venues[key] = Venue.objects.create(
            county=county,
            unit=w.units[unit_key],
            name=name,
            capacity=capacity,
            has_video=terminal is not None,
            terminal=w.users[terminal] if terminal else None,
            sort=i,
        )
    return w


def make_meeting(
    w: MeetingsWorld,
    *,
    title: str = "全县市场监管工作视频会议",
    kind: str = MeetingKind.BOTH,
    starts_at: datetime | None = None,
    minutes: int = 90,
    status: str = MeetingStatus.NOTIFIED,
    venues: tuple[str, ...] = ("hall", "qs_room", "sm_room"),
    units: tuple[str, ...] = ("scj", "czj", "qsz", "smx"),
    people: tuple[str, ...] = ("deputy",),
    chair: str = "deputy",
    organiser: str = "organiser",
    confirm: dict[str, tuple[str, ...]] | None = None,
    **fields: Any,
) -> Meeting:
    """A meeting laid out row by row: main venue first; invited ``units``; ``people`` invited by
    name; the chair and the venues' terminals as attendees; ``confirm`` maps a unit key to the
    user keys it named in its 回执 (the invitation is then confirmed)."""
    start = starts_at or (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    m = Meeting.objects.create(
        county=w.county,
        title=title,
        kind=kind,
        host_unit=w.units["zfb"],
        organiser=w.users[organiser],
        chair=w.users[chair],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        status=status,
        confirm_deadline=start - timedelta(days=1),
        signin_key=secrets.token_urlsafe(24),
        notified_at=timezone.now() if status != MeetingStatus.DRAFT else None,
        **fields,
    )
    for i, key in enumerate(venues):
        MeetingVenue.objects.create(meeting=m, venue=w.venues[key], is_main=(i == 0))
    AgendaItem.objects.create(
        meeting=m, order=1, title="传达上级会议精神", presenter=w.users[chair], minutes=20
    )
    AgendaItem.objects.create(
        meeting=m, order=2, title="通报市场监管工作进展", presenter=w.users["scj_head"], minutes=30
    )
    chair_user = w.users[chair]
    Attendee.objects.create(
        meeting=m, user=chair_user, role=AttendeeRole.CHAIR, reply=Reply.ATTEND, venue=w.venues[venues[0]]
    )
    for key in people:
        if key == chair:
            continue
        Attendee.objects.create(meeting=m, user=w.users[key], reply=Reply.ATTEND, venue=w.venues[venues[0]])
    for key in venues:
        v = w.venues[key]
        if v.terminal is not None and kind != MeetingKind.IN_PERSON:
            Attendee.objects.create(
                meeting=m,
                user=v.terminal,
                unit=v.unit,
                role=AttendeeRole.TERMINAL,
                reply=Reply.ATTEND,
                venue=v,
            )
    confirm = confirm or {}
    for key in units:
        inv = Invitation.objects.create(meeting=m, unit=w.units[key], seats=2)
        if key in confirm:
            inv.status = "confirmed"
            inv.confirmed_at = timezone.now()
            inv.save()
            for ukey in confirm[key]:
                Attendee.objects.create(
                    meeting=m, user=w.users[ukey], unit=w.units[key], invitation=inv, reply=Reply.ATTEND
                )
    return m
