"""The figures an assessment formula may use, the periods of a scheme, and the period sums.

*Metrics* are the numeric fields of :class:`~tongban.stats.models.UnitDay` by their field names
(summed over the period) plus three derived ones: ``workdays`` (working days of the period up to
today, from :mod:`tongban.core.calendar`), ``staff`` (the average of ``UnitDay.staff`` over the
period's working days) and ``active_user_days`` (the sum of ``UnitDay.active_users``).

*Periods* have keys ``2026-11`` (month), ``2026-Q4`` (quarter) and ``2026`` (year).

:func:`period_values` reads the unit figures in one query whatever the number of units; the
drill-down (:func:`office_values`, :func:`person_values`) reads the same figures from
:class:`~tongban.stats.models.UserDay` grouped by office or person."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import calendar
from tongban.core.errors import TongbanError
from tongban.stats.models import PeriodKind, UnitDay, UserDay

# Fields of UsageCounts (both UserDay and UnitDay have them).
PERSON_FIELDS: tuple[str, ...] = (
    "logins",
    "docs_drafted",
    "docs_handled",
    "docs_read",
    "tasks_done",
    "handle_minutes",
    "tasks_overdue",
    "notices_received",
    "notices_read",
    "meetings_invited",
    "meetings_attended",
)
# Unit-only summed fields.
UNIT_FIELDS: tuple[str, ...] = (
    "active_users",
    "cases_closed",
    "cases_on_time",
    "letters_answered",
    "letters_on_time",
    "docs_sent",
    "copies_sent",
    "pages_sent",
)
SUMMED: tuple[str, ...] = PERSON_FIELDS + UNIT_FIELDS
DERIVED: tuple[str, ...] = ("workdays", "staff", "active_user_days")

METRICS: dict[str, Any] = {
    "logins": _("登录次数"),
    "docs_drafted": _("起草公文数"),
    "docs_handled": _("办理公文数"),
    "docs_read": _("阅读公文数"),
    "tasks_done": _("办结待办数"),
    "handle_minutes": _("办理用时（分钟）"),
    "tasks_overdue": _("超期待办数"),
    "notices_received": _("收到通知数"),
    "notices_read": _("阅读通知数"),
    "meetings_invited": _("应参会人次"),
    "meetings_attended": _("实参会人次"),
    "active_users": _("活跃人数（日累计）"),
    "cases_closed": _("办结审批件数"),
    "cases_on_time": _("按时办结审批件数"),
    "letters_answered": _("答复信件数"),
    "letters_on_time": _("按时答复信件数"),
    "docs_sent": _("电子发文数"),
    "copies_sent": _("电子分发份数"),
    "pages_sent": _("电子分发页数"),
    "workdays": _("工作日数"),
    "staff": _("在岗人数"),
    "active_user_days": _("活跃人日"),
}

METRIC_HELP: dict[str, Any] = {
    "workdays": _("周期内截至今天的工作日数（按工作日历）"),
    "staff": _("周期内各工作日在岗人数的平均值"),
    "active_user_days": _("周期内每天活跃人数之和"),
}

# Figures that exist per office / per person (the drill-down): the rest are unit-level only.
PERSON_METRICS: frozenset[str] = frozenset(PERSON_FIELDS + DERIVED)


def label(name: str) -> str:
    return str(METRICS.get(name, name))


def catalogue() -> list[dict[str, str]]:
    """The metric names with their labels (and a note for the derived ones), for pages and the API."""
    return [{"name": k, "label": str(v), "help": str(METRIC_HELP.get(k, ""))} for k, v in METRICS.items()]


# --- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return str(_("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month})
        if self.kind == PeriodKind.QUARTER:
            q = (self.start.month - 1) // 3 + 1
            return str(_("%(y)d年第%(q)d季度") % {"y": self.start.year, "q": q})
        return str(_("%(y)d年度") % {"y": self.start.year})

    @property
    def year(self) -> int:
        return self.start.year

    def __str__(self) -> str:
        return self.key


def _month_end(y: int, m: int) -> date:
    return (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)) - timedelta(days=1)


def make_period(kind: str, year: int, index: int = 1) -> Period:
    """``index`` is the month (1–12) or the quarter (1–4); ignored for a year."""
    if kind == PeriodKind.MONTH:
        return Period(kind, f"{year:04d}-{index:02d}", date(year, index, 1), _month_end(year, index))
    if kind == PeriodKind.QUARTER:
        m = (index - 1) * 3 + 1
        return Period(kind, f"{year:04d}-Q{index}", date(year, m, 1), _month_end(year, m + 2))
    return Period(PeriodKind.YEAR, f"{year:04d}", date(year, 1, 1), date(year, 12, 31))


_KEY = {
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
}


def parse_period(kind: str, key: str) -> Period:
    """The period of ``kind`` with ``key``; a clear error when the key does not fit the kind."""
    pattern = _KEY.get(PeriodKind(kind)) if kind in PeriodKind.values else None
    m = pattern.match(key or "") if pattern else None
    if m is None:
        examples = {"month": "2026-11", "quarter": "2026-Q4", "year": "2026"}
        raise TongbanError(
            "stats.bad_period",
            _("考核周期“%(key)s”格式不正确，应类似 %(ex)s")
            % {"key": key, "ex": examples.get(kind, "2026-11")},
        )
    year = int(m.group(1))
    index = int(m.group(2)) if kind != PeriodKind.YEAR else 1
    if not 2000 <= year <= 2099 or (kind == PeriodKind.MONTH and not 1 <= index <= 12):
        raise TongbanError("stats.bad_period", _("考核周期“%(key)s”超出范围") % {"key": key})
    return make_period(kind, year, index)


def period_for(kind: str, day: date) -> Period:
    if kind == PeriodKind.MONTH:
        return make_period(kind, day.year, day.month)
    if kind == PeriodKind.QUARTER:
        return make_period(kind, day.year, (day.month - 1) // 3 + 1)
    return make_period(PeriodKind.YEAR, day.year)


def previous(period: Period, n: int = 1) -> list[Period]:
    """The ``n`` periods before ``period``, oldest first."""
    out: list[Period] = []
    p = period
    for _i in range(n):
        p = period_for(p.kind, p.start - timedelta(days=1))
        out.append(p)
    return list(reversed(out))


def periods_of_year(kind: str, year: int, *, until: date | None = None) -> list[Period]:
    """The periods of ``year`` that have started by ``until`` (all of them when None)."""
    count = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}.get(PeriodKind(kind), 1)
    periods = [make_period(kind, year, i) for i in range(1, count + 1)]
    return [p for p in periods if until is None or p.start <= until]


def today() -> date:
    return timezone.localdate()


def workdays(start: date, end: date, *, until: date | None = None) -> int:
    """Working days in [start, end], counted up to ``until`` (today) for a running period."""
    last = min(end, until or today())
    if last < start:
        return 0
    return calendar.workdays_between(start - timedelta(days=1), last)


def _workday_list(start: date, end: date, until: date | None) -> list[date]:
    last = min(end, until or today())
    out: list[date] = []
    d = start
    while d <= last:
        if calendar.is_workday(d):
            out.append(d)
        d += timedelta(days=1)
    return out


def _zero() -> dict[str, float]:
    return dict.fromkeys(METRICS, 0.0)


def period_values(
    unit_ids: Iterable[int], start: date, end: date, *, until: date | None = None
) -> dict[int, dict[str, float]]:
    """{unit id: {metric: value}} for the period, in one query (units without rows get zeros)."""
    ids = list(unit_ids)
    wd = _workday_list(start, end, until)
    n_wd = len(wd)
    out = {uid: _zero() | {"workdays": float(n_wd)} for uid in ids}
    if not ids:
        return out
    on_wd = Q(day__in=wd) if wd else Q(pk__in=[])
    rows = (
        UnitDay.objects.filter(unit_id__in=ids, day__gte=start, day__lte=end)
        .values("unit_id")
        .annotate(
            **{f"s_{f}": Sum(f) for f in SUMMED},
            staff_wd=Sum("staff", filter=on_wd),
            rows_wd=Count("id", filter=on_wd),
            staff_all=Sum("staff"),
            rows_all=Count("id"),
        )
        .order_by()
    )
    for row in rows:
        r: dict[str, Any] = dict(row)
        vals = out[r["unit_id"]]
        for f in SUMMED:
            vals[f] = float(r[f"s_{f}"] or 0)
        vals["active_user_days"] = vals["active_users"]
        if r["rows_wd"]:
            vals["staff"] = round((r["staff_wd"] or 0) / r["rows_wd"], 2)
        elif r["rows_all"]:
            vals["staff"] = round((r["staff_all"] or 0) / r["rows_all"], 2)
    return out


def _people_rows(
    key: str, filters: Q, start: date, end: date, until: date | None
) -> tuple[list[dict[str, Any]], int]:
    rows = list(
        UserDay.objects.filter(filters, day__gte=start, day__lte=end)
        .values(key)
        .annotate(
            **{f"s_{f}": Sum(f) for f in PERSON_FIELDS},
            active_days=Count("id", filter=Q(active=True)),
            people=Count("user_id", distinct=True),
        )
        .order_by(key)
    )
    return rows, workdays(start, end, until=until)


def _figures(r: dict[str, Any], n_wd: int, staff: float) -> dict[str, float]:
    vals = {f: float(r[f"s_{f}"] or 0) for f in PERSON_FIELDS}
    vals.update(workdays=float(n_wd), staff=staff, active_user_days=float(r["active_days"]))
    return vals


def office_values(
    unit_id: int, start: date, end: date, *, until: date | None = None
) -> dict[int | None, dict[str, float]]:
    """{office id (None: no office): figures} of the unit's people over the period (``staff`` is
    the number of people of the office with any figure in the period). Two queries."""
    rows, n_wd = _people_rows("office_id", Q(unit_id=unit_id), start, end, until)
    return {r["office_id"]: _figures(r, n_wd, float(r["people"])) for r in rows}


def person_values(
    unit_id: int, start: date, end: date, *, office_id: int | None = None, until: date | None = None
) -> dict[int, dict[str, float]]:
    """{user id: figures} of the unit's people over the period (``staff`` = 1)."""
    flt = Q(unit_id=unit_id) & (Q(office_id=office_id) if office_id else Q())
    rows, n_wd = _people_rows("user_id", flt, start, end, until)
    return {r["user_id"]: _figures(r, n_wd, 1.0) for r in rows}
