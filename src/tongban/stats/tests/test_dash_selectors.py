"""The dashboards' selectors against UnitDay rows with known numbers (expectations worked out by
hand in the comments), the effect figures, and the snapshot's missing keys."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.stats import dashboards as dash
from tongban.stats import effect as eff
from tongban.stats import testing_dash as t
from tongban.stats.models import EffectCosts

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


@pytest.fixture
def w() -> t.DashWorld:
    return t.build_world()


def march(w: t.DashWorld) -> None:
    """March 2026: 31 days, 22 working days (no holiday), 9 weekend days.
    财政局: staff 10 every day, 8 active on working days and 1 at weekends, 2 documents handled per
    working day; on 3 March 2 overdue tasks, 4 cases closed (3 on time), 2 letters (2 on time), 5
    meeting invitations (4 attended). 城关镇: staff 20, 10 active on working days, none at weekends.
    政府办: no rows. An April row of 财政局 must not count."""
    d = date(2026, 3, 1)
    while d.month == 3:
        wd = d.weekday() < 5
        t.unit_day(
            w.units["czj"], d, staff=10, active_users=8 if wd else 1, docs_handled=2 if wd else 0, logins=3
        )
        t.unit_day(w.units["cgz"], d, staff=20, active_users=10 if wd else 0)
        d += timedelta(days=1)
    from tongban.stats.models import UnitDay

    UnitDay.objects.filter(unit=w.units["czj"], day=date(2026, 3, 3)).update(
        tasks_overdue=2, cases_closed=4, cases_on_time=3, letters_answered=2, letters_on_time=2,
        meetings_invited=5, meetings_attended=4,
    )  # fmt: skip
    t.unit_day(w.units["czj"], date(2026, 4, 1), staff=10, active_users=100, docs_handled=100)


def test_unit_comparison_by_hand(w: t.DashWorld) -> None:
    march(w)
    c = dash.unit_comparison(dash.parse_period("2026-03", TODAY))
    assert c.workdays == 22
    rows = {r.name: r for r in c.rows}
    cz = rows["财政局"]
    # staff = 10 × 22 / 22; active_user_days = 8 × 22 + 1 × 9 = 185; 185 / 220 = 84.09 %
    assert cz.staff == 10.0 and cz.active_user_days == 185 and cz.active_rate == 84.1
    # 44 documents / 10 people; cases 3/4; letters 2/2; meetings 4/5
    assert cz.docs_per_person == 4.4 and cz.tasks_overdue == 2
    assert (cz.cases_on_time_pct, cz.letters_on_time_pct, cz.meeting_attendance_pct) == (75.0, 100.0, 80.0)
    cg = rows["城关镇"]
    # 10 × 22 = 220 active person-days over 20 × 22 = 440
    assert cg.staff == 20.0 and cg.active_rate == 50.0 and cg.docs_per_person == 0.0
    assert cg.cases_on_time_pct is None and cg.letters_on_time_pct is None
    zf = rows["政府办"]
    assert zf.staff == 0.0 and zf.active_rate is None and zf.docs_per_person is None
    assert [r.name for r in c.rows] == ["财政局", "城关镇", "政府办"] and [r.rank for r in c.rows] == [
        1,
        2,
        3,
    ]
    groups = {g["group"]: g for g in c.groups}
    assert groups["dept"]["active_rate"] == 84.1 and groups["township"]["active_rate"] == 50.0
    assert groups["leading"]["active_rate"] is None and groups["leading"]["units"] == 1
    assert c.top(1)[0].name == "财政局" and c.bottom(1)[0].name == "城关镇"
    # the township group alone
    only = dash.unit_comparison(dash.parse_period("2026-03", TODAY), group="township")
    assert [r.name for r in only.rows] == ["城关镇"] and only.rows[0].rank == 1


def test_trends_by_hand(w: t.DashWorld) -> None:
    march(w)
    rows = dash.trends(30, today=date(2026, 3, 31))
    assert len(rows) == 30 and rows[0]["day"] == date(2026, 3, 2) and rows[-1]["day"] == date(2026, 3, 31)
    by_day = {r["day"]: r for r in rows}
    assert by_day[date(2026, 3, 2)]["active_users"] == 18  # 8 + 10
    assert by_day[date(2026, 3, 7)]["active_users"] == 1  # Saturday: 1 + 0
    assert by_day[date(2026, 3, 2)]["docs_handled"] == 2 and by_day[date(2026, 3, 2)]["logins"] == 3
    totals = dash.trend_totals(rows)
    assert totals["logins"] == 90  # 3 a day × 30 days
    one = dash.trends(30, unit_ids={w.units["czj"].pk}, today=date(2026, 3, 31))
    assert {r["day"]: r for r in one}[date(2026, 3, 2)]["active_users"] == 8
    # days without rows are zeros, not holes
    later = dash.trends(30, today=date(2026, 5, 10))
    assert len(later) == 30 and sum(r["active_users"] for r in later) == 0


def test_periods() -> None:
    assert dash.parse_period("last_month", TODAY).start == date(2026, 10, 1)
    assert dash.parse_period("last_month", TODAY).end == date(2026, 10, 31)
    q = dash.parse_period("quarter", TODAY)
    assert q.start == date(2026, 10, 1) and q.end == TODAY
    assert dash.parse_period("2026", TODAY).end == TODAY  # capped at today
    for bad in ("2026-13", "abc", "2027-01", "1999"):
        with pytest.raises(dash.BadPeriod):
            dash.parse_period(bad, TODAY)
    with pytest.raises(dash.BadPeriod):
        dash.parse_days(7)


def test_snapshot_missing_keys_and_junk() -> None:
    f = dash.normalise_figures({"active_users_today": 5, "staff_total": 20, "cases_by_light": {"red": "x"}})
    assert f["active_users_today"] == 5 and f["active_rate"] == 25.0
    assert f["docs_in_motion"] == 0 and f["cases_by_light"] == {"green": 0, "yellow": 0, "red": 0}
    assert f["letters_by_status"] == [] and dash.normalise_figures(None)["staff_total"] == 0


def test_overview_county_and_unit(w: t.DashWorld) -> None:
    march(w)
    t.snapshot()
    ov = dash.overview(today=date(2026, 3, 31))
    assert ov.has_snapshot and ov.figures["active_users_today"] == 412 and ov.figures["active_rate"] == 20.8
    data = dash.chart_data(ov)
    assert [x["count"] for x in data["lights"]] == [80, 12, 4]
    assert data["top"][0]["name"] == "财政局" and len(data["trend"]["days"]) == 30
    mine = dash.overview(unit=w.units["czj"], today=date(2026, 3, 31))
    # the unit's own cards: 8 active today (a Tuesday) over staff 10
    assert mine.figures["active_users_today"] == 8 and mine.figures["staff_total"] == 10
    assert mine.figures["active_rate"] == 80.0


def test_effect_by_hand(w: t.DashWorld) -> None:
    t.unit_day(w.units["czj"], date(2026, 3, 2), docs_sent=2, copies_sent=30, pages_sent=150)
    t.unit_day(w.units["cgz"], date(2026, 4, 10), docs_sent=1, copies_sent=10, pages_sent=40)
    t.unit_day(w.units["cgz"], date(2025, 12, 31), docs_sent=9, copies_sent=99, pages_sent=999)  # other year
    rep = eff.report(w.county, dash.parse_period("2026", TODAY))
    # 190 pages × (0.05 + 0.10) + 40 copies × 2.00 = 28.50 + 80 = 108.50
    assert (rep.total.docs, rep.total.copies, rep.total.pages) == (3, 40, 190)
    assert rep.total.cost == Decimal("108.50")
    assert [(r.key, r.cost) for r in rep.by_month] == [
        ("2026-03", Decimal("82.50")),
        ("2026-04", Decimal("26.00")),
    ]
    assert [r.label for r in rep.by_unit] == ["财政局", "城关镇"]
    assert "0.05" in rep.formula and "2" in rep.formula
    eff.costs_update(
        actor=w.users["kaohe"],
        county=w.county,
        data={"paper_per_page": "0.1", "print_per_page": "0.2", "delivery_per_copy": "3", "default_pages": 4},
    )
    # 190 × 0.30 + 40 × 3 = 57 + 120
    assert eff.report(w.county, dash.parse_period("2026", TODAY)).total.cost == Decimal("177.00")


def test_costs_refused(w: t.DashWorld) -> None:
    eff.costs_for(w.county)
    before = list(EffectCosts.objects.values())
    with pytest.raises(PermissionDenied):
        eff.costs_update(actor=w.users["countyleader"], county=w.county, data={"paper_per_page": "9"})
    for bad in ({"paper_per_page": "-1"}, {"print_per_page": "abc"}, {"delivery_per_copy": "1.234"},
                {"paper_per_page": "11"}, {"default_pages": 0}):  # fmt: skip
        with pytest.raises(TongbanError):
            eff.costs_update(actor=w.users["kaohe"], county=w.county, data=bad)
    assert list(EffectCosts.objects.values()) == before
