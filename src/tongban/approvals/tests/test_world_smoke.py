"""The test builders work and the clock cache is written on the case row."""

from datetime import date, datetime

import pytest

from tongban.approvals import testing
from tongban.approvals.models import ClockState, EventKind

pytestmark = pytest.mark.django_db


def test_case_received_friday_before_spring_festival_2025_has_its_window_on_the_row():
    w = testing.build_world()
    case = testing.new_case(w, received_at=datetime(2025, 1, 24, 10, 0))
    assert case.clock_state == ClockState.PRE_ACCEPTANCE
    assert case.preaccept_due == date(2025, 2, 7)
    case = testing.event(case, EventKind.ACCEPTED, datetime(2025, 1, 24, 15, 0))
    assert (case.due_committed, case.due_statutory) == (date(2025, 2, 7), date(2025, 2, 27))
    assert (case.warn_on, case.yellow_on, case.red_on) == (
        date(2025, 2, 5),
        date(2025, 2, 8),
        date(2025, 2, 12),
    )
