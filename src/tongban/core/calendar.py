"""The working-day calendar: the ONE function family every statutory deadline uses.

Working days are weekdays, minus statutory holidays, plus adjusted working days (调休), from
``chinesecalendar`` (data for 2004–2026), corrected by the administrators' overrides
(:class:`tongban.core.models.CalendarOverride`). A year chinesecalendar does not know falls back
to weekends + overrides, and a warning asks administrators to enter that year's schedule.

Counting (rules.md, top; 行政许可法 第八十二条): the day an event happens is not counted; day 1 is
the next working day; an event on a non-working day starts counting from the next working day.

Speed: the calendar is precomputed for 2000–2100 as a sorted list of working days and a cumulative
count per day, so :func:`add_workdays` and :func:`workdays_between` are two list look-ups. The
in-process copy is keyed by a version stamp (:class:`tongban.core.models.CalendarStamp`) that
every override change bumps; each process re-reads the stamp at most every
``TONGBAN_CALENDAR_RECHECK_SECONDS`` (5 s), so the web server, the worker and the scheduler all
pick up an administrator's change within seconds (this process: immediately)."""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError

logger = logging.getLogger("tongban.calendar")

FIRST_YEAR = 2000
LAST_YEAR = 2100
_BASE = date(FIRST_YEAR, 1, 1).toordinal()
_END = date(LAST_YEAR, 12, 31).toordinal()
_LAST_K = _END - _BASE

# chinesecalendar's own data: statutory holidays (weekends inside a holiday period included) and
# adjusted working days, each mapped to the holiday's name.
_CC_HOLIDAYS: dict[date, str] = dict(chinese_calendar.holidays)
_CC_WORKDAYS: dict[date, str] = dict(chinese_calendar.workdays)
CC_YEARS: frozenset[int] = frozenset(d.year for d in _CC_HOLIDAYS)

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利纪念日",
}


class CalendarFallbackWarning(UserWarning):
    """A date fell in a year whose holiday schedule is unknown: weekends + overrides were used."""


@dataclass(frozen=True)
class _Table:
    version: int
    flags: bytes  # 1 = working day, per day from _BASE
    cum: list[int]  # cum[k] = working days on or before day k
    work: list[date]  # every working day, ascending
    unknown: bytes  # 1 = the day's year has no schedule (neither chinesecalendar nor overrides)
    work_unknown: bytes  # the same, per entry of ``work``
    override_years: frozenset[int]
    overrides: dict[date, tuple[str, str]]  # date -> (kind, reason)


@dataclass(frozen=True)
class DayInfo:
    """One day as the calendar sees it. ``kind`` is one of ``workday``, ``weekend``, ``holiday``
    (statutory), ``adjusted_workday`` (调休上班), ``override_holiday``, ``override_workday``."""

    date: date
    workday: bool
    kind: str
    name: str


def _build(version: int, overrides: dict[date, tuple[str, str]]) -> _Table:
    span = _END - _BASE + 1
    flags = bytearray(span)
    unknown = bytearray(span)
    override_years = frozenset(d.year for d in overrides)
    cum: list[int] = [0] * span
    work: list[date] = []
    work_unknown = bytearray()
    count = 0
    day = date.fromordinal(_BASE)
    one = timedelta(days=1)
    for k in range(span):
        ov = overrides.get(day)
        if ov is not None:
            is_work = ov[0] == "workday"
        elif day in _CC_WORKDAYS:
            is_work = True
        elif day in _CC_HOLIDAYS:
            is_work = False
        else:
            is_work = day.weekday() < 5
        is_unknown = day.year not in CC_YEARS and day.year not in override_years
        if is_unknown:
            unknown[k] = 1
        if is_work:
            flags[k] = 1
            count += 1
            work.append(day)
            work_unknown.append(1 if is_unknown else 0)
        cum[k] = count
        day += one
    return _Table(
        version, bytes(flags), cum, work, bytes(unknown), bytes(work_unknown), override_years, dict(overrides)
    )


class _Cache:
    def __init__(self) -> None:
        self.table: _Table | None = None
        self.valid_until = 0.0  # time.monotonic() until which ``table`` is used without a look at the stamp
        self.lock = threading.Lock()
        self.warned_years: set[int] = set()


_cache = _Cache()


def _read_stamp_and_overrides(known_version: int | None) -> tuple[int, dict[date, tuple[str, str]] | None]:
    """The current version and, when it differs from ``known_version``, the overrides."""
    from tongban.core.models import CalendarOverride, CalendarStamp

    try:
        with transaction.atomic():
            version = CalendarStamp.objects.filter(id=1).values_list("version", flat=True).first() or 0
            if version == known_version:
                return version, None
            rows = CalendarOverride.objects.values_list("date", "kind", "reason")
            return version, {d: (kind, reason) for d, kind, reason in rows}
    except DatabaseError:
        # Tables not migrated yet (e.g. a management command before `migrate`): chinesecalendar only.
        logger.warning("工作日历调整表不可用，暂按 chinesecalendar 数据计算")
        return -1, {}


def _table() -> _Table:
    table = _cache.table
    if table is not None and time.monotonic() < _cache.valid_until:
        return table
    return _refresh()


def _refresh() -> _Table:
    recheck = float(getattr(settings, "TONGBAN_CALENDAR_RECHECK_SECONDS", 5.0))
    with _cache.lock:
        table = _cache.table
        known = table.version if table is not None else None
        version, overrides = _read_stamp_and_overrides(known)
        if table is None or overrides is not None:
            table = _build(version, overrides or {})
            _cache.table = table
            _cache.warned_years.clear()
        _cache.valid_until = time.monotonic() + recheck
    return table


def invalidate() -> None:
    """Forget the in-process copy (the override services call this; tests too)."""
    with _cache.lock:
        _cache.table = None
        _cache.valid_until = 0.0


def _offset(d: date) -> int:
    k = d.toordinal() - _BASE
    if not 0 <= k <= _END - _BASE:
        raise TongbanError(
            "calendar.out_of_range",
            _("日期 %(date)s 超出工作日历范围（%(first)d–%(last)d 年）。")
            % {"date": d.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return k


def _warn_unknown(year: int) -> None:
    if year not in _cache.warned_years:
        _cache.warned_years.add(year)
        logger.warning("%s 年的节假日安排未知，按周末加调整计算；请录入 %s 年节假日安排", year, year)
    warnings.warn(
        _("%(year)d 年的节假日安排未知，按周末加调整计算；请录入 %(year)d 年节假日安排") % {"year": year},
        CalendarFallbackWarning,
        stacklevel=3,
    )


def is_workday(d: date) -> bool:
    """Whether ``d`` is a working day."""
    t = _table()
    k = _offset(d)
    if t.unknown[k]:
        _warn_unknown(d.year)
    return t.flags[k] == 1


def add_workdays(d: date, n: int) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself is not counted; day 1 is the next working
    day, also when ``d`` is a non-working day). ``n`` = 0 returns ``d``; ``n`` < 0 counts back:
    -1 is the last working day before ``d``."""
    # The hot path of every deadline: kept to a few list look-ups (bench/bench_calendar.py).
    t = _cache.table
    if t is None or time.monotonic() >= _cache.valid_until:
        t = _refresh()
    k = d.toordinal() - _BASE
    if k < 0 or k > _LAST_K:
        _offset(d)  # raises the clear error
    if n > 0:
        i = t.cum[k] + n - 1
    elif n < 0:
        i = t.cum[k] - t.flags[k] + n
    else:
        return d
    if i < 0 or i >= len(t.work):
        raise TongbanError(
            "calendar.out_of_range",
            _("结果超出工作日历范围（%(first)d–%(last)d 年）。") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    if t.unknown[k] or t.work_unknown[i]:
        _warn_unknown(d.year if t.unknown[k] else t.work[i].year)
    return t.work[i]


def workdays_between(a: date, b: date) -> int:
    """Working days in (a, b]: ``a`` not counted, ``b`` counted. Negative when ``b`` < ``a``."""
    t = _table()
    ka, kb = _offset(a), _offset(b)
    if t.unknown[ka] or t.unknown[kb]:
        _warn_unknown(a.year if t.unknown[ka] else b.year)
    return t.cum[kb] - t.cum[ka]


def year_is_known(year: int) -> bool:
    """True when chinesecalendar has the year's holiday schedule or administrators entered overrides for it."""
    return year in CC_YEARS or year in _table().override_years


def years_missing_schedule(today: date | None = None) -> list[int]:
    """This year and next year, where their schedule is missing (administrators are asked to enter it)."""
    today = today or timezone.localdate()
    return [y for y in (today.year, today.year + 1) if not year_is_known(y)]


def year_days(year: int) -> list[DayInfo]:
    """Every day of ``year`` with its kind and the holiday's name (for the year view and the API)."""
    t = _table()
    start = date(year, 1, 1)
    _offset(start)
    out: list[DayInfo] = []
    d = start
    while d.year == year:
        ov = t.overrides.get(d)
        if ov is not None:
            kind = "override_workday" if ov[0] == "workday" else "override_holiday"
            name = ov[1]
        elif d in _CC_WORKDAYS:
            kind, name = "adjusted_workday", HOLIDAY_NAMES.get(_CC_WORKDAYS[d], _CC_WORKDAYS[d])
        elif d in _CC_HOLIDAYS:
            kind, name = "holiday", HOLIDAY_NAMES.get(_CC_HOLIDAYS[d], _CC_HOLIDAYS[d])
        elif d.weekday() >= 5:
            kind, name = "weekend", ""
        else:
            kind, name = "workday", ""
        out.append(DayInfo(d, t.flags[d.toordinal() - _BASE] == 1, kind, name))
        d += timedelta(days=1)
    return out


def overrides_in(years: Iterable[int]) -> dict[date, tuple[str, str]]:
    """The administrators' overrides falling in ``years`` (date -> (kind, reason))."""
    wanted = set(years)
    return {d: v for d, v in _table().overrides.items() if d.year in wanted}
