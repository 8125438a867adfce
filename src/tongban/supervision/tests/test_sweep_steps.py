"""The sweep's open steps past due (环节超时): candidates are cut off by working days per limit
(:func:`anomalies.step_cutoff`), so steps not yet over their limit are never loaded, and the
cases with a pause (第四十五条) get their exact clock from one query for all of them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tongban.approvals import testing
from tongban.approvals.models import Case, EventKind
from tongban.core.calendar import add_workdays
from tongban.core.clock import moved_to
from tongban.supervision import anomalies
from tongban.supervision.models import Anomaly, AnomalyKind

pytestmark = pytest.mark.django_db

D = datetime


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _ev(case: Case, kind: str, at: datetime, **data: object) -> None:
    with moved_to(at.date()):
        testing.event(case, kind, at, **data)


def _case(w: testing.ApprovalWorld, started: datetime, limit: int, *, pause: bool = False) -> Case:
    with moved_to(started.date()):
        case = testing.new_case(w, received_at=started, handler=w.users["handler"], current_step="review")
    _ev(case, EventKind.ACCEPTED, started)
    _ev(case, EventKind.STEP_STARTED, started, key="review", name="审查", limit=limit, counts=True)
    if pause:
        _ev(case, EventKind.PAUSED, started + timedelta(hours=1), reason="testing", expected_days=1)
        nxt = add_workdays(started.date(), 1)
        _ev(case, EventKind.RESUMED, D(nxt.year, nxt.month, nxt.day, 10))
    return case


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 10, 20])
def test_cutoff_is_the_last_start_day_past_due(n):
    """A step of n working days started on or before the cut-off is past due today; one started
    the day after is not — on weekdays, weekends and around the National Day holiday."""
    day = date(2026, 9, 20)
    while day < date(2026, 11, 30):
        cut = anomalies.step_cutoff(day, n)
        assert add_workdays(cut, n) < day
        assert add_workdays(cut + timedelta(days=1), n) >= day
        day += timedelta(days=1)


def test_steps_within_their_working_days_are_not_loaded(w, django_assert_max_num_queries):
    """Monday 9 Nov 2026: a 3-day step started Wed 4 Nov is due Mon 9 Nov (7 calendar days ago
    would have passed the old calendar-day filter) — not a candidate, not recorded."""
    today = date(2026, 11, 9)
    _case(w, D(2026, 11, 4, 10), 3)
    late = _case(w, D(2026, 11, 3, 10), 3)  # due Fri 6 Nov: over
    with moved_to(today):
        found = anomalies.sweep_steps(today)
    assert [a.case_id for a in found] == [late.pk]
    assert Anomaly.objects.get(kind=AnomalyKind.STEP_OVERDUE).evidence["due"] == "2026-11-06"


def test_paused_cases_get_their_exact_clock_in_a_constant_number_of_queries(w, django_assert_max_num_queries):
    """Cases with a pause are checked with their exact clock; their events are read in one query,
    however many there are (a pause of 1 working day moves the step's due by one)."""
    today = date(2026, 11, 10)
    over = [_case(w, D(2026, 11, 2, 10), 3, pause=True)]  # due 6 Nov (+1 paused day): over
    inside = _case(w, D(2026, 11, 5, 10), 2, pause=True)  # due 9 Nov +1 → 10 Nov: not over
    with moved_to(today), django_assert_max_num_queries(12) as one:
        anomalies.sweep_steps(today)
    Anomaly.objects.all().delete()
    over += [_case(w, D(2026, 11, 2, 10), 3, pause=True) for _ in range(4)]
    with moved_to(today), django_assert_max_num_queries(len(one.captured_queries)):
        found = anomalies.sweep_steps(today)
    assert sorted(a.case_id for a in found) == sorted(c.pk for c in over)
    assert inside.pk not in {a.case_id for a in found}
    assert {a.evidence["due"] for a in found} == {"2026-11-06"}
