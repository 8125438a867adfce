"""Read side of the meetings' scheduling part: the boxes of 我的会议, a meeting's confirmation
table (参会回执 per unit), the invitations a user should confirm, and the choices the forms offer.
Lists load their related rows in a fixed number of queries (select/prefetch/annotate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.identity.models import User
from tongban.meetings import access
from tongban.meetings.models import (
    Attendee,
    ConfirmStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingVenue,
    Reply,
    Venue,
)
from tongban.orgs.models import BusinessRole, RoleGrant, Unit

BOXES = (
    ("upcoming", _("即将召开")),
    ("today", _("今日会议")),
    ("confirm", _("待回执")),
    ("organised", _("我组织的")),
    ("past", _("已结束")),
)
CLOSED = (MeetingStatus.ENDED, MeetingStatus.CANCELLED)


def _today_bounds(now: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def units_to_confirm(user: Any, now: datetime | None = None) -> QuerySet[Invitation]:
    """Invitations still waiting for the 回执 of a unit ``user`` confirms for (notified meetings
    that have not started), soonest deadline first."""
    now = now or timezone.now()
    units = access.confirmer_unit_ids(user)
    return (
        Invitation.objects.filter(
            unit_id__in=units,
            status=ConfirmStatus.PENDING,
            meeting__status=MeetingStatus.NOTIFIED,
            meeting__starts_at__gt=now,
        )
        .select_related("meeting", "unit")
        .order_by("meeting__starts_at", "id")
    )


def box_query(user: Any, box: str, now: datetime | None = None) -> QuerySet[Meeting]:
    now = now or timezone.now()
    qs = access.meetings_visible_to(user)
    if box == "today":
        start, end = _today_bounds(now)
        return qs.filter(starts_at__lt=end, ends_at__gt=start).exclude(status=MeetingStatus.CANCELLED)
    if box == "confirm":
        return qs.filter(pk__in=units_to_confirm(user, now).values("meeting_id"))
    if box == "organised":
        return qs.filter(Q(organiser=user) | Q(host_unit_id__in=access.organiser_unit_ids(user)))
    if box == "past":
        return qs.filter(Q(ends_at__lte=now) | Q(status__in=CLOSED))
    return qs.filter(ends_at__gt=now).exclude(status__in=CLOSED)


@dataclass
class MeetingFilter:
    box: str = "upcoming"
    q: str = ""
    kind: str = ""


def meetings_for(user: Any, f: MeetingFilter, now: datetime | None = None) -> QuerySet[Meeting]:
    """One box of 我的会议 with what the list shows: host unit, chair, venues (prefetched) and the
    counts of invitations and confirmed invitations (annotated)."""
    qs = box_query(user, f.box, now)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    qs = (
        qs.select_related("host_unit", "chair")
        .prefetch_related(
            Prefetch(
                "venue_links",
                queryset=MeetingVenue.objects.select_related("venue").order_by("-is_main", "id"),
            )
        )
        .annotate(
            n_invitations=Count("invitations", distinct=True),
            n_confirmed=Count(
                "invitations", filter=Q(invitations__status=ConfirmStatus.CONFIRMED), distinct=True
            ),
        )
    )
    if f.box == "past":
        return qs.order_by("-starts_at", "-id")
    return qs.order_by("starts_at", "id")


def box_counts(user: Any, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {key: box_query(user, key, now).count() for key, _label in BOXES}


def nav_badge(user: Any) -> int:
    """Invitations to confirm + today's meetings of ``user`` (as an attendee or organiser)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    now = timezone.now()
    _start, end = _today_bounds(now)
    today = (
        Meeting.objects.filter(starts_at__lt=end, ends_at__gt=now)
        .filter(status__in=(MeetingStatus.NOTIFIED, MeetingStatus.LIVE))
        .filter(Q(attendees__user=user) | Q(organiser=user))
        .distinct()
        .count()
    )
    return units_to_confirm(user, now).count() + today


def is_organiser(user: Any) -> bool:
    return bool(access.organiser_unit_ids(user))


# --- the meeting page --------------------------------------------------------------------------
def venue_links(meeting: Meeting) -> list[MeetingVenue]:
    return list(MeetingVenue.objects.filter(meeting=meeting).select_related("venue", "venue__unit"))


def agenda_of(meeting: Meeting) -> list[Any]:
    return list(
        meeting.agenda.select_related("presenter").prefetch_related("materials").order_by("order", "id")
    )


def named_attendees(meeting: Meeting) -> list[Attendee]:
    """Attendees not named by a unit: chair, people invited by name, presenters, terminals."""
    return list(
        Attendee.objects.filter(meeting=meeting, invitation__isnull=True)
        .select_related("user", "unit", "venue")
        .order_by("role", "id")
    )


@dataclass
class ConfirmationRow:
    invitation: Invitation
    unit: Unit
    seats: int
    status: str
    status_label: str
    attending: list[Attendee] = field(default_factory=list)
    leaving: list[Attendee] = field(default_factory=list)
    confirmed_by: str = ""
    confirmed_at: datetime | None = None
    reminders_sent: int = 0
    note: str = ""


def confirmation_rows(meeting: Meeting) -> list[ConfirmationRow]:
    """One row per invited unit: seats, 回执 status, who attends, who is on leave (with the
    reason), who confirmed and when, and how often it was reminded. Three queries."""
    invs = (
        Invitation.objects.filter(meeting=meeting)
        .select_related("unit", "confirmed_by")
        .prefetch_related(
            Prefetch("attendees", queryset=Attendee.objects.select_related("user").order_by("id"))
        )
        .order_by("unit__sort", "id")
    )
    rows = []
    for inv in invs:
        people = list(inv.attendees.all())
        rows.append(
            ConfirmationRow(
                invitation=inv,
                unit=inv.unit,
                seats=inv.seats,
                status=inv.status,
                status_label=str(inv.get_status_display()),
                attending=[a for a in people if a.reply == Reply.ATTEND],
                leaving=[a for a in people if a.reply == Reply.LEAVE],
                confirmed_by=(inv.confirmed_by.full_name if inv.confirmed_by else ""),
                confirmed_at=inv.confirmed_at,
                reminders_sent=inv.reminders_sent,
                note=inv.note,
            )
        )
    return rows


def confirmation_totals(rows: list[ConfirmationRow]) -> dict[str, int]:
    return {
        "units": len(rows),
        "confirmed": sum(1 for r in rows if r.status == ConfirmStatus.CONFIRMED),
        "seats": sum(r.seats for r in rows),
        "attending": sum(len(r.attending) for r in rows),
        "leaving": sum(len(r.leaving) for r in rows),
    }


def my_invitations(user: Any, meeting: Meeting) -> list[Invitation]:
    """The invitations of ``meeting`` that ``user`` may confirm."""
    units = access.confirmer_unit_ids(user)
    return list(Invitation.objects.filter(meeting=meeting, unit_id__in=units).select_related("unit"))


# --- choices for the forms ---------------------------------------------------------------------
def organiser_units(user: Any) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=access.organiser_unit_ids(user)).order_by("sort", "id"))


def county_ids_of(user: Any) -> set[int]:
    return set(
        Unit.objects.filter(pk__in=access.organiser_unit_ids(user)).values_list("county_id", flat=True)
    )


def venues_of_county(county_id: int) -> list[Venue]:
    return list(Venue.objects.filter(county_id=county_id, is_active=True).select_related("unit"))


def invitable_units(county_id: int) -> list[Unit]:
    return list(Unit.objects.filter(county_id=county_id, is_active=True).order_by("sort", "id"))


def county_leaders(county_id: int) -> list[User]:
    ids = RoleGrant.objects.filter(county_id=county_id, role=BusinessRole.COUNTY_LEADER).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("id"))


def presenters_choices(county_id: int) -> list[User]:
    """County leaders and unit leaders (the usual presenters and chairs)."""
    ids = RoleGrant.objects.filter(
        county_id=county_id, role__in=(BusinessRole.COUNTY_LEADER, BusinessRole.UNIT_LEADER)
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("id"))


def terminal_choices(county_id: int) -> list[User]:
    ids = RoleGrant.objects.filter(county_id=county_id, role=BusinessRole.VENUE_TERMINAL).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("username"))


def venues_managed_by(user: Any) -> QuerySet[Venue]:
    """Venues an organiser may edit: those of the units where they are 会务管理员."""
    return Venue.objects.filter(unit_id__in=access.organiser_unit_ids(user)).select_related(
        "unit", "terminal"
    )


# --- navigation (every page): one query per request --------------------------------------------
@dataclass
class NavFacts:
    organiser: bool
    schedules: bool
    terminal: bool
    badge: int


def nav_facts(user: Any) -> NavFacts:
    """What the 会议 navigation needs about ``user`` — organiser?, sees 领导日程?, a venue terminal?,
    the badge (units' 回执 still owed + today's meetings) — in one query, kept on the user object for
    the rest of the request (the shell renders the navigation on every page)."""
    cached = getattr(user, "_tb_meetings_nav", None)
    if isinstance(cached, NavFacts):
        return cached
    if not (getattr(user, "is_authenticated", False) and user.pk and user.is_active):
        return NavFacts(False, False, False, 0)
    from django.db.models import Exists, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from tongban.meetings.models import LeaderSecretary, Venue

    now = timezone.now()
    _start, end = _today_bounds(now)
    grants = RoleGrant.objects.filter(user=OuterRef("pk"), unit__is_active=True)
    confirmer_units = RoleGrant.objects.filter(
        user=OuterRef(OuterRef("pk")), role__in=access.CONFIRMER_ROLES, unit__is_active=True
    ).values("unit_id")
    owed = (
        Invitation.objects.filter(
            unit_id__in=confirmer_units,
            status=ConfirmStatus.PENDING,
            meeting__status=MeetingStatus.NOTIFIED,
            meeting__starts_at__gt=now,
        )
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("id"))
        .values("n")
    )
    today = (
        Meeting.objects.filter(starts_at__lt=end, ends_at__gt=now)
        .filter(status__in=(MeetingStatus.NOTIFIED, MeetingStatus.LIVE))
        .filter(Q(attendees__user=OuterRef("pk")) | Q(organiser=OuterRef("pk")))
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("id", distinct=True))
        .values("n")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            is_organiser=Exists(grants.filter(role=BusinessRole.MEETING_ORGANISER)),
            is_leader_or_clerk=Exists(
                grants.filter(role__in=(BusinessRole.COUNTY_LEADER, BusinessRole.SCHEDULE_CLERK))
            ),
            is_secretary=Exists(LeaderSecretary.objects.filter(secretary=OuterRef("pk"))),
            is_terminal=Exists(grants.filter(role=BusinessRole.VENUE_TERMINAL))
            | Exists(Venue.objects.filter(terminal=OuterRef("pk"), is_active=True)),
            owed=Coalesce(Subquery(owed, output_field=IntegerField()), 0),
            today=Coalesce(Subquery(today, output_field=IntegerField()), 0),
        )
        .values("is_organiser", "is_leader_or_clerk", "is_secretary", "is_terminal", "owed", "today")
        .first()
    )
    if row is None:
        return NavFacts(False, False, False, 0)
    facts = NavFacts(
        organiser=bool(row["is_organiser"]),
        schedules=bool(row["is_leader_or_clerk"] or row["is_secretary"]),
        terminal=bool(row["is_terminal"]),
        badge=int(row["owed"] or 0) + int(row["today"] or 0),
    )
    user._tb_meetings_nav = facts
    return facts
