"""Working-day calendar endpoints: the same functions every deadline uses (tongban.core.calendar)."""

from __future__ import annotations

import warnings
from datetime import date

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from tongban.api.common import errors
from tongban.core import calendar as workcal
from tongban.core.errors import TongbanError

router = Router(tags=["工作日历"])

MAX_DAYS = 3650


class DateOut(Schema):
    date: date
    warning: str | None = None


class WorkdaysOut(Schema):
    workdays: int
    warning: str | None = None


class DayOut(Schema):
    date: date
    workday: bool
    kind: str  # weekend | holiday | adjusted_workday | override_holiday | override_workday
    name: str


class YearOut(Schema):
    year: int
    known: bool
    days: list[DayOut]


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HttpError(400, f"{field}“{value}”格式不对，应为 YYYY-MM-DD，例如 2025-09-26。") from None


def _int(value: str, field: str) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        raise HttpError(400, f"{field}“{value}”应为整数。") from None
    if abs(n) > MAX_DAYS:
        raise HttpError(400, f"{field}不能超过 {MAX_DAYS} 个工作日。")
    return n


@router.get("/add", response={200: DateOut, **errors(400)}, summary="加 N 个工作日")
def add(
    request: object,
    date: str = Query(..., description="起始日期 YYYY-MM-DD（当日不计）"),
    days: str = Query(..., description="工作日数，可为负数"),
) -> dict[str, object]:
    """The ``days``-th working day after ``date`` (date itself not counted; day 1 is the next working day)."""
    d, n = _date(date, "日期"), _int(days, "天数")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", workcal.CalendarFallbackWarning)
        try:
            result = workcal.add_workdays(d, n)
        except TongbanError as exc:
            raise HttpError(400, str(exc.message)) from exc
    return {"date": result, "warning": str(caught[0].message) if caught else None}


@router.get("/between", response={200: WorkdaysOut, **errors(400)}, summary="两日之间的工作日数")
def between(
    request: object,
    start: str = Query(..., description="起日 YYYY-MM-DD（不计）"),
    end: str = Query(..., description="止日 YYYY-MM-DD（计入）"),
) -> dict[str, object]:
    """Working days in (start, end]; negative when end is before start."""
    a, b = _date(start, "起日"), _date(end, "止日")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", workcal.CalendarFallbackWarning)
        try:
            n = workcal.workdays_between(a, b)
        except TongbanError as exc:
            raise HttpError(400, str(exc.message)) from exc
    return {"workdays": n, "warning": str(caught[0].message) if caught else None}


@router.get("/year/{year}", response={200: YearOut, **errors(400)}, summary="一年的休息日与调休")
def year(request: object, year: int) -> dict[str, object]:
    """Every non-working day and every adjusted working day of ``year``; ``known`` is false when the
    year's holiday schedule is missing (weekends + overrides only)."""
    if not workcal.FIRST_YEAR <= year <= workcal.LAST_YEAR:
        raise HttpError(400, f"年份应在 {workcal.FIRST_YEAR}–{workcal.LAST_YEAR} 之间。")
    days = [
        {"date": d.date, "workday": d.workday, "kind": d.kind, "name": d.name}
        for d in workcal.year_days(year)
        if d.kind != "workday"
    ]
    return {"year": year, "known": workcal.year_is_known(year), "days": days}
