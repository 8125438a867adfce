"""A small county for the assessment tests (imported by the other test_assess_* modules), with
hand-made roll-up rows for November 2026 and the known scheme whose scores the tests compute by
hand.

Scheme (monthly, 2026):
  active  = active_user_days / (staff * workdays)          weight 40, target 0.8, higher
  overdue = pct(tasks_overdue, tasks_done + tasks_overdue)  weight 30, target 10,  lower
  cases   = cases_on_time / cases_closed                   weight 30, target 1,   higher

November 2026 has 21 working days (2–6, 9–13, 16–20, 23–27, 30). Rows on Mon 2 and Tue 3 Nov, and
for 财政局 a Saturday row (7 Nov) whose staff (50) must not count in the average staff:

  unit   staff  active days  done/overdue  closed/on time   indicator scores        total  rank
  财政局   10      168         9/1           4/4             40 + 30 + 30            100.00  1
  审批局   20      168         0/0           10/7            20 + 30 (0 → full) + 21  71.00  2
  人社局    5       42         0/0           10/7            20 + 30 + 21             71.00  2 (tie)
  教育局   10       84         15/5          0/0             20 + 12 + 0 (÷0)         32.00  4
  水利局   —        —          —             —               0 (÷0) + 30 + 0 (÷0)     30.00  5
(财政局: 168 / (10 × 21) = 0.8 → 40; 教育局: 25 % overdue → 30 × 10 / 25 = 12.)
统计局 is not in the scheme."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tongban.identity.models import User
from tongban.orgs.models import County, LeaderDuty, Office, RoleGrant, Unit
from tongban.stats import metrics, scoring
from tongban.stats.models import (
    AssessmentScheme,
    Indicator,
    PeriodKind,
    SchemeStatus,
    UnitDay,
    UserDay,
)

PASSWORD = "Tongban@2026"
NOV = metrics.make_period(PeriodKind.MONTH, 2026, 11)
OCT = metrics.make_period(PeriodKind.MONTH, 2026, 10)
UNTIL = date(2026, 11, 30)

UNITS = [
    ("czj", "财政局"),
    ("spj", "审批局"),
    ("rsj", "人社局"),
    ("jyj", "教育局"),
    ("slj", "水利局"),
    ("tjj", "统计局"),
]
# username, full name, unit key, role ("" none), leader duty unit key
PEOPLE = [
    ("kaohe", "考核员", "tjj", "assessment_admin", ""),
    ("fuxian", "分管副县长", "tjj", "county_leader", "czj"),
    ("qita", "其他副县长", "tjj", "county_leader", ""),
    ("czleader", "财政局长", "czj", "unit_leader", ""),
    ("czhead", "财政办主任", "czj", "office_head", ""),
    ("jyleader", "教育局长", "jyj", "unit_leader", ""),
    ("czclerk", "财政文书", "czj", "", ""),
]
# unit key: [(day, staff, active, done, overdue, closed, on time)]
ROWS: dict[str, list[tuple[date, int, int, int, int, int, int]]] = {
    "czj": [
        (date(2026, 11, 2), 10, 100, 9, 1, 4, 4),
        (date(2026, 11, 3), 10, 68, 0, 0, 0, 0),
        (date(2026, 11, 7), 50, 0, 0, 0, 0, 0),
    ],
    "spj": [(date(2026, 11, 2), 20, 84, 0, 0, 10, 7), (date(2026, 11, 3), 20, 84, 0, 0, 0, 0)],
    "rsj": [(date(2026, 11, 2), 5, 21, 0, 0, 5, 3), (date(2026, 11, 3), 5, 21, 0, 0, 5, 4)],
    "jyj": [(date(2026, 11, 2), 10, 42, 10, 5, 0, 0), (date(2026, 11, 3), 10, 42, 5, 0, 0, 0)],
}
EXPECTED = {
    "czj": ("100.00", 1),
    "spj": ("71.00", 2),
    "rsj": ("71.00", 2),
    "jyj": ("32.00", 4),
    "slj": ("30.00", 5),
}


@dataclass
class World:
    county: County
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    offices: dict[str, Office] = field(default_factory=dict)
    scheme: Any = None


def build(*, rows: bool = True, scheme: bool = True) -> World:
    county = County.objects.create(name="测试县", code="990077")
    w = World(county)
    for i, (key, name) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=county, unit_code=key.upper(), name=name, short_name=name, kind="gov_dept", sort=i
        )
    w.offices["cz_office"] = Office.objects.create(county=county, unit=w.units["czj"], name="办公室", sort=1)
    w.offices["cz_budget"] = Office.objects.create(county=county, unit=w.units["czj"], name="预算股", sort=2)
    for username, full, unit_key, role, duty in PEOPLE:
        u = User.objects.create_user(username=username, password=PASSWORD, full_name=full)
        w.users[username] = u
        if role:
            RoleGrant.objects.create(county=county, user=u, unit=w.units[unit_key], role=role)
        if duty:
            LeaderDuty.objects.create(county=county, leader=u, unit=w.units[duty])
    if rows:
        for key, days in ROWS.items():
            for day, staff, active, done, overdue, closed, on_time in days:
                UnitDay.objects.create(
                    day=day,
                    unit=w.units[key],
                    staff=staff,
                    active_users=active,
                    tasks_done=done,
                    tasks_overdue=overdue,
                    cases_closed=closed,
                    cases_on_time=on_time,
                )
        # people of 财政局: the clerk in 办公室 (2 active days), the head in 预算股 (1 active day)
        for day in (date(2026, 11, 2), date(2026, 11, 3)):
            UserDay.objects.create(
                day=day,
                user=w.users["czclerk"],
                unit=w.units["czj"],
                office=w.offices["cz_office"],
                active=True,
                logins=2,
                docs_handled=3,
                tasks_done=4,
            )
        UserDay.objects.create(
            day=date(2026, 11, 2),
            user=w.users["czhead"],
            unit=w.units["czj"],
            office=w.offices["cz_budget"],
            active=True,
            logins=1,
            docs_handled=5,
            tasks_done=5,
            tasks_overdue=1,
        )
    if scheme:
        w.scheme = make_scheme(w)
    return w


def make_scheme(w: World, *, status: str = SchemeStatus.PUBLISHED) -> AssessmentScheme:
    s = AssessmentScheme.objects.create(
        name="2026年度测试考核", year=2026, period=PeriodKind.MONTH, status=status
    )
    s.units.set([w.units[k] for k in ("czj", "spj", "rsj", "jyj", "slj")])
    for i, (code, name, formula, weight, target, higher) in enumerate(
        [
            ("active", "登录活跃率", "active_user_days / (staff * workdays)", "40", "0.8", True),
            ("overdue", "待办超期率", "pct(tasks_overdue, tasks_done + tasks_overdue)", "30", "10", False),
            ("cases", "审批按时办结率", "cases_on_time / cases_closed", "30", "1", True),
        ],
        start=1,
    ):
        Indicator.objects.create(
            scheme=s,
            order=i,
            code=code,
            name=name,
            formula=formula,
            weight=Decimal(weight),
            target=Decimal(target),
            higher_is_better=higher,
        )
    return s


def computed(w: World) -> World:
    """November (and October, without data) computed as of 30 November."""
    scoring.recompute(w.scheme, OCT, until=UNTIL)
    scoring.recompute(w.scheme, NOV, until=UNTIL)
    return w


FIXTURES = """Each test module declares:

    @pytest.fixture
    def world(db: Any) -> World:
        return build()

    @pytest.fixture
    def scored(world: World) -> World:
        return computed(world)
"""


@pytest.mark.django_db
def test_world_builds() -> None:
    w = build()
    assert UnitDay.objects.count() == 9 and w.scheme.indicators.count() == 3
