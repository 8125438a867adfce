"""Reads of the feedback part of electronic supervision (rules.md §3 好差评, §4): complaints,
bad-rating follow-ups and monthly department scores, already filtered for the reader.

Who sees what:
- a supervisor (监察员) sees every complaint, follow-up and score of the county;
- a unit head (单位领导) sees the complaints about the unit once forwarded to it or answered, the
  unit's follow-ups and the unit's own line of the monthly table;
- anybody else sees nothing (PermissionDenied); a public account never reaches these pages (it
  has no staff ``request.user``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core import clock as tclock
from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import PublicAccount
from tongban.orgs import selectors as orgs
from tongban.orgs.models import County, Unit
from tongban.supervision.models import (
    Complaint,
    ComplaintStatus,
    FollowUpStatus,
    MonthlyScore,
    RatingFollowUp,
    SupervisionPolicy,
)

SUPERVISOR = "supervisor"
UNIT_LEADER = "unit_leader"


# --- who ---------------------------------------------------------------------------------------
def is_supervisor(user: Any) -> bool:
    """A 监察员 of the county supervision office (the role, in any unit)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_tb_is_supervisor", None)
    if cached is None:
        cached = orgs.user_has_role(user, SUPERVISOR)
        user._tb_is_supervisor = cached
    return bool(cached)


def led_unit_ids(user: Any) -> list[int]:
    """The units ``user`` is head (单位领导) of."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_tb_led_units", None)
    if cached is None:
        cached = list(
            orgs.roles_of(user)
            .filter(role=UNIT_LEADER, unit__is_active=True)
            .values_list("unit_id", flat=True)
        )
        user._tb_led_units = cached
    return list(cached)


def can_use_feedback(user: Any) -> bool:
    return is_supervisor(user) or bool(led_unit_ids(user))


def _require_reader(user: Any) -> None:
    if not can_use_feedback(user):
        raise PermissionDenied("supervision.not_allowed", _("只有监察员和单位领导可以查看。"))


def require_supervisor(user: Any) -> None:
    if not is_supervisor(user):
        raise PermissionDenied("supervision.not_supervisor", _("只有监察员可以进行此操作。"))


def county_of(user: Any) -> County:
    return orgs.access_county(user)


def unit_heads(unit: Unit) -> list[Any]:
    """The active heads of ``unit`` (they are told of follow-ups and forwarded complaints)."""
    grants = orgs.role_grants(county=unit.county, unit=unit).filter(role=UNIT_LEADER, user__is_active=True)
    return [g.user for g in grants]


def supervisors_of(county: County) -> list[Any]:
    grants = orgs.role_grants(county=county).filter(role=SUPERVISOR, user__is_active=True)
    seen: dict[int, Any] = {}
    for g in grants:
        seen.setdefault(g.user_id, g.user)
    return list(seen.values())


def policy() -> SupervisionPolicy:
    row, _created = SupervisionPolicy.objects.get_or_create(id=1)
    return row


# --- complaints --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComplaintFilter:
    status: str = ""
    channel: str = ""
    unit_id: int | None = None
    overdue: bool = False
    q: str = ""


def _complaint_scope(user: Any) -> Q:
    if is_supervisor(user):
        return Q(county=county_of(user))
    units = led_unit_ids(user)
    if units:
        return Q(unit_id__in=units, status__in=[ComplaintStatus.ASSIGNED, ComplaintStatus.ANSWERED])
    raise PermissionDenied("supervision.not_allowed", _("只有监察员和单位领导可以查看投诉。"))


def complaints_for(user: Any, f: ComplaintFilter | None = None) -> QuerySet[Complaint]:
    """Complaints the user may see, newest first, overdue ones answerable by ``f.overdue``."""
    f = f or ComplaintFilter()
    qs = Complaint.objects.filter(_complaint_scope(user))
    if f.status in ComplaintStatus.values:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.overdue:
        qs = qs.exclude(status=ComplaintStatus.ANSWERED).filter(due_on__lt=tclock.today())
    q = f.q.strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(subject__icontains=q) | Q(name__icontains=q) | Q(case__tracking_no=q)
        )
    return qs.select_related("unit", "case", "entered_by", "answered_by").order_by("-received_at", "-id")


def access_complaint(user: Any, pk: int) -> Complaint:
    """One complaint for a staff reader (see the module's rules), or NotFound / PermissionDenied."""
    c = (
        Complaint.objects.filter(_complaint_scope(user), pk=pk)
        .select_related("unit", "case", "account", "entered_by", "assigned_by", "stated_by", "answered_by")
        .first()
    )
    if c is None:
        raise NotFound("supervision.complaint_not_found", _("投诉不存在或无权查看。"))
    return c


def complaint_lookup(number: str, phone: str) -> Complaint:
    """The public lookup: the complaint's number AND the phone given when it was filed; any
    mismatch reads as "not found" (nobody learns whether a number exists)."""
    number, phone = (number or "").strip().upper(), (phone or "").strip()
    c = Complaint.objects.select_related("unit", "case").filter(number=number).first() if number else None
    if c is None or not phone or c.phone.replace("-", "") != phone.replace("-", ""):
        raise NotFound(
            "supervision.complaint_lookup_failed", _("未找到该投诉：请核对投诉编号和投诉时填写的联系电话。")
        )
    return c


def complaints_of_account(account: PublicAccount) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(account=account)
        .select_related("unit", "case")
        .order_by("-received_at", "-id")
    )


def complaint_overdue(c: Complaint, today: date | None = None) -> bool:
    return c.status != ComplaintStatus.ANSWERED and c.due_on < (today or tclock.today())


def complaints_badge(user: Any) -> int:
    """Nav badge: complaints waiting for the user (supervisor: not answered; unit head: waiting
    for the unit's statement)."""
    if is_supervisor(user):
        return (
            Complaint.objects.filter(county=county_of(user)).exclude(status=ComplaintStatus.ANSWERED).count()
        )
    units = led_unit_ids(user)
    if not units:
        return 0
    return Complaint.objects.filter(unit_id__in=units, status=ComplaintStatus.ASSIGNED).count()


# --- follow-ups --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FollowUpFilter:
    status: str = FollowUpStatus.OPEN
    unit_id: int | None = None
    overdue: bool = False


def _followup_scope(user: Any) -> Q:
    if is_supervisor(user):
        return Q(unit__county=county_of(user))
    units = led_unit_ids(user)
    if units:
        return Q(unit_id__in=units)
    raise PermissionDenied("supervision.not_allowed", _("只有监察员和单位领导可以查看差评整改。"))


def followups_for(user: Any, f: FollowUpFilter | None = None) -> QuerySet[RatingFollowUp]:
    """Follow-ups the user may see: open ones (the default) by due date, overdue ones first."""
    f = f or FollowUpFilter()
    qs = RatingFollowUp.objects.filter(_followup_scope(user))
    if f.status in FollowUpStatus.values:
        qs = qs.filter(status=f.status)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.overdue:
        qs = qs.filter(status=FollowUpStatus.OPEN, due_on__lt=tclock.today())
    return qs.select_related("unit", "rating", "rating__case", "rating__case__item", "closed_by").order_by(
        "status", "due_on", "id"
    )


def access_followup(user: Any, pk: int) -> RatingFollowUp:
    scope = _followup_scope(user)
    fu = (
        RatingFollowUp.objects.filter(scope, pk=pk)
        .select_related("unit", "rating", "rating__case", "rating__case__item", "closed_by")
        .first()
    )
    if fu is None:
        raise NotFound("supervision.followup_not_found", _("差评整改不存在或无权查看。"))
    return fu


def followup_overdue(fu: RatingFollowUp, today: date | None = None) -> bool:
    return fu.status == FollowUpStatus.OPEN and fu.due_on < (today or tclock.today())


@dataclass(frozen=True)
class FollowUpRate:
    named_bad: int
    followed: int

    @property
    def rate(self) -> float | None:
        """Named bad ratings followed up / named bad ratings × 100 (rules.md §3: must be 100 %)."""
        return round(self.followed * 100 / self.named_bad, 2) if self.named_bad else None


def followup_rate(user: Any, *, unit_id: int | None = None) -> FollowUpRate:
    """The follow-up rate over the follow-ups the user may see (rules.md §3: 100 % of named bad
    ratings followed up): a named bad rating counts as followed up once its follow-up is closed."""
    qs = RatingFollowUp.objects.filter(_followup_scope(user), rating__named=True)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    total = qs.count()
    followed = qs.filter(status=FollowUpStatus.CLOSED).count()
    return FollowUpRate(named_bad=total, followed=followed)


def followups_badge(user: Any) -> int:
    try:
        scope = _followup_scope(user)
    except PermissionDenied:
        return 0
    return RatingFollowUp.objects.filter(scope, status=FollowUpStatus.OPEN).count()


# --- performance -------------------------------------------------------------------------------
def month_start(d: date) -> date:
    return d.replace(day=1)


def previous_month(month: date) -> date:
    return (month_start(month) - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    m = month_start(month)
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def require_performance_reader(user: Any) -> None:
    _require_reader(user)


def scores_for(user: Any, *, month: date) -> list[MonthlyScore]:
    """The month's table, by rank: the whole county for supervisors, the own units' lines for
    unit heads."""
    _require_reader(user)
    qs = MonthlyScore.objects.filter(county=county_of(user), month=month_start(month))
    if not is_supervisor(user):
        qs = qs.filter(unit_id__in=led_unit_ids(user))
    return list(qs.select_related("unit").order_by("rank", "unit__sort", "unit_id"))


def trend(user: Any, *, month: date, months: int = 12, unit_id: int | None = None) -> dict[str, Any]:
    """Scores of each department over the ``months`` months ending with ``month``:
    ``{"months": ["2026-01", …], "series": [{"unit_id", "name", "scores": [float|None, …]}]}``."""
    _require_reader(user)
    last = month_start(month)
    first = last
    for _i in range(months - 1):
        first = previous_month(first)
    labels: list[date] = []
    m = first
    while m <= last:
        labels.append(m)
        m = next_month(m)
    qs = MonthlyScore.objects.filter(county=county_of(user), month__gte=first, month__lte=last)
    if not is_supervisor(user):
        qs = qs.filter(unit_id__in=led_unit_ids(user))
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    index = {d: i for i, d in enumerate(labels)}
    series: dict[int, dict[str, Any]] = {}
    for unit_pk, name, short, sort, mon, score in qs.values_list(
        "unit_id", "unit__name", "unit__short_name", "unit__sort", "month", "score"
    ).order_by("unit__sort", "unit_id", "month"):
        s = series.setdefault(
            unit_pk, {"unit_id": unit_pk, "name": short or name, "sort": sort, "scores": [None] * len(labels)}
        )
        s["scores"][index[mon]] = round(score, 2)
    out = sorted(series.values(), key=lambda s: (s["sort"], s["unit_id"]))
    for s in out:
        s.pop("sort")
    return {"months": [f"{d:%Y-%m}" for d in labels], "series": out}
