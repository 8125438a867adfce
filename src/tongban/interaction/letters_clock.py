"""The clock of a letter (领导信箱): when it counts as received, when the answer is due, whether it
was answered on time and until when the writer may rate the answer.

Rules (rules.md §7 [local], settings.TONGBAN_LETTER_LIMITS):

- **受理日期** (``received_on``): the day the letter arrives when that is a working day, otherwise the
  next working day. The 受理日期 is **day 0**: the limit counts from the following working day, the
  way 行政许可法 第四十二条 and the disclosure rules count ("自收到申请之日起 N 个工作日内": the day of
  receipt is not counted). A 咨询 (3 working days) received on a Monday is due on Thursday.
- **答复期限** (``due_on``) = ``add_workdays(start, limit[kind])`` where ``start`` is the 受理日期, or,
  after a re-handling request (重办), the re-handling day (normalised the same way): the same limit
  runs again from that day.
- **按期答复** (``on_time``): the (last) answer's date is on or before the due date.
- **评价截止日期** (``rating_due_on``) = 20 working days after the answer (答复日期 is day 0); when it
  passes unrated the rating defaults to 满意 (a ``RATING_DEFAULTED`` event).

Every field above is recomputed from the :class:`LetterEvent` rows by :func:`recompute` — the one
place they are derived; services append events and call it, nothing types a date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from tongban.core import calendar as workcal
from tongban.interaction.models import Letter, LetterEvent, LetterEventKind

RATING_WINDOW_WORKDAYS = 20
REMIND_BEFORE_WORKDAYS = 1
CLOCK_FIELDS = ["received_on", "due_on", "answered_on", "on_time", "rating_due_on", "rehandle_count"]


def limit_for(kind: str) -> int:
    """The answer limit in working days for a letter type (settings.TONGBAN_LETTER_LIMITS)."""
    limits: dict[str, int] = settings.TONGBAN_LETTER_LIMITS
    return int(limits.get(kind, max(limits.values())))


def receipt_day(arrived: date) -> date:
    """受理日期 of a letter (or a re-handling request) arriving on ``arrived``: that day when it is a
    working day, otherwise the next working day."""
    return arrived if workcal.is_workday(arrived) else workcal.add_workdays(arrived, 1)


def due_date(start: date, kind: str) -> date:
    """The answer is due ``limit_for(kind)`` working days after ``start`` (``start`` is day 0)."""
    return workcal.add_workdays(start, limit_for(kind))


def rating_due(answered_on: date) -> date:
    """The last day the writer may rate (and ask for re-handling): 20 working days after the answer."""
    return workcal.add_workdays(answered_on, RATING_WINDOW_WORKDAYS)


def remind_before_on(due_on: date) -> date:
    """The day of the "due soon" reminder: one working day before the due date."""
    return workcal.add_workdays(due_on, -REMIND_BEFORE_WORKDAYS)


def overdue_remind_on(due_on: date) -> date:
    """The day of the "overdue" reminder: the working day after a missed due date (rules.md §7)."""
    return workcal.add_workdays(due_on, 1)


@dataclass(frozen=True)
class Clock:
    received_on: date
    start_on: date
    due_on: date
    answered_on: date | None
    on_time: bool | None
    rating_due_on: date | None
    rehandle_count: int


def compute(kind: str, events: Iterable[LetterEvent], *, fallback_received: date) -> Clock:
    """The clock from the events in order. ``fallback_received`` is used only when there is no
    RECEIVED event yet (while the letter is being created)."""
    received_on = fallback_received
    start = fallback_received
    answered_on: date | None = None
    rehandles = 0
    invalid = False
    for ev in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if ev.kind == LetterEventKind.RECEIVED:
            received_on = ev.on
            start = ev.on
        elif ev.kind == LetterEventKind.REHANDLE:
            rehandles += 1
            start = receipt_day(ev.on)
            answered_on = None
        elif ev.kind == LetterEventKind.ANSWERED:
            answered_on = ev.on
        elif ev.kind == LetterEventKind.INVALIDATED:
            invalid = True
    due = due_date(start, kind)
    on_time = None if invalid or answered_on is None else answered_on <= due
    return Clock(
        received_on=received_on,
        start_on=start,
        due_on=due,
        answered_on=answered_on,
        on_time=on_time,
        rating_due_on=rating_due(answered_on) if answered_on is not None and not invalid else None,
        rehandle_count=rehandles,
    )


def recompute(letter: Letter, events: Iterable[LetterEvent] | None = None) -> Clock:
    """Set the clock fields of ``letter`` from its events (not saved: the caller saves
    ``CLOCK_FIELDS`` with its own changes)."""
    if events is None:
        events = list(letter.events.all()) if letter.pk else []
    c = compute(letter.kind, events, fallback_received=letter.received_on)
    letter.received_on = c.received_on
    letter.due_on = c.due_on
    letter.answered_on = c.answered_on
    letter.on_time = c.on_time
    letter.rating_due_on = c.rating_due_on
    letter.rehandle_count = c.rehandle_count
    return c
