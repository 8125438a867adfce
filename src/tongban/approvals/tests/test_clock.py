"""The statutory clock on hard dates (行政许可法 第三十二、四十二、四十四、四十五、八十二条).

Every expected date is computed by hand in a comment from the 2025 schedule of the State
Council (国办发明电〔2024〕12号), which chinesecalendar carries and the first test checks:

春节 2025: 01-28 … 02-04 off; Sunday 01-26 and Saturday 02-08 are working days.
  Working days after Friday 2025-01-24:
  W1 01-26(Sun)  W2 01-27  W3 02-05  W4 02-06  W5 02-07  W6 02-08(Sat)  W7 02-10  W8 02-11
  W9 02-12  W10 02-13  W11 02-14  W12 02-17  W13 02-18  W14 02-19  W15 02-20  W16 02-21
  W17 02-24  W18 02-25  W19 02-26  W20 02-27  W21 02-28  W22 03-03  W23 03-04  W24 03-05
  W25 03-06  W26 03-07  W27 03-10  W28 03-11  W29 03-12  W30 03-13

国庆节、中秋节 2025: 10-01 … 10-08 off; Sunday 09-28 and Saturday 10-11 are working days.
  Working days after Friday 2025-09-26:
  W1 09-28(Sun)  W2 09-29  W3 09-30  W4 10-09  W5 10-10  W6 10-11(Sat)  W7 10-13  W8 10-14
  W9 10-15  W10 10-16  W11 10-17  W12 10-20  W13 10-21  W14 10-22  W15 10-23  W16 10-24
  W17 10-27  W18 10-28  W19 10-29  W20 10-30  W21 10-31  W22 11-03  W23 11-04  W24 11-05
  W25 11-06  W26 11-07  W27 11-10  W28 11-11  W29 11-12  W30 11-13  W31 11-14  W32 11-17
  W33 11-18  W34 11-19  W35 11-20  W36 11-21  W37 11-24  W38 11-25  W39 11-26  W40 11-27
  W41 11-28  W42 12-01  W43 12-02  W44 12-03  W45 12-04  W46 12-05  W47 12-08  W48 12-09
  W49 12-10  W50 12-11  W51 12-12  W52 12-15  W53 12-16  W54 12-17  W55 12-18  W56 12-19
  W57 12-22  W58 12-23  W59 12-24  W60 12-25

Counting: the day of an event is not counted, day 1 is the next working day (第八十二条; a day
that is not a working day starts nothing). The defaults of the supervision (rules.md §4 [local]):
预警 2 working days before the deadline, 黄牌 the day after it, 红牌 the day after 3 more working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from django.db import transaction

from tongban.approvals import clock, testing
from tongban.approvals.clock import Limits, compute, ev_list, light_on
from tongban.approvals.models import Case, ClockPolicy, ClockState, EventKind, Light
from tongban.core.calendar import is_workday
from tongban.core.clock import moved_to

# The calendar reads administrators' overrides from the database when its cache expires.
pytestmark = pytest.mark.django_db

D = date
STD = Limits(statutory=20, committed=5)  # the test item: 法定 20, 承诺 5
JOINT = Limits(statutory=45, committed=30)  # 联合办理 (第四十二条第二款)
R, A, P, RS, X = (
    EventKind.RECEIVED,
    EventKind.ACCEPTED,
    EventKind.PAUSED,
    EventKind.RESUMED,
    EventKind.EXTENDED,
)


def run(rows, today, limits=STD):
    return compute(ev_list(rows), limits, today)


# --- the calendar itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 26), True),  # Sunday, adjusted working day
        *[(D(2025, 1, 28) + timedelta(days=i), False) for i in range(8)],  # 01-28 … 02-04
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday, adjusted working day
        (D(2025, 2, 9), False),
        (D(2025, 9, 28), True),  # Sunday, adjusted working day
        *[(D(2025, 10, 1) + timedelta(days=i), False) for i in range(8)],  # 10-01 … 10-08
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, adjusted working day
        (D(2025, 10, 12), False),
    ],
)
def test_2025_holidays_match_chinesecalendar(db, day, working):
    assert chinese_calendar.is_workday(day) is working
    assert is_workday(day) is working


# --- acceptance, pure ------------------------------------------------------------------------------------


def test_accepted_friday_before_spring_festival():
    c = run([(R, D(2025, 1, 24), {}), (A, D(2025, 1, 24), {})], D(2025, 1, 24))
    assert c.state == ClockState.RUNNING
    assert c.due_committed == D(2025, 2, 7)  # W5
    assert c.due_statutory == D(2025, 2, 27)  # W20
    # 预警 2 working days before 02-07: -1 = 02-06, -2 = 02-05; 黄牌 02-08; 红牌: 02-07 + 3 = 02-08,
    # 02-10, 02-11 → the day after: 02-12
    assert (c.due_on, c.warn_on, c.yellow_on, c.red_on) == (
        D(2025, 2, 7), D(2025, 2, 5), D(2025, 2, 8), D(2025, 2, 12),
    )  # fmt: skip


def test_accepted_friday_before_national_day():
    c = run([(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {})], D(2025, 9, 26))
    assert c.due_committed == D(2025, 10, 10)  # W5: 09-28, 09-29, 09-30, 10-09, 10-10
    assert c.due_statutory == D(2025, 10, 30)  # W20
    # 预警: 10-10 -1 = 10-09, -2 = 09-30 (back over the holiday); 黄牌 10-11; 红牌: 10-10 + 3 =
    # 10-11, 10-13, 10-14 → 10-15
    assert (c.warn_on, c.yellow_on, c.red_on) == (D(2025, 9, 30), D(2025, 10, 11), D(2025, 10, 15))
    # 3 working days used by 10-09 (09-28, 09-29, 09-30, 10-09 = 4), 10-10 - 10-09 = 1 remaining
    c = run([(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {})], D(2025, 10, 9))
    assert (c.used, c.remaining) == (4, 1)


def test_receipt_on_a_saturday_counts_from_monday():
    # 2025-02-15 is a Saturday: W1 02-17, 02-18, 02-19, 02-20, W5 02-21
    c = run([(R, D(2025, 2, 15), {})], D(2025, 2, 15))
    assert c.state == ClockState.PRE_ACCEPTANCE and c.preaccept_due == D(2025, 2, 21)
    # the acceptance window's 预警: 02-21 -1 = 02-20, -2 = 02-19
    assert (c.due_on, c.warn_on) == (D(2025, 2, 21), D(2025, 2, 19))


def test_receipt_on_a_holiday_counts_from_the_first_working_day_after():
    # 2025-10-04 (国庆, Saturday): W1 10-09, 10-10, 10-11(Sat), 10-13, W5 10-14
    c = run([(R, D(2025, 10, 4), {})], D(2025, 10, 4))
    assert c.preaccept_due == D(2025, 10, 14)
    # accepted on 10-09: committed W1 10-10, 10-11, 10-13, 10-14, W5 10-15
    c = run([(R, D(2025, 10, 4), {}), (A, D(2025, 10, 9), {})], D(2025, 10, 9))
    assert (c.accepted_on, c.due_committed) == (D(2025, 10, 9), D(2025, 10, 15))


def test_receipt_on_the_adjusted_working_sunday():
    # 2025-01-26 is a working day, but not counted itself: W1 01-27, 02-05, 02-06, 02-07, W5 02-08(Sat)
    c = run([(R, D(2025, 1, 26), {})], D(2025, 1, 26))
    assert c.preaccept_due == D(2025, 2, 8)


# --- pauses (第四十五条) -----------------------------------------------------------------------------------

PAUSE_ROWS = [
    (R, D(2025, 9, 26), {}),
    (A, D(2025, 9, 26), {}),
    (P, D(2025, 9, 29), {"reason": "inspection", "expected_days": 5}),
    (RS, D(2025, 10, 10), {}),
]


def test_pause_across_national_day_removes_only_its_working_days():
    c = run(PAUSE_ROWS, D(2025, 10, 10))
    # (09-29, 10-10] holds 09-30, 10-09, 10-10: 3 working days (10-01 … 10-08 are not)
    assert c.paused_days == 3
    assert c.state == ClockState.RUNNING
    assert c.due_committed == D(2025, 10, 14)  # W(5 + 3) = W8
    assert c.due_statutory == D(2025, 11, 4)  # W(20 + 3) = W23
    assert [ln.added for ln in c.lines if ln.kind == RS] == [3]
    # used by 10-13: (09-26, 10-13] = 7 working days (W7), minus 3 paused = 4
    c = run(PAUSE_ROWS, D(2025, 10, 13))
    assert (c.used, c.remaining) == (4, 1)


def test_running_pause_has_no_deadline_and_counts_up_to_today():
    c = run(PAUSE_ROWS[:3], D(2025, 10, 9))
    # paused since 09-29; (09-29, 10-09] = 09-30, 10-09 = 2
    assert c.state == ClockState.PAUSED and c.paused_days == 2
    assert (c.due_on, c.warn_on, c.yellow_on, c.red_on) == (None, None, None, None)
    assert c.due_committed == D(2025, 10, 13)  # W(5 + 2) = W7, as of today
    assert c.light(D(2025, 10, 9)) == Light.GREEN


def test_pause_inside_the_holiday_removes_nothing():
    rows = [(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {}),
            (P, D(2025, 10, 1), {"reason": "testing"}), (RS, D(2025, 10, 8), {})]  # fmt: skip
    c = run(rows, D(2025, 10, 9))
    # (10-01, 10-08]: no working day
    assert c.paused_days == 0
    assert (c.due_committed, c.due_statutory) == (D(2025, 10, 10), D(2025, 10, 30))


def test_pause_across_spring_festival():
    rows = [(R, D(2025, 1, 24), {}), (A, D(2025, 1, 24), {}),
            (P, D(2025, 1, 24), {"reason": "hearing"}), (RS, D(2025, 2, 5), {})]  # fmt: skip
    c = run(rows, D(2025, 2, 5))
    # (01-24, 02-05] = 01-26, 01-27, 02-05: 3
    assert c.paused_days == 3
    assert c.due_committed == D(2025, 2, 11)  # W(5 + 3) = W8
    assert c.due_statutory == D(2025, 3, 4)  # W(20 + 3) = W23


def test_two_pauses_add_up():
    rows = [*PAUSE_ROWS, (P, D(2025, 10, 13), {"reason": "appraisal"}), (RS, D(2025, 10, 15), {})]
    c = run(rows, D(2025, 10, 15))
    # 3 + (10-13, 10-15] = 10-14, 10-15: 2 → 5
    assert c.paused_days == 5
    assert c.due_committed == D(2025, 10, 16)  # W10


# --- deemed acceptance (第三十二条) ---------------------------------------------------------------------------


def test_window_passes_deemed_accepted_on_the_receipt_day():
    rows = [(R, D(2025, 1, 24), {})]
    c = run(rows, D(2025, 2, 7))  # the window's last day (W5): not yet
    assert c.state == ClockState.PRE_ACCEPTANCE and not c.deemed and c.accepted_on is None
    c = run(rows, D(2025, 2, 8))  # the day after
    assert c.deemed and c.deemed_pending and c.accepted_on == D(2025, 1, 24)
    assert c.state == ClockState.RUNNING
    # counted from the receipt day: committed W5 02-07 (already passed), statutory W20 02-27
    assert (c.due_committed, c.due_statutory) == (D(2025, 2, 7), D(2025, 2, 27))
    assert c.light(D(2025, 2, 8)) == Light.YELLOW  # 黄牌 from 02-08


def test_stored_deemed_event_counts_from_the_window_start():
    c = run([(R, D(2025, 1, 24), {}), (EventKind.DEEMED_ACCEPTED, D(2025, 2, 10), {})], D(2025, 2, 10))
    assert c.deemed and not c.deemed_pending and c.accepted_on == D(2025, 1, 24)
    assert c.due_statutory == D(2025, 2, 27)


def test_in_time_supplement_starts_a_new_window_on_the_supplement_day():
    rows = [
        (R, D(2025, 1, 24), {}),
        (EventKind.SUPPLEMENT_REQUESTED, D(2025, 2, 5), {}),  # W3 of the window: in time
        (EventKind.SUPPLEMENTED, D(2025, 2, 12), {}),
    ]
    c = run(rows[:2], D(2025, 2, 10))
    # waiting for the applicant: no clock runs, nothing is deemed though 02-07 has passed
    assert c.state == ClockState.SUPPLEMENT and not c.deemed and c.due_on is None
    c = run(rows, D(2025, 2, 12))
    # new window from 02-12: W1 02-13, 02-14, 02-17, 02-18, W5 02-19
    assert c.state == ClockState.PRE_ACCEPTANCE and c.preaccept_due == D(2025, 2, 19)
    assert not run(rows, D(2025, 2, 19)).deemed
    c = run(rows, D(2025, 2, 20))
    assert c.deemed and c.accepted_on == D(2025, 2, 12)
    # from 02-12: committed W5 02-19; statutory W1 02-13 … W5 02-19, 02-20, 02-21, 02-24, 02-25,
    # W10 02-26, 02-27, 02-28, 03-03, 03-04, W15 03-05, 03-06, 03-07, 03-10, 03-11, W20 03-12
    assert (c.due_committed, c.due_statutory) == (D(2025, 2, 19), D(2025, 3, 12))


def test_late_supplement_notice_does_not_undo_acceptance_from_receipt():
    # 第三十二条第一款第四项: not told within 5 working days → accepted from the day of receipt.
    # The window of a 01-24 receipt ended 02-07; a notice on 02-10 is late.
    rows = [(R, D(2025, 1, 24), {}), (EventKind.SUPPLEMENT_REQUESTED, D(2025, 2, 10), {})]
    c = run(rows, D(2025, 2, 10))
    assert c.deemed and c.accepted_on == D(2025, 1, 24)
    assert c.state == ClockState.RUNNING  # the late notice stops nothing
    assert (c.due_committed, c.due_statutory) == (D(2025, 2, 7), D(2025, 2, 27))
    assert [ln.kind for ln in c.lines] == [R, EventKind.DEEMED_ACCEPTED, EventKind.SUPPLEMENT_REQUESTED]
    assert "视为受理" in c.lines[1].text and "不停止计时" in c.lines[2].text
    # the result does not depend on the day it is read
    assert run(rows, D(2025, 12, 31)).accepted_on == D(2025, 1, 24)


def test_late_explicit_acceptance_counts_from_receipt():
    # accepted on 02-10, after the window (02-07): the law already counts from 01-24
    c = run([(R, D(2025, 1, 24), {}), (A, D(2025, 2, 10), {})], D(2025, 2, 10))
    assert c.accepted_on == D(2025, 1, 24) and c.deemed
    assert c.due_statutory == D(2025, 2, 27)


def test_acceptance_on_the_windows_last_day_is_in_time():
    c = run([(R, D(2025, 1, 24), {}), (A, D(2025, 2, 7), {})], D(2025, 2, 7))
    # from 02-07: W1 02-08, 02-10, 02-11, 02-12, W5 02-13
    assert (c.accepted_on, c.deemed, c.due_committed) == (D(2025, 2, 7), False, D(2025, 2, 13))


# --- extensions (第四十二条) -------------------------------------------------------------------------------------


def test_extension_of_10():
    rows = [(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {}), (X, D(2025, 10, 20), {"days": 10})]
    c = run(rows, D(2025, 10, 20))
    assert c.extension_days == 10
    assert c.due_statutory == D(2025, 11, 13)  # W(20 + 10) = W30
    assert c.due_committed == D(2025, 10, 23)  # W(5 + 10) = W15
    assert [ln.added for ln in c.lines if ln.kind == X] == [10]


def test_joint_item_45_plus_15():
    rows = [(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {})]
    c = run(rows, D(2025, 9, 26), JOINT)
    assert (c.due_committed, c.due_statutory) == (D(2025, 11, 13), D(2025, 12, 4))  # W30, W45
    c = run([*rows, (X, D(2025, 12, 1), {"days": 15})], D(2025, 12, 1), JOINT)
    assert (c.due_committed, c.due_statutory) == (D(2025, 12, 4), D(2025, 12, 25))  # W45, W60


def test_extension_and_pause_together():
    c = run([*PAUSE_ROWS, (X, D(2025, 10, 20), {"days": 10})], D(2025, 10, 20))
    assert c.due_statutory == D(2025, 11, 18)  # W(20 + 3 + 10) = W33


# --- the certificate's own clock (第四十四条) ---------------------------------------------------------------------


def test_certificate_clock_after_a_grant():
    rows = [(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {}),
            (EventKind.DECIDED, D(2025, 9, 30), {"decision": "grant"})]  # fmt: skip
    c = run(rows, D(2025, 9, 30))
    assert c.state == ClockState.CERTIFICATE and c.decided_on == D(2025, 9, 30)
    # from 09-30: W1 10-09, 10-10, 10-11, 10-13, W5 10-14, 10-15, 10-16, 10-17, 10-20, W10 10-21
    assert c.cert_due == D(2025, 10, 21)
    # 预警 10-21 -1 = 10-20, -2 = 10-17; 黄牌 10-22; 红牌 10-21 + 3 = 10-22, 10-23, 10-24 → 10-25
    assert (c.due_on, c.warn_on, c.yellow_on, c.red_on) == (
        D(2025, 10, 21), D(2025, 10, 17), D(2025, 10, 22), D(2025, 10, 25),
    )  # fmt: skip
    assert c.used == 3  # (09-26, 09-30] = 09-28, 09-29, 09-30
    c = run([*rows, (EventKind.CERTIFICATE_ISSUED, D(2025, 10, 20), {})], D(2025, 10, 20))
    assert c.state == ClockState.STOPPED and c.light(D(2025, 10, 30)) == Light.NONE


def test_refusal_stops_the_clock_and_an_item_without_certificate_has_no_certificate_clock():
    rows = [(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {})]
    c = run([*rows, (EventKind.DECIDED, D(2025, 9, 30), {"decision": "refuse"})], D(2025, 9, 30))
    assert c.state == ClockState.STOPPED and c.cert_due is None and c.due_on is None
    c = compute(
        ev_list([*rows, (EventKind.DECIDED, D(2025, 9, 30), {"decision": "grant"})]),
        Limits(statutory=20, committed=5, certificate=False),
        D(2025, 9, 30),
    )
    assert c.state == ClockState.STOPPED and c.cert_due is None


# --- step clocks --------------------------------------------------------------------------------------------------


def test_step_clock_with_a_pause_inside_the_step():
    step = {"key": "review", "name": "审查", "limit": 3, "counts": True}
    rows = [
        (R, D(2025, 9, 26), {}),
        (A, D(2025, 9, 26), {}),
        (EventKind.STEP_STARTED, D(2025, 9, 26), step),
        (P, D(2025, 9, 29), {"reason": "inspection"}),
        (RS, D(2025, 10, 10), {}),
        (EventKind.STEP_COMPLETED, D(2025, 10, 13), {"key": "review"}),
        (EventKind.STEP_STARTED, D(2025, 10, 13), {"key": "decide", "name": "决定", "limit": 2}),
    ]
    c = run(rows[:3], D(2025, 9, 26))
    assert c.steps[0].due == D(2025, 9, 30)  # W3
    c = run(rows[:4], D(2025, 10, 9))
    # paused since 09-29, (09-29, 10-09] = 2 so far: W(3 + 2) = W5 10-10
    assert c.steps[0].due == D(2025, 10, 10) and not c.steps[0].overdue(D(2025, 10, 9))
    c = run(rows, D(2025, 10, 14))
    review, decide = c.steps
    # paused (09-29, 10-10] = 3: W(3 + 3) = W6 10-11; finished 10-13 → over its own limit
    assert (review.paused, review.due, review.finished_on) == (3, D(2025, 10, 11), D(2025, 10, 13))
    assert review.overdue(D(2025, 10, 14))
    # started after the pause: from 10-13, W1 10-14, W2 10-15
    assert (decide.paused, decide.due) == (0, D(2025, 10, 15))
    assert not decide.overdue(D(2025, 10, 15)) and decide.overdue(D(2025, 10, 16))


# --- lights ------------------------------------------------------------------------------------------------------


def test_changed_policy_moves_warn_and_red():
    rows = [(R, D(2025, 9, 26), {}), (A, D(2025, 9, 26), {})]
    c = run(rows, D(2025, 9, 26), Limits(statutory=20, committed=5, warn_days=3, rectify_days=5))
    # 预警 10-10 -1 = 10-09, -2 = 09-30, -3 = 09-29; 黄牌 10-11;
    # 红牌 10-10 + 5 = 10-11, 10-13, 10-14, 10-15, 10-16 → 10-17
    assert (c.warn_on, c.yellow_on, c.red_on) == (D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 17))


@pytest.mark.parametrize(
    ("today", "light"),
    [
        (D(2025, 2, 4), Light.GREEN),  # the day before 预警
        (D(2025, 2, 5), Light.WARNING),  # 预警 from 02-05
        (D(2025, 2, 7), Light.WARNING),  # the deadline itself is still in time
        (D(2025, 2, 8), Light.YELLOW),  # the day after: 黄牌
        (D(2025, 2, 11), Light.YELLOW),  # the last day of the 3 rectification days
        (D(2025, 2, 12), Light.RED),  # 红牌
        (D(2025, 3, 1), Light.RED),
    ],
)
def test_light_on_each_boundary_day(today, light):
    # accepted 01-24: due 02-07, 预警 02-05, 黄牌 02-08, 红牌 02-12 (test_accepted_friday_before_spring_festival)
    assert light_on(D(2025, 2, 7), D(2025, 2, 5), D(2025, 2, 8), D(2025, 2, 12), today) == light
    c = run([(R, D(2025, 1, 24), {}), (A, D(2025, 1, 24), {})], today)
    assert c.light(today) == light


def test_light_on_stopped_and_empty():
    assert light_on(D(2025, 2, 7), D(2025, 2, 5), D(2025, 2, 8), D(2025, 2, 12), D(2025, 3, 1),
                    ClockState.STOPPED) == Light.NONE  # fmt: skip
    assert light_on(None, None, None, None, D(2025, 3, 1)) == Light.GREEN


# --- the same through stored events: the case row's cached dates -----------------------------------------------------


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, 0)


def ev(case: Case, kind: str, d: date, **data) -> Case:
    with moved_to(at(d, 11)):
        return testing.event(case, kind, at(d, 11), **data)


def received(w, d: date, **kw) -> Case:
    with moved_to(at(d)):
        return testing.new_case(w, received_at=at(d), **kw)


def row_dates(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.due_on, case.warn_on, case.yellow_on, case.red_on)


@pytest.mark.django_db
def test_stored_pause_across_national_day():
    w = testing.build_world()
    case = received(w, D(2025, 9, 26))
    assert case.preaccept_due == D(2025, 10, 10)  # the window: W1 09-28, 09-29, 09-30, 10-09, W5 10-10
    case = ev(case, A, D(2025, 9, 26))
    assert case.clock_state == ClockState.RUNNING and case.accepted_on == D(2025, 9, 26)
    assert (case.due_committed, case.due_statutory) == (D(2025, 10, 10), D(2025, 10, 30))
    case = ev(case, P, D(2025, 9, 29), reason="inspection", expected_days=5)
    # a paused case has no running deadline and the row holds the completed pauses only
    assert case.clock_state == ClockState.PAUSED and row_dates(case) == (None, None, None, None)
    assert case.paused_days == 0
    case = ev(case, RS, D(2025, 10, 10))
    assert case.clock_state == ClockState.RUNNING and case.paused_days == 3
    assert (case.due_committed, case.due_statutory) == (D(2025, 10, 14), D(2025, 11, 4))  # W8, W23
    # 预警 10-14 -1 = 10-13, -2 = 10-11(Sat); 黄牌 10-15; 红牌 10-14 + 3 = 10-15, 10-16, 10-17 → 10-18
    assert row_dates(case) == (D(2025, 10, 14), D(2025, 10, 11), D(2025, 10, 15), D(2025, 10, 18))
    for today, light in [(D(2025, 10, 10), Light.GREEN), (D(2025, 10, 11), Light.WARNING),
                         (D(2025, 10, 15), Light.YELLOW), (D(2025, 10, 18), Light.RED)]:  # fmt: skip
        assert light_on(*row_dates(case), today) == light


@pytest.mark.django_db
def test_stored_receipt_window_on_the_row():
    w = testing.build_world()
    # received Friday 09-26: W1 09-28, 09-29, 09-30, 10-09, W5 10-10
    case = received(w, D(2025, 9, 26))
    assert (case.clock_state, case.preaccept_due, case.due_on) == (
        ClockState.PRE_ACCEPTANCE, D(2025, 10, 10), D(2025, 10, 10),
    )  # fmt: skip
    saturday = received(w, D(2025, 10, 4))  # a holiday: W1 10-09 … W5 10-14
    assert saturday.received_on == D(2025, 10, 4) and saturday.preaccept_due == D(2025, 10, 14)


@pytest.mark.django_db
def test_stored_deemed_acceptance_and_supplement():
    w = testing.build_world()
    case = received(w, D(2025, 1, 24))
    with moved_to(D(2025, 2, 8)), transaction.atomic():
        clock.refresh_case(clock.lock_case(case.pk))
    case.refresh_from_db()
    # the window passed on 02-07 but the event is not stored yet: the row still waits for it
    assert case.clock_state == ClockState.PRE_ACCEPTANCE and case.accepted_on is None
    case = ev(case, EventKind.DEEMED_ACCEPTED, D(2025, 2, 8))
    assert (case.accepted_on, case.deemed_accepted) == (D(2025, 1, 24), True)
    assert (case.due_committed, case.due_statutory) == (D(2025, 2, 7), D(2025, 2, 27))

    late = received(w, D(2025, 1, 24))
    late = ev(late, EventKind.SUPPLEMENT_REQUESTED, D(2025, 2, 10))  # after the window (02-07)
    assert (late.clock_state, late.accepted_on, late.deemed_accepted, late.due_committed) == (
        ClockState.RUNNING, D(2025, 1, 24), True, D(2025, 2, 7),
    )  # fmt: skip

    other = received(w, D(2025, 1, 24))
    other = ev(other, EventKind.SUPPLEMENT_REQUESTED, D(2025, 2, 5))
    assert other.clock_state == ClockState.SUPPLEMENT and other.due_on is None
    other = ev(other, EventKind.SUPPLEMENTED, D(2025, 2, 12))
    assert (other.clock_state, other.preaccept_due) == (ClockState.PRE_ACCEPTANCE, D(2025, 2, 19))
    other = ev(other, EventKind.DEEMED_ACCEPTED, D(2025, 2, 20))
    assert (other.accepted_on, other.due_committed, other.due_statutory) == (
        D(2025, 2, 12), D(2025, 2, 19), D(2025, 3, 12),
    )  # fmt: skip


@pytest.mark.django_db
def test_stored_joint_extension_and_certificate():
    w = testing.build_world()
    item = testing.published_item(w, code="330100-ZJJ-LH-001", name="建设工程规划许可（联合办理）",
                                  unit="zjj", statutory=45, committed=30, joint=True)  # fmt: skip
    case = received(w, D(2025, 9, 26), item=item)
    case = ev(case, A, D(2025, 9, 26))
    assert (case.due_committed, case.due_statutory) == (D(2025, 11, 13), D(2025, 12, 4))  # W30, W45
    case = ev(case, X, D(2025, 12, 1), days=15)
    assert case.extension_days == 15
    assert (case.due_committed, case.due_statutory) == (D(2025, 12, 4), D(2025, 12, 25))  # W45, W60
    case = ev(case, EventKind.DECIDED, D(2025, 12, 3), decision="grant")
    # from 12-03 (Wed): W1 12-04, 12-05, 12-08, 12-09, 12-10, 12-11, 12-12, 12-15, 12-16, W10 12-17
    assert (case.clock_state, case.decided_on, case.cert_due) == (
        ClockState.CERTIFICATE, D(2025, 12, 3), D(2025, 12, 17),
    )  # fmt: skip
    # 预警 12-17 -2 = 12-15; 黄牌 12-18; 红牌 12-17 + 3 = 12-18, 12-19, 12-22 → 12-23
    assert row_dates(case) == (D(2025, 12, 17), D(2025, 12, 15), D(2025, 12, 18), D(2025, 12, 23))
    case = ev(case, EventKind.CERTIFICATE_ISSUED, D(2025, 12, 10))
    assert case.clock_state == ClockState.STOPPED and case.due_on is None


@pytest.mark.django_db
def test_stored_extension_of_10():
    w = testing.build_world()
    case = received(w, D(2025, 9, 26))
    case = ev(case, A, D(2025, 9, 26))
    case = ev(case, X, D(2025, 10, 20), days=10)
    assert (case.extension_days, case.due_committed, case.due_statutory) == (
        10, D(2025, 10, 23), D(2025, 11, 13),
    )  # fmt: skip


@pytest.mark.django_db
def test_policy_change_and_refresh_open_cases():
    w = testing.build_world()
    case = received(w, D(2025, 9, 26))
    case = ev(case, A, D(2025, 9, 26))
    closed = received(w, D(2025, 9, 26))
    closed = ev(closed, A, D(2025, 9, 26))
    Case.objects.filter(pk=closed.pk).update(is_open=False)
    # default policy: 预警 09-30, 黄牌 10-11, 红牌 10-15 (test_accepted_friday_before_national_day)
    assert row_dates(case) == (D(2025, 10, 10), D(2025, 9, 30), D(2025, 10, 11), D(2025, 10, 15))
    ClockPolicy.objects.update_or_create(id=1, defaults={"warn_days": 3, "rectify_days": 5})
    with moved_to(D(2025, 9, 29)):
        assert clock.refresh_open_cases() == 1
    # 预警 10-10 -3 = 09-29; 红牌 10-10 + 5 = 10-16 → 10-17
    assert row_dates(case) == (D(2025, 10, 10), D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 17))
    assert row_dates(closed) == (D(2025, 10, 10), D(2025, 9, 30), D(2025, 10, 11), D(2025, 10, 15))
    for today, light in [(D(2025, 9, 28), Light.GREEN), (D(2025, 9, 29), Light.WARNING),
                         (D(2025, 10, 10), Light.WARNING), (D(2025, 10, 11), Light.YELLOW),
                         (D(2025, 10, 16), Light.YELLOW), (D(2025, 10, 17), Light.RED)]:  # fmt: skip
        assert light_on(*row_dates(case), today) == light


@pytest.mark.django_db
def test_stored_step_clock_with_pause():
    w = testing.build_world()
    case = received(w, D(2025, 9, 26))
    case = ev(case, A, D(2025, 9, 26))
    case = ev(case, EventKind.STEP_STARTED, D(2025, 9, 26), key="review", name="审查", limit=3, counts=True)
    case = ev(case, P, D(2025, 9, 29), reason="inspection")
    case = ev(case, RS, D(2025, 10, 10))
    with moved_to(D(2025, 10, 13)):
        c = clock.case_clock(case)
    assert [(s.key, s.paused, s.due) for s in c.steps] == [("review", 3, D(2025, 10, 11))]
    assert c.steps[0].overdue(D(2025, 10, 13))
