"""Test helpers of the dashboards' part (tests and the benchmark): a small county with one unit of
each group, people with the stats roles, and UnitDay / Snapshot rows with known numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from tongban.identity.models import User
from tongban.orgs.models import BusinessRole, County, Post, RoleGrant, Unit, UnitKind
from tongban.stats.models import Snapshot, UnitDay

PASSWORD = "Tb-dash-test-2026"  # noqa: S105 - test accounts only

UNITS = (
    ("zfb", "县人民政府办公室", "政府办", UnitKind.LEADING_BODY),
    ("czj", "县财政局", "财政局", UnitKind.GOV_DEPT),
    ("cgz", "城关镇人民政府", "城关镇", UnitKind.TOWNSHIP),
)
PEOPLE = (
    # username, unit, name, role
    ("kaohe", "zfb", "考核管理员", BusinessRole.ASSESSMENT_ADMIN),
    ("countyleader", "zfb", "副县长", BusinessRole.COUNTY_LEADER),
    ("unitleader", "czj", "财政局局长", BusinessRole.UNIT_LEADER),
    ("officehead", "cgz", "城关镇办公室主任", BusinessRole.OFFICE_HEAD),
    ("czclerk", "czj", "财政局文书", BusinessRole.CLERK),
    ("handler", "cgz", "审批人员", BusinessRole.CASE_HANDLER),
)

FIGURES: dict[str, Any] = {
    "active_users_today": 412,
    "staff_total": 1980,
    "logins_today": 655,
    "docs_in_motion": 318,
    "docs_today": 27,
    "cases_open": 96,
    "cases_by_light": {"green": 80, "yellow": 12, "red": 4},
    "letters_by_status": [
        {"code": "new", "label": "待分办", "count": 5},
        {"code": "handling", "label": "办理中", "count": 17},
        {"code": "answered", "label": "已答复", "count": 230},
    ],
    "meetings_today": 3,
    "feedback_open": 2,
}


@dataclass
class DashWorld:
    county: County
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> DashWorld:
    county = County.objects.create(name="青山县", code="990077")
    w = DashWorld(county=county)
    for i, (key, name, short, kind) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=county, unit_code=key.upper(), name=name, short_name=short, kind=kind, sort=i
        )
    for username, unit_key, name, role in PEOPLE:
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=name)
        Post.objects.create(county=county, user=user, unit=w.units[unit_key], title=name)
        RoleGrant.objects.create(county=county, user=user, unit=w.units[unit_key], role=role)
        w.users[username] = user
    return w


def unit_day(unit: Unit, day: date, **values: int) -> UnitDay:
    return UnitDay.objects.create(unit=unit, day=day, **values)


def snapshot(figures: dict[str, Any] | None = None, at: datetime | None = None) -> Snapshot:
    return Snapshot.objects.create(at=at or timezone.now(), figures=FIGURES if figures is None else figures)
