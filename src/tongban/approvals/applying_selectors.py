"""Reads for the applicant's side: the account's own cases (nobody else's), one case with what its
page shows, and the anonymous progress lookup (受理编号 + the applicant's name or phone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from tongban.approvals import clock
from tongban.approvals.models import Case, CaseNotice, CaseStatus, ClockState
from tongban.core import clock as core_clock
from tongban.core.calendar import workdays_between
from tongban.core.errors import NotFound
from tongban.identity import public_rules
from tongban.identity.models import PublicAccount


def _not_found() -> NotFound:
    return NotFound("approvals.case_not_found", _("没有找到这个办件。"))


def cases_for_account(account: PublicAccount, *, status: str = "") -> QuerySet[Case]:
    """The account's own cases, newest first."""
    qs = Case.objects.filter(account=account).select_related("item", "unit")
    if status == "open":
        qs = qs.filter(is_open=True)
    elif status == "done":
        qs = qs.filter(is_open=False)
    return qs.order_by("-received_at", "-id")


def access_case_for_account(account: PublicAccount | None, tracking_no: str) -> Case:
    """The case ``tracking_no`` if it is the account's own; NotFound otherwise (another's case
    is not told apart from no case)."""
    if account is None or not tracking_no:
        raise _not_found()
    case = (
        Case.objects.select_related("item", "version", "unit", "account")
        .filter(tracking_no=str(tracking_no).strip(), account=account)
        .first()
    )
    if case is None:
        raise _not_found()
    return case


def notices_of(case: Case) -> list[CaseNotice]:
    return list(CaseNotice.objects.filter(case=case).order_by("id"))


def access_notice_for_account(account: PublicAccount | None, tracking_no: str, notice_id: int) -> CaseNotice:
    case = access_case_for_account(account, tracking_no)
    notice = CaseNotice.objects.filter(case=case, pk=notice_id).select_related("case", "case__unit").first()
    if notice is None:
        raise NotFound("approvals.notice_not_found", _("没有找到这份文书。"))
    return notice


def certificate_of(case: Case) -> Any:
    from tongban.approvals.models import Certificate

    return Certificate.objects.filter(case=case).first()


@dataclass
class Progress:
    """What the applicant sees about time: the deadline that applies now and working days left."""

    stage: str
    deadline: date | None
    remaining: int | None
    overdue: bool = False
    steps: list[tuple[str, bool]] = field(default_factory=list)  # (label, done)


STAGES = [
    ("received", _l("收件")),
    ("accepted", _l("受理")),
    ("handling", _l("审查决定")),
    ("done", _l("办结")),
]


def progress_of(case: Case, today: date | None = None) -> Progress:
    """The friendly progress for the applicant, from the clock cache on the row (no lights)."""
    today = today or core_clock.today()
    deadline: date | None = None
    if case.is_open:
        if case.clock_state == ClockState.PRE_ACCEPTANCE:
            deadline = case.preaccept_due
        elif case.clock_state == ClockState.CERTIFICATE:
            deadline = case.cert_due
        elif case.clock_state in (ClockState.RUNNING, ClockState.PAUSED):
            deadline = case.due_committed
    remaining = None
    if deadline is not None:
        remaining = workdays_between(today, deadline)
    reached = 0
    if case.accepted_on or case.status in (CaseStatus.ACCEPTED, CaseStatus.PAUSED, CaseStatus.DECIDED):
        reached = 2
    if case.decided_on or case.status == CaseStatus.DECIDED:
        reached = 3
    if not case.is_open:
        reached = 4
    elif reached == 0:
        reached = 1
    steps = [(str(label), i < reached) for i, (_k, label) in enumerate(STAGES)]
    if case.status == CaseStatus.REJECTED:
        steps = [(str(STAGES[0][1]), True), (_("不予受理"), True)]
    elif case.status == CaseStatus.WITHDRAWN:
        steps = [(str(STAGES[0][1]), True), (_("已撤回"), True)]
    return Progress(
        stage=case.get_status_display(),
        deadline=deadline,
        remaining=remaining,
        overdue=remaining is not None and remaining < 0,
        steps=steps,
    )


def case_clock(case: Case) -> clock.Clock:
    return clock.case_clock(case)


@dataclass(frozen=True)
class LookupResult:
    """What the anonymous lookup shows: no personal data beyond what was typed."""

    tracking_no: str
    item_name: str
    unit_name: str
    status: str
    status_label: str
    received_on: date
    deadline: date | None
    remaining: int | None
    notices: list[tuple[str, str]]  # (date, title)


def lookup_progress(tracking_no: str, name_or_phone: str) -> LookupResult:
    """The progress of ``tracking_no`` if ``name_or_phone`` is the applicant's exact name or
    phone number; NotFound otherwise (a wrong name is not told apart from a wrong number)."""
    tracking_no = (tracking_no or "").strip().upper()
    who = " ".join((name_or_phone or "").split())
    if not tracking_no or not who or len(tracking_no) > 32:
        raise _not_found()
    case = Case.objects.select_related("item", "unit").filter(tracking_no=tracking_no).first()
    if case is None:
        raise _not_found()
    phone = public_rules.normalize_phone(who)
    if who != case.applicant_name and not (public_rules.phone_valid(phone) and phone == case.applicant_phone):
        raise _not_found()
    p = progress_of(case)
    return LookupResult(
        tracking_no=case.tracking_no,
        item_name=case.item.name,
        unit_name=case.unit.name,
        status=case.status,
        status_label=case.get_status_display(),
        received_on=case.received_on,
        deadline=p.deadline,
        remaining=p.remaining,
        notices=[
            (n.created_at.date().isoformat(), n.title)
            for n in CaseNotice.objects.filter(case=case).order_by("id").only("title", "created_at")
        ],
    )
