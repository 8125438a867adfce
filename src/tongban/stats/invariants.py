"""Cross-domain invariants of the data (``manage.py check_invariants``): what must hold after any
amount of traffic — the load test (bench/load/) runs them afterwards, an operator may run them
after a restore or an upgrade.

Each check is one or two aggregate queries (no per-row Python loop) and returns the ids of the
rows that break it. ``since`` limits every check to rows created from that moment (the load
test checks what it created; without it, the whole database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet

from tongban.approvals.models import Case, CaseEvent, CaseStatus, EventKind
from tongban.documents.models import Document
from tongban.interaction.models import Letter, LetterEvent, LetterEventKind, LetterStatus
from tongban.workflow.models import InstanceStatus, ProcessInstance, WorkItem

Ids = QuerySet[Any, Any]  # a values_list of primary keys
QS = TypeVar("QS", bound=QuerySet[Any, Any])

SAMPLE = 20  # ids shown per violated check

DOCUMENT_SUBJECT = "documents.document"


@dataclass(frozen=True)
class Result:
    code: str
    label: str
    checked: int
    bad_ids: list[int] = field(default_factory=list)
    bad_count: int = 0

    @property
    def ok(self) -> bool:
        return self.bad_count == 0


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    run: Callable[[datetime | None], tuple[int, Ids]]


def _since(qs: QS, name: str, since: datetime | None) -> QS:
    return qs.filter(**{f"{name}__gte": since}) if since is not None else qs


def documents_have_route(since: datetime | None) -> tuple[int, Ids]:
    """Every document has its workflow instance, and the instance is about that document."""
    docs = _since(Document.objects.all(), "created_at", since)
    bad = docs.filter(
        Q(instance__isnull=True)
        | ~Q(instance__subject_type=DOCUMENT_SUBJECT)
        | ~Q(instance__subject_id=F("pk"))
    )
    return docs.count(), bad.values_list("pk", flat=True)


def running_instances_have_items(since: datetime | None) -> tuple[int, Ids]:
    """A running workflow instance has at least one work item (its current step is somebody's)."""
    running = _since(ProcessInstance.objects.filter(status=InstanceStatus.RUNNING), "started_at", since)
    bad = running.filter(~Exists(WorkItem.objects.filter(instance=OuterRef("pk"))))
    return running.count(), bad.values_list("pk", flat=True)


def cases_have_clock(since: datetime | None) -> tuple[int, Ids]:
    """Every case has its clock events: the first (seq 1) is the receipt, and the sequence has no
    gap (as many events as the highest seq)."""
    cases = _since(Case.objects.all(), "received_at", since)
    first_is_receipt = CaseEvent.objects.filter(case=OuterRef("pk"), seq=1, kind=EventKind.RECEIVED)
    bad = (
        cases.annotate(n=Count("events"), top=Max("events__seq"))
        .filter(Q(n=0) | ~Q(n=F("top")) | ~Exists(first_is_receipt))
        .values_list("pk", flat=True)
    )
    return cases.count(), bad


def case_status_matches_events(since: datetime | None) -> tuple[int, Ids]:
    """A case's status is backed by its events: accepted or later → an acceptance event; completed
    → a completion event; rejected → a rejection event."""
    cases = _since(Case.objects.all(), "received_at", since)

    def has(*kinds: str) -> Exists:
        return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=kinds))

    accepted_kinds = (EventKind.ACCEPTED, EventKind.DEEMED_ACCEPTED)
    bad = cases.filter(
        Q(status__in=(CaseStatus.ACCEPTED, CaseStatus.PAUSED, CaseStatus.DECIDED, CaseStatus.COMPLETED))
        & ~has(*accepted_kinds)
        | Q(status=CaseStatus.COMPLETED) & ~has(EventKind.COMPLETED)
        | Q(status=CaseStatus.REJECTED) & ~has(EventKind.REJECTED)
    )
    return cases.count(), bad.values_list("pk", flat=True)


def letters_have_events(since: datetime | None) -> tuple[int, Ids]:
    """Every letter has exactly one receipt event, and an answered or closed letter its answer."""
    letters = _since(Letter.objects.all(), "created_at", since)
    answered = Exists(LetterEvent.objects.filter(letter=OuterRef("pk"), kind=LetterEventKind.ANSWERED))
    bad = letters.annotate(received=Count("events", filter=Q(events__kind=LetterEventKind.RECEIVED))).filter(
        ~Q(received=1) | Q(status__in=(LetterStatus.ANSWERED, LetterStatus.CLOSED)) & ~answered
    )
    return letters.count(), bad.values_list("pk", flat=True)


CHECKS: list[Check] = [
    Check("documents.route", "公文均有办理流程（流程实例指向该公文）", documents_have_route),
    Check("workflow.items", "运行中的流程实例均有工作项", running_instances_have_items),
    Check("approvals.clock", "办件均有计时事件（首个为收件，序号连续）", cases_have_clock),
    Check("approvals.status", "办件状态与计时事件一致（受理、办结、不予受理）", case_status_matches_events),
    Check("interaction.letters", "来信均有且仅有一个受理事件，已答复的有答复事件", letters_have_events),
]


def run(since: datetime | None = None, *, only: list[str] | None = None) -> list[Result]:
    results = []
    for check in CHECKS:
        if only and check.code not in only:
            continue
        checked, bad = check.run(since)
        bad_count = bad.count()
        sample = list(bad[:SAMPLE]) if bad_count else []
        results.append(
            Result(
                code=check.code,
                label=check.label,
                checked=checked,
                bad_ids=[int(i) for i in sample],
                bad_count=bad_count,
            )
        )
    return results
