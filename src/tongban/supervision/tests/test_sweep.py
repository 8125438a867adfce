"""The sweep on simulated days: green → 预警 → 黄牌 → 红牌 on the exact days (行政许可法第四十二条,
rules.md §4: 预警 2 working days before the committed deadline, 黄牌 the day after it, 红牌 the
day after the 3-working-day rectification deadline), alerts once, paused and closed cases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tongban.approvals import testing
from tongban.approvals.models import Case, EventKind, Light
from tongban.core.clock import moved_to
from tongban.notify.models import Delivery, Notification
from tongban.supervision import sweep
from tongban.supervision.models import Anomaly, AnomalyKind, LightChange, Rectification, RectificationKind

pytestmark = pytest.mark.django_db

# November 2026 has no holidays: Mon 2 … Fri 6, Mon 9 … Fri 13.
RECEIVED = datetime(2026, 11, 2, 9, 0)


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _accepted_case(w: testing.ApprovalWorld) -> Case:
    with moved_to(date(2026, 11, 2)):
        case = testing.new_case(w, received_at=RECEIVED, handler=w.users["handler"])
        testing.event(case, EventKind.ACCEPTED, datetime(2026, 11, 2, 10, 0))
    return case


def _sweep_on(day: date) -> sweep.SweepResult:
    with moved_to(day):
        return sweep.sweep(today=day)


def test_dates_cached_by_the_clock(w):
    case = _accepted_case(w)
    # committed 5 working days from 2 Nov → Mon 9 Nov; 预警 2 working days before; 黄牌 the day
    # after; 红牌 the day after 9 Nov + 3 working days (Thu 12 Nov).
    assert case.due_on == date(2026, 11, 9)
    assert case.warn_on == date(2026, 11, 5)
    assert case.yellow_on == date(2026, 11, 10)
    assert case.red_on == date(2026, 11, 13)


def test_lights_change_on_the_exact_days_and_alert_once(w):
    case = _accepted_case(w)
    expected = [
        (date(2026, 11, 4), Light.GREEN),
        (date(2026, 11, 5), Light.WARNING),
        (date(2026, 11, 9), Light.WARNING),
        (date(2026, 11, 10), Light.YELLOW),
        (date(2026, 11, 12), Light.YELLOW),
        (date(2026, 11, 13), Light.RED),
    ]
    for day, light in expected:
        _sweep_on(day)
        case.refresh_from_db()
        assert case.light == light, day
    changes = list(LightChange.objects.filter(case=case).order_by("id").values_list("old", "new", "due_on"))
    assert changes == [
        (Light.GREEN, Light.WARNING, date(2026, 11, 9)),
        (Light.WARNING, Light.YELLOW, date(2026, 11, 9)),
        (Light.YELLOW, Light.RED, date(2026, 11, 9)),
    ]
    assert not LightChange.objects.filter(notified_at__isnull=True).exists()
    # Each change alerted the handler and the unit head once, in-app + SMS.
    notes = Notification.objects.filter(event="supervision.light")
    assert notes.count() == 3 * 2
    assert set(notes.values_list("user__username", flat=True)) == {"handler", "scj_leader"}
    assert notes.filter(dedupe_key=f"case:{case.pk}:yellow:2026-11-09").count() == 2
    assert Delivery.objects.filter(notification__in=notes, channel="sms").count() == 6
    # Running the sweep again on the same day (and later) sends nothing new.
    r = _sweep_on(date(2026, 11, 13))
    assert (r.changed, r.alerts) == (0, 0)
    _sweep_on(date(2026, 11, 16))
    assert notes.count() == 6
    assert LightChange.objects.filter(case=case).count() == 3
    # 黄牌警告通知 due on the rectification deadline; 整改建议书 with the 红牌; once each.
    yellow = Rectification.objects.get(case=case, kind=RectificationKind.YELLOW)
    assert yellow.deadline == date(2026, 11, 12) and yellow.unit_id == case.unit_id
    assert yellow.number.endswith("号") and "〔2026〕" in yellow.number
    assert Rectification.objects.filter(case=case, kind=RectificationKind.RED).count() == 1
    a = Anomaly.objects.get(case=case, kind=AnomalyKind.OVER_COMMITTED)
    assert a.evidence["due_committed"] == "2026-11-09" and a.evidence["as_of"] == "2026-11-10"


def test_sweep_result_counts(w):
    case = _accepted_case(w)
    r = _sweep_on(date(2026, 11, 10))
    assert r.open_cases == 1 and r.changed == 1 and r.alerts == 2 and r.anomalies == 1
    assert r.by_light == {Light.YELLOW: 1}
    case.refresh_from_db()
    assert case.light == Light.YELLOW and case.light_since is not None


def test_paused_case_keeps_its_light_and_resumes_later(w):
    case = _accepted_case(w)
    _sweep_on(date(2026, 11, 5))
    with moved_to(date(2026, 11, 6)):
        testing.event(case, EventKind.PAUSED, datetime(2026, 11, 6, 9), reason="testing", expected_days=5)
    case.refresh_from_db()
    assert case.due_on is None and case.light == Light.WARNING
    # Long past the old deadline: still 预警, nothing changes while paused (第四十五条).
    r = _sweep_on(date(2026, 11, 20))
    case.refresh_from_db()
    assert case.light == Light.WARNING and r.changed == 0
    # Resumed on Fri 13 Nov: 5 working days of pause (9–13 Nov) push the deadline to Mon 16 Nov.
    with moved_to(date(2026, 11, 13)):
        testing.event(case, EventKind.RESUMED, datetime(2026, 11, 13, 9))
    case.refresh_from_db()
    assert case.due_on == date(2026, 11, 16)
    assert case.light == Light.WARNING


def test_closed_case_is_cleared_at_once(w):
    case = _accepted_case(w)
    _sweep_on(date(2026, 11, 10))
    with moved_to(date(2026, 11, 11)):
        testing.event(
            case, EventKind.DECIDED, datetime(2026, 11, 11, 9), decision="refuse", reasons="不符合条件"
        )
    case.refresh_from_db()
    assert case.light == Light.NONE
    Case.objects.filter(pk=case.pk).update(is_open=False)
    r = _sweep_on(date(2026, 11, 20))
    case.refresh_from_db()
    assert case.light == Light.NONE and r.changed == 0 and r.open_cases == 0
    # Clearing a light sends no alert.
    assert LightChange.objects.filter(case=case, new=Light.NONE).get().notified_at is not None


def test_event_relights_the_case_at_once(w):
    """The case listener applies the same rules after every event: an acceptance recorded late
    (on the day the committed deadline is already near) shows 预警 at once, and is alerted."""
    with moved_to(date(2026, 11, 2)):
        case = testing.new_case(w, received_at=RECEIVED, handler=w.users["handler"])
    with moved_to(date(2026, 11, 5)):
        # Accepted on 2 Nov's window; 5 Nov is 预警 of a due on 9 Nov.
        testing.event(case, EventKind.ACCEPTED, datetime(2026, 11, 2, 10))
    case.refresh_from_db()
    assert case.light == Light.WARNING
    assert Notification.objects.filter(event="supervision.light").count() == 2
    # The sweep on that day finds nothing more to do.
    r = _sweep_on(date(2026, 11, 5))
    assert r.changed == 0 and r.alerts == 0


def test_only_open_cases_are_touched(w, django_assert_max_num_queries):
    case = _accepted_case(w)
    other = _accepted_case(w)
    Case.objects.filter(pk=other.pk).update(is_open=False, light=Light.GREEN)
    _sweep_on(date(2026, 11, 10))
    other.refresh_from_db()
    case.refresh_from_db()
    assert case.light == Light.YELLOW and other.light == Light.GREEN


def test_sweep_query_count_does_not_grow_with_unchanged_cases(w, django_assert_max_num_queries):
    for _i in range(3):
        _accepted_case(w)
    _sweep_on(date(2026, 11, 4))
    with moved_to(date(2026, 11, 4)), django_assert_max_num_queries(20) as few:
        sweep.sweep(today=date(2026, 11, 4))
    for _i in range(10):
        _accepted_case(w)
    _sweep_on(date(2026, 11, 4))
    with moved_to(date(2026, 11, 4)), django_assert_max_num_queries(len(few.captured_queries)):
        sweep.sweep(today=date(2026, 11, 4))


def test_many_changes_are_bulk(w, django_assert_max_num_queries):
    """Changed cases cost bulk statements, not queries per case (alerts aside, which go through
    notify one change at a time)."""
    cases = [_accepted_case(w) for _i in range(12)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(handler=None)
    from tongban.orgs.models import RoleGrant

    RoleGrant.objects.filter(role="unit_leader").delete()  # no recipients: count the sweep alone
    with moved_to(date(2026, 11, 10)), django_assert_max_num_queries(45):
        r = sweep.sweep(today=date(2026, 11, 10))
    assert r.changed == 12
    assert Rectification.objects.filter(kind=RectificationKind.YELLOW).count() == 12
    numbers = set(Rectification.objects.values_list("number", flat=True))
    assert len(numbers) == 12


def test_deemed_acceptance_step_is_called_when_installed(w):
    r = _sweep_on(date(2026, 11, 4))
    try:
        from tongban.approvals import handling

        installed = hasattr(handling, "cases_deem_accepted")
    except ImportError:
        installed = False
    assert (r.deemed_accepted is not None) == installed


def test_scheduled_and_listening():
    from tongban.approvals import hooks
    from tongban.core import schedule
    from tongban.notify import events

    job = next(j for j in schedule.jobs() if j.job_id == "supervision.sweep")
    assert job.seconds == 300
    assert "supervision.watch" in hooks._LISTENERS
    assert events.get("supervision.light").default_channels == frozenset({"inapp", "sms"})


def test_sweep_task_runs(w):
    from tongban.supervision import tasks

    _accepted_case(w)
    with moved_to(date(2026, 11, 10)):
        out = tasks.sweep_task.call()
    assert out["changed"] == 1
