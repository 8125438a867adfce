"""Demo data of the attendance part (order 410, after the scheduling part's meetings): the sign-ins
of the demo's past meeting — most on time by QR code, a few late, one registered by the organisers
(代签), one on leave with a reason, the rest absent — and its venue terminals online, so the report
(/meetings/<pk>/attendance/) and its XLSX have believable figures. When the scheduling demo has
already signed people in (row by row), this writes their sign-in events and puts one person who did
not come on leave. Idempotent: a meeting with sign-in or leave events is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.meetings import attendance as att
from tongban.meetings.models import (
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Reply,
    SignMethod,
)
from tongban.orgs.models import County

LEAVE_REASON = "赴市里参加防汛工作调度会"


def seed(ctx: DemoContext) -> str:
    from tongban.orgs.demo import COUNTY_CODE

    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return "会议签到：没有演示县"
    past = (
        Meeting.objects.filter(county=county, ends_at__lt=timezone.now())
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.DRAFT])
        .filter(pk__in=Attendee.objects.values("meeting_id"))
    )
    meeting = (
        past.filter(status=MeetingStatus.ENDED).order_by("-ends_at", "-id").first()
        or past.order_by("-ends_at", "-id").first()
    )
    if meeting is None:
        return "会议签到：没有已召开的演示会议"
    attendees = list(Attendee.objects.filter(meeting=meeting).select_related("user").order_by("id"))
    if MeetingEvent.objects.filter(meeting=meeting, kind__in=["signed_in", "leave"]).exists():
        return f"会议签到：《{meeting.title}》的签到已存在"
    with transaction.atomic():
        if any(a.signed_in_at for a in attendees):
            _complete(meeting, attendees)
        else:
            _sign_in(meeting, attendees)
    t = att.report(meeting).totals.counts()
    return (
        f"会议签到：《{meeting.title}》应到 {t['expected']} 人，到会 {t['present']}、迟到 {t['late']}、"
        f"请假 {t['leave']}、缺席 {t['absent']}（/meetings/{meeting.pk}/attendance/）"
    )


def _complete(meeting: Meeting, attendees: list[Attendee]) -> None:
    """The scheduling demo signed people in row by row: put one person on leave with a reason (one
    who did not come, keeping at least one absent; else the last participant who signed in), then
    write the sign-in events."""
    if not any(a.reply == Reply.LEAVE for a in attendees):
        people = [a for a in attendees if a.role == AttendeeRole.PARTICIPANT]
        missing = [a for a in people if not a.signed_in_at]
        signed = [a for a in people if a.signed_in_at]
        who = missing[0] if len(missing) >= 2 else (signed[-1] if signed else None)
        if who is not None:
            who.signed_in_at, who.sign_method, who.signed_in_by = None, "", None
            who.save(update_fields=["signed_in_at", "sign_method", "signed_in_by"])
            _leave(meeting, who)
    for a in attendees:
        if a.signed_in_at:
            _event(
                meeting, "signed_in", a, a.signed_in_at, actor=a.signed_in_by or a.user, method=a.sign_method
            )


def _leave(meeting: Meeting, a: Attendee) -> None:
    a.reply, a.leave_reason = Reply.LEAVE, LEAVE_REASON
    a.save(update_fields=["reply", "leave_reason"])
    _event(
        meeting,
        "leave",
        a,
        meeting.starts_at - timedelta(days=1),
        actor=meeting.organiser,
        reason=LEAVE_REASON,
    )


def _sign_in(meeting: Meeting, attendees: list[Attendee]) -> None:
    people = [a for a in attendees if a.role != AttendeeRole.TERMINAL]
    terminals = [a for a in attendees if a.role == AttendeeRole.TERMINAL]
    start = meeting.starts_at
    late_at = start + timedelta(minutes=meeting.late_after_minutes)
    # the chair and organisers come on time; of the others: one on leave, about one in eight late,
    # one in ten absent (at least one each when there are enough people), the rest on time
    others = [a for a in people if a.role not in (AttendeeRole.CHAIR, AttendeeRole.ORGANISER)]
    leave = [a for a in others if a.reply == Reply.LEAVE] or others[-1:]
    rest = [a for a in others if a not in leave]
    n_absent = max(1, len(rest) // 10) if len(rest) >= 4 else 0
    n_late = max(1, len(rest) // 8) if len(rest) >= 3 else 0
    absent = rest[len(rest) - n_absent :] if n_absent else []
    late = rest[len(rest) - n_absent - n_late : len(rest) - n_absent] if n_late else []
    for i, a in enumerate(people):
        if a in absent:
            continue
        if a in leave:
            if a.reply != Reply.LEAVE:
                _leave(meeting, a)
            continue
        if a in late:
            at = late_at + timedelta(minutes=4 + 3 * late.index(a))
        else:
            at = min(start - timedelta(minutes=25) + timedelta(seconds=47 * i), late_at)
        # one person signed in at the desk by the organisers (no phone with them)
        by_desk = i == 1
        a.signed_in_at = at
        a.sign_method = SignMethod.ORGANISER if by_desk else SignMethod.QR
        a.signed_in_by = meeting.organiser if by_desk else None
        a.save(update_fields=["signed_in_at", "sign_method", "signed_in_by"])
        _event(meeting, "signed_in", a, at, actor=a.signed_in_by or a.user, method=a.sign_method)
    for j, t in enumerate(terminals[:-1] if len(terminals) > 1 else terminals):
        at = start - timedelta(minutes=30 - j)
        t.signed_in_at, t.sign_method = at, SignMethod.VIDEO
        t.save(update_fields=["signed_in_at", "sign_method"])
        _event(meeting, "signed_in", t, at, actor=t.user, method=SignMethod.VIDEO)


def _event(meeting: Meeting, kind: str, a: Attendee, at: datetime, *, actor: Any, **data: Any) -> None:
    MeetingEvent.objects.create(meeting=meeting, kind=kind, actor=actor, attendee=a, at=at, data=data)
