"""The scorecard of a known scheme, computed by hand (see test_assess_world's table): indicator
rules (higher / lower is better, division by zero), ties, ranks, trend, the period figures and
their helpers, atomic recomputation and the daily job."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tongban.core import calendar
from tongban.stats import metrics, scoring
from tongban.stats.models import PeriodKind, ScoreSnapshot, UnitDay
from tongban.stats.tests.test_assess_world import (
    EXPECTED,
    NOV,
    UNTIL,
    World,
    build,
    computed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return build()


@pytest.fixture
def scored(world: World) -> World:
    return computed(world)


def test_indicator_score_rules() -> None:
    s = scoring.indicator_score
    assert s(0.4, Decimal("0.8"), Decimal("40"), True) == Decimal("20.00")
    assert s(2, Decimal("1"), Decimal("30"), True) == Decimal("30.00")  # capped at the weight
    assert s(1, Decimal("3"), Decimal("10"), True) == Decimal("3.33")  # rounded half up
    assert s(5, Decimal("0"), Decimal("10"), True) == Decimal("10.00")  # no target: full marks
    assert s(-1, Decimal("1"), Decimal("10"), True) == Decimal("0.00")
    assert s(25, Decimal("10"), Decimal("30"), False) == Decimal("12.00")  # lower: target / value
    assert s(10, Decimal("10"), Decimal("30"), False) == Decimal("30.00")
    assert s(0, Decimal("0"), Decimal("30"), False) == Decimal("30.00")  # value 0: full marks
    assert s(3, Decimal("0"), Decimal("30"), False) == Decimal("0.00")


def test_competition_ranks() -> None:
    d = [Decimal(x) for x in ("71", "100", "71", "30", "32")]
    assert scoring.competition_ranks(d) == [2, 1, 2, 5, 4]


def test_periods() -> None:
    assert metrics.parse_period("month", "2026-11") == NOV
    assert (NOV.start, NOV.end, NOV.label) == (date(2026, 11, 1), date(2026, 11, 30), "2026年11月")
    q4 = metrics.parse_period("quarter", "2026-Q4")
    assert (q4.start, q4.end) == (date(2026, 10, 1), date(2026, 12, 31))
    y = metrics.parse_period("year", "2026")
    assert (y.start, y.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert [p.key for p in metrics.previous(metrics.parse_period("month", "2026-02"), 3)] == [
        "2025-11",
        "2025-12",
        "2026-01",
    ]
    assert [p.key for p in metrics.previous(q4, 2)] == ["2026-Q2", "2026-Q3"]
    assert metrics.period_for("quarter", date(2026, 5, 3)).key == "2026-Q2"
    assert len(metrics.periods_of_year("month", 2026, until=date(2026, 3, 1))) == 3
    for kind, key in (
        ("month", "2026-13"),
        ("month", "2026-Q1"),
        ("quarter", "2026-Q5"),
        ("year", "26"),
        ("x", "2026"),
    ):
        with pytest.raises(Exception, match="考核周期"):
            metrics.parse_period(kind, key)


def test_workdays_from_the_calendar() -> None:
    n = metrics.workdays(NOV.start, NOV.end, until=UNTIL)
    assert n == 21 == calendar.workdays_between(date(2026, 10, 31), date(2026, 11, 30))
    assert metrics.workdays(NOV.start, NOV.end, until=date(2026, 11, 3)) == 2  # a running period: up to today
    assert metrics.workdays(NOV.start, NOV.end, until=date(2026, 10, 3)) == 0


def test_period_values_one_query(world: World, django_assert_num_queries: Any) -> None:
    ids = [u.pk for u in world.units.values()]
    with django_assert_num_queries(1):
        vals = metrics.period_values(ids, NOV.start, NOV.end, until=UNTIL)
    cz = vals[world.units["czj"].pk]
    assert cz["staff"] == 10  # the Saturday row's 50 is not a working day
    assert cz["active_user_days"] == cz["active_users"] == 168 and cz["workdays"] == 21
    assert cz["tasks_done"] == 9 and cz["cases_on_time"] == 4
    assert vals[world.units["slj"].pk] == metrics._zero() | {"workdays": 21.0}


def test_known_scheme_scores_and_ranks(world: World) -> None:
    results = scoring.score_period(world.scheme, NOV, until=UNTIL)
    by_key = {k: r for k, u in world.units.items() for r in results if r.unit_id == u.pk}
    assert "tjj" not in by_key  # not in the scheme
    assert {k: (str(r.score), r.rank) for k, r in by_key.items()} == EXPECTED
    assert [r.rank for r in results] == [1, 2, 2, 4, 5]  # sorted best first
    cz = {i.code: i for i in by_key["czj"].indicators}
    assert (cz["active"].value, cz["active"].score) == (0.8, Decimal("40.00"))
    jy = {i.code: i for i in by_key["jyj"].indicators}
    assert jy["overdue"].value == 25 and jy["overdue"].score == Decimal("12.00")
    assert jy["cases"].score == Decimal("0.00") and "为零" in jy["cases"].notes[0]
    sp = {i.code: i for i in by_key["spj"].indicators}
    assert sp["overdue"].value == 0 and sp["overdue"].score == Decimal("30.00")  # 0/0 → 0 → lower: full
    assert sp["cases"].score == Decimal("21.00")


def test_recompute_stores_and_replaces(world: World) -> None:
    assert scoring.recompute(world.scheme, NOV, until=UNTIL) == 5
    snap = ScoreSnapshot.objects.get(scheme=world.scheme, period_key="2026-11", unit=world.units["czj"])
    assert (snap.score, snap.rank) == (Decimal("100.00"), 1)
    assert snap.values["indicators"]["active"]["score"] == 40.0 and snap.values["figures"]["staff"] == 10
    # late figures arrive: 教育局 closes its cases on time; recomputing replaces the rows
    UnitDay.objects.filter(unit=world.units["jyj"], day=date(2026, 11, 2)).update(
        cases_closed=2, cases_on_time=2
    )
    scoring.recompute(world.scheme, NOV, until=UNTIL)
    assert ScoreSnapshot.objects.filter(scheme=world.scheme, period_key="2026-11").count() == 5
    jy = ScoreSnapshot.objects.get(scheme=world.scheme, period_key="2026-11", unit=world.units["jyj"])
    assert (jy.score, jy.rank) == (Decimal("62.00"), 4)


def test_recompute_is_atomic(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    scoring.recompute(world.scheme, NOV, until=UNTIL)

    def boom(*a: Any, **k: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ScoreSnapshot.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        scoring.recompute(world.scheme, NOV, until=UNTIL)
    assert ScoreSnapshot.objects.filter(scheme=world.scheme, period_key="2026-11").count() == 5


def test_ranking_change_and_trend(scored: World) -> None:
    rows = scoring.ranking(scored.scheme, NOV)
    assert [(r.unit_name, str(r.score), r.rank) for r in rows][:3] == [
        ("财政局", "100.00", 1),
        ("审批局", "71.00", 2),
        ("人社局", "71.00", 2),
    ]
    # October had no figures: 30 points each (only 待办超期率 at 0 → full marks), all first
    cz = rows[0]
    assert cz.previous_score == Decimal("30.00") and cz.change == Decimal("70.00") and cz.rank_change == 0
    trend = scoring.trend(scored.scheme, scored.units["czj"].pk, NOV)
    assert [t["period"] for t in trend] == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    assert [t["score"] for t in trend][-2:] == [30.0, 100.0] and trend[0]["score"] is None
    only = scoring.ranking(scored.scheme, NOV, unit_ids={scored.units["jyj"].pk})
    assert [(r.unit_name, r.rank) for r in only] == [("教育局", 4)]


def test_daily_job_recomputes_current_and_previous(world: World) -> None:
    done = scoring.recompute_current(today=date(2026, 11, 30))
    assert done == [f"{world.scheme.pk}:2026-10", f"{world.scheme.pk}:2026-11"]
    assert ScoreSnapshot.objects.filter(scheme=world.scheme).count() == 10
    # a draft scheme is left alone; January's previous period is in another year
    world.scheme.status = "draft"
    world.scheme.save()
    assert scoring.recompute_current(today=date(2026, 11, 30)) == []


def test_job_registered() -> None:
    from tongban.core import schedule

    job = next(j for j in schedule.jobs() if j.job_id == "stats.scores")
    assert job.cron and job.task.enqueue


def test_office_and_person_figures(world: World) -> None:
    offices = metrics.office_values(world.units["czj"].pk, NOV.start, NOV.end, until=UNTIL)
    office = offices[world.offices["cz_office"].pk]
    assert office["active_user_days"] == 2 and office["docs_handled"] == 6 and office["staff"] == 1
    people = metrics.person_values(world.units["czj"].pk, NOV.start, NOV.end, until=UNTIL)
    assert (
        people[world.users["czhead"].pk]["tasks_overdue"] == 1
        and people[world.users["czhead"].pk]["workdays"] == 21
    )
    assert PeriodKind.MONTH == "month"


def test_demo_hook_is_idempotent(world: World) -> None:
    from tongban.core.demo import DemoContext
    from tongban.stats import demo_assess
    from tongban.stats.models import AssessmentScheme

    first = demo_assess.seed(DemoContext(usernames=[]))
    scheme = AssessmentScheme.objects.get(name=f"{metrics.today().year}年度全县电子政务应用考核")
    assert scheme.status == "published" and scheme.indicators.count() == 7 and "已发布" in first
    assert sum(i.weight for i in scheme.indicators.all()) == 100
    n = ScoreSnapshot.objects.filter(scheme=scheme).count()
    assert n == 6 * len(metrics.periods_of_year("month", scheme.year, until=metrics.today()))
    demo_assess.seed(DemoContext(usernames=[]))
    assert AssessmentScheme.objects.filter(name=scheme.name).count() == 1
    assert ScoreSnapshot.objects.filter(scheme=scheme).count() == n
