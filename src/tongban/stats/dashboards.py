"""Selectors of the statistics dashboards: the county overview (KPI cards from the latest
:class:`~tongban.stats.models.Snapshot`), trends per day and the unit comparison for a period.

They read only the roll-up tables (``Snapshot``, ``UnitDay``) and the list of units, never the raw
events, and each costs a fixed number of queries whatever the number of units or days:

- :func:`trends`: one query (``UnitDay`` summed per day);
- :func:`unit_comparison`: two (the units, ``UnitDay`` summed per unit);
- :func:`overview`: the snapshot, the trend and the comparison — five.

The trend and the comparison are cached (:func:`cached`) under the roll-up's data version (the
newest ``UnitDay`` id: the roll-up replaces a day's rows when it recomputes it), so a repeated page
costs one cheap query instead of the sums, and new figures show as soon as they are computed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import calendar, clock
from tongban.core.errors import TongbanError
from tongban.orgs.models import Unit, UnitKind
from tongban.stats.models import Snapshot, UnitDay

CACHE_SECONDS = 300


def data_version() -> int:
    """The roll-up's data version: the newest UnitDay id (one index look-up)."""
    return int(UnitDay.objects.aggregate(m=Max("pk"))["m"] or 0)


def cached(kind: str, parts: tuple[Any, ...], compute: Any, *, version: int | None = None) -> Any:
    """``compute()`` cached under the data version and ``parts`` (at most CACHE_SECONDS)."""
    v = data_version() if version is None else version
    key = "stats:dash:" + kind + ":" + str(v) + ":" + ":".join(str(p) for p in parts)
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    cache.set(key, value, CACHE_SECONDS)
    return value


class BadPeriod(TongbanError):
    """A period, a number of days or a group the dashboards do not know (HTTP 422)."""

    status = 422


# --- unit kinds: the three groups the county compares its units in ------------------------------
GROUPS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("leading", gettext_lazy("县级领导机关"), (UnitKind.LEADING_BODY, UnitKind.CONGRESS_CPPCC_ORG)),
    (
        "dept",
        gettext_lazy("县直部门"),
        (
            UnitKind.PARTY_DEPT,
            UnitKind.GOV_DEPT,
            UnitKind.PUBLIC_INSTITUTION,
            UnitKind.VERTICAL_AGENCY,
            UnitKind.PEOPLE_ORG,
        ),
    ),
    ("township", gettext_lazy("乡镇"), (UnitKind.TOWNSHIP,)),
)
GROUP_OF_KIND: dict[str, str] = {str(k): key for key, _label, kinds in GROUPS for k in kinds}
GROUP_LABELS: dict[str, Any] = {key: label for key, label, _kinds in GROUPS}

TREND_DAYS = (30, 90, 365)
TREND_FIELDS = ("logins", "active_users", "docs_handled", "notices_read", "docs_sent")
TREND_LABELS: dict[str, Any] = {
    "logins": gettext_lazy("登录次数"),
    "active_users": gettext_lazy("活跃人数"),
    "docs_handled": gettext_lazy("办理公文"),
    "notices_read": gettext_lazy("阅读通知"),
    "docs_sent": gettext_lazy("电子发文"),
}

# The sums the comparison reads per unit (the staff is summed over working days only).
_SUMS = (
    "active_users",
    "logins",
    "docs_handled",
    "docs_drafted",
    "tasks_overdue",
    "cases_closed",
    "cases_on_time",
    "letters_answered",
    "letters_on_time",
    "meetings_invited",
    "meetings_attended",
    "notices_received",
    "notices_read",
    "docs_sent",
)

# --- figures of the latest snapshot ----------------------------------------------------------------
LIGHTS: tuple[tuple[str, Any, str], ...] = (
    ("green", gettext_lazy("绿灯"), "#198754"),
    ("yellow", gettext_lazy("黄牌"), "#ffc107"),
    ("red", gettext_lazy("红牌"), "#dc3545"),
)
_INT_FIGURES = (
    "active_users_today",
    "staff_total",
    "logins_today",
    "docs_in_motion",
    "docs_today",
    "cases_open",
    "meetings_today",
    "feedback_open",
)


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def normalise_figures(raw: Any) -> dict[str, Any]:
    """The snapshot's figures with every key present (an older snapshot may miss some, a broken one
    may hold junk): ints default to 0, lights to 0 each, letters to an empty list."""
    raw = raw if isinstance(raw, dict) else {}
    out: dict[str, Any] = {k: _int(raw.get(k)) for k in _INT_FIGURES}
    lights = raw.get("cases_by_light") if isinstance(raw.get("cases_by_light"), dict) else {}
    out["cases_by_light"] = {k: _int(lights.get(k)) for k, _l, _c in LIGHTS}
    letters = raw.get("letters_by_status") if isinstance(raw.get("letters_by_status"), list) else []
    out["letters_by_status"] = [
        {"code": str(x.get("code", "")), "label": str(x.get("label", "")), "count": _int(x.get("count"))}
        for x in letters
        if isinstance(x, dict)
    ]
    out["active_rate"] = pct(out["active_users_today"], out["staff_total"])
    return out


def latest_snapshot() -> Snapshot | None:
    return Snapshot.objects.order_by("-at", "-pk").first()


# --- arithmetic ---------------------------------------------------------------------------------------
def pct(num: int | float | Decimal, den: int | float | Decimal) -> float | None:
    """num/den in per cent with one decimal, ``None`` when there is nothing to divide by."""
    if not den:
        return None
    q = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(q)


def ratio(num: int | float | Decimal, den: int | float | Decimal, places: str = "0.01") -> float | None:
    if not den:
        return None
    return float((Decimal(num) / Decimal(den)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


# --- periods ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # inclusive, never after today

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def workdays(self) -> list[date]:
        out = []
        d = self.start
        while d <= self.end:
            if calendar.is_workday(d):
                out.append(d)
            d += timedelta(days=1)
        return out


PERIOD_CHOICES: tuple[tuple[str, Any], ...] = (
    ("month", gettext_lazy("本月")),
    ("last_month", gettext_lazy("上月")),
    ("quarter", gettext_lazy("本季度")),
    ("year", gettext_lazy("本年")),
    ("last30", gettext_lazy("最近30天")),
)


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(key: str, today: date | None = None) -> Period:
    """``month`` (default), ``last_month``, ``quarter``, ``year``, ``last30``, ``YYYY-MM`` or
    ``YYYY``. The end is capped at today; a period entirely in the future is refused."""
    today = today or clock.today()
    key = (key or "month").strip()
    if key == "month":
        start, end, label = (
            today.replace(day=1),
            today,
            _("%(y)d年%(m)d月") % {"y": today.year, "m": today.month},
        )
    elif key == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        start, label = end.replace(day=1), _("%(y)d年%(m)d月") % {"y": end.year, "m": end.month}
    elif key == "quarter":
        q = (today.month - 1) // 3
        start, end = date(today.year, q * 3 + 1, 1), today
        label = _("%(y)d年第%(q)d季度") % {"y": today.year, "q": q + 1}
    elif key == "year":
        start, end, label = date(today.year, 1, 1), today, _("%(y)d年") % {"y": today.year}
    elif key == "last30":
        start, end, label = today - timedelta(days=29), today, _("最近30天")
    else:
        try:
            if len(key) == 7 and key[4] == "-":
                y, m = int(key[:4]), int(key[5:])
                start = date(y, m, 1)
                end = _month_end(start)
                label = _("%(y)d年%(m)d月") % {"y": y, "m": m}
            elif len(key) == 4:
                y = int(key)
                start, end, label = date(y, 1, 1), date(y, 12, 31), _("%(y)d年") % {"y": y}
            else:
                raise ValueError(key)
        except ValueError as exc:
            raise BadPeriod(
                "stats.bad_period",
                _("统计周期格式不正确：请选择本月、上月、本季度、本年，或填写 2026-11、2026。"),
            ) from exc
        if start.year < 2000 or start > today:
            raise BadPeriod("stats.future_period", _("统计周期不能晚于今天。"))
        end = min(end, today)
    return Period(key=key, label=str(label), start=start, end=end)


def parse_days(value: Any) -> int:
    try:
        days = int(value or 30)
    except (TypeError, ValueError):
        days = 0
    if days not in TREND_DAYS:
        raise BadPeriod("stats.bad_days", _("趋势天数只能是 30、90 或 365。"))
    return days


def parse_group(value: str) -> str:
    value = (value or "").strip()
    if value and value not in GROUP_LABELS:
        raise BadPeriod("stats.bad_group", _("单位类别不正确。"))
    return value


# --- trends ---------------------------------------------------------------------------------------------
def trends(
    days: int = 30, *, unit_ids: set[int] | None = None, today: date | None = None, version: int | None = None
) -> list[dict[str, Any]]:
    """:func:`trends_uncached`, cached under the data version."""
    today = today or clock.today()
    ids = tuple(sorted(unit_ids)) if unit_ids is not None else None
    return list(
        cached(
            "trends",
            (days, today, ids),
            lambda: trends_uncached(days, unit_ids=unit_ids, today=today),
            version=version,
        )
    )


def trends_uncached(
    days: int = 30, *, unit_ids: set[int] | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """One row per day of the last ``days`` days (today included), each field summed over the
    units (all units when ``unit_ids`` is None); days without rows are zeros. One query."""
    today = today or clock.today()
    start = today - timedelta(days=days - 1)
    qs = UnitDay.objects.filter(day__gte=start, day__lte=today)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows: dict[date, dict[str, Any]] = {
        r["day"]: dict(r) for r in qs.values("day").annotate(**{f: Sum(f) for f in TREND_FIELDS})
    }
    out = []
    for i in range(days):
        d = start + timedelta(days=i)
        r: dict[str, Any] = rows.get(d, {})
        out.append({"day": d, **{f: int(r.get(f) or 0) for f in TREND_FIELDS}})
    return out


def trend_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {f: sum(r[f] for r in rows) for f in TREND_FIELDS}


# --- unit comparison ---------------------------------------------------------------------------------------
@dataclass
class UnitRow:
    unit_id: int
    name: str
    kind: str
    group: str
    group_label: str
    staff: float  # average staff over the period's working days
    active_user_days: int
    active_rate: float | None  # active_user_days / (staff × workdays), %
    logins: int
    docs_handled: int
    docs_per_person: float | None
    tasks_overdue: int
    cases_closed: int
    cases_on_time_pct: float | None
    letters_answered: int
    letters_on_time_pct: float | None
    meetings_invited: int
    meeting_attendance_pct: float | None
    notices_read_pct: float | None
    docs_sent: int
    rank: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Comparison:
    period: Period
    workdays: int
    group: str
    rows: list[UnitRow] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)  # the group subtotals

    def top(self, n: int = 5) -> list[UnitRow]:
        ranked = [r for r in self.rows if r.active_rate is not None]
        return ranked[:n]

    def bottom(self, n: int = 5) -> list[UnitRow]:
        ranked = [r for r in self.rows if r.active_rate is not None]
        return list(reversed(ranked[-n:])) if len(ranked) > n else list(reversed(ranked))


def _row(unit: Unit, s: dict[str, Any], workdays: int) -> UnitRow:
    staff_days = int(s.get("staff_wd") or 0)
    staff = round(staff_days / workdays, 1) if workdays else 0.0
    g = GROUP_OF_KIND.get(unit.kind, "dept")
    return UnitRow(
        unit_id=unit.pk,
        name=unit.display_name,
        kind=unit.kind,
        group=g,
        group_label=str(GROUP_LABELS[g]),
        staff=staff,
        active_user_days=int(s.get("active_users") or 0),
        active_rate=pct(int(s.get("active_users") or 0), staff_days),
        logins=int(s.get("logins") or 0),
        docs_handled=int(s.get("docs_handled") or 0),
        docs_per_person=ratio(int(s.get("docs_handled") or 0) * workdays, staff_days) if staff_days else None,
        tasks_overdue=int(s.get("tasks_overdue") or 0),
        cases_closed=int(s.get("cases_closed") or 0),
        cases_on_time_pct=pct(int(s.get("cases_on_time") or 0), int(s.get("cases_closed") or 0)),
        letters_answered=int(s.get("letters_answered") or 0),
        letters_on_time_pct=pct(int(s.get("letters_on_time") or 0), int(s.get("letters_answered") or 0)),
        meetings_invited=int(s.get("meetings_invited") or 0),
        meeting_attendance_pct=pct(int(s.get("meetings_attended") or 0), int(s.get("meetings_invited") or 0)),
        notices_read_pct=pct(int(s.get("notices_read") or 0), int(s.get("notices_received") or 0)),
        docs_sent=int(s.get("docs_sent") or 0),
    )


def _sort_key(r: UnitRow) -> tuple[int, float, float, str]:
    return (r.active_rate is None, -(r.active_rate or 0), -(r.docs_per_person or 0), r.name)


def unit_comparison(
    period: Period, *, unit_ids: set[int] | None = None, group: str = "", version: int | None = None
) -> Comparison:
    """:func:`unit_comparison_uncached`, cached under the data version."""
    ids = tuple(sorted(unit_ids)) if unit_ids is not None else None
    result: Comparison = cached(
        "units",
        (period.start, period.end, period.key, group, ids),
        lambda: unit_comparison_uncached(period, unit_ids=unit_ids, group=group),
        version=version,
    )
    return result


def unit_comparison_uncached(
    period: Period, *, unit_ids: set[int] | None = None, group: str = ""
) -> Comparison:
    """Each active unit's figures over ``period``, ranked by active rate (then documents handled
    per person); the subtotal of each unit group. Two queries, whatever the number of units."""
    wd = period.workdays()
    units_qs = Unit.objects.filter(is_active=True).only("pk", "name", "short_name", "kind", "sort")
    if unit_ids is not None:
        units_qs = units_qs.filter(pk__in=unit_ids)
    if group:
        units_qs = units_qs.filter(
            kind__in=[str(k) for key, _l, kinds in GROUPS if key == group for k in kinds]
        )
    units = list(units_qs.order_by("sort", "pk"))
    sums: dict[int, dict[str, Any]] = {}
    if units:
        qs = UnitDay.objects.filter(day__gte=period.start, day__lte=period.end)
        if unit_ids is not None or group:
            qs = qs.filter(unit_id__in=[u.pk for u in units])
        aggs: dict[str, Any] = {f: Sum(f) for f in _SUMS}
        aggs["staff_wd"] = Sum("staff", filter=Q(day__in=wd)) if wd else Sum("staff", filter=Q(pk__in=[]))
        sums = {r["unit_id"]: dict(r) for r in qs.values("unit_id").annotate(**aggs)}
    rows = [_row(u, sums.get(u.pk, {}), len(wd)) for u in units]
    rows.sort(key=_sort_key)
    for i, r in enumerate(rows, start=1):
        r.rank = i
    groups = []
    for key, label, _kinds in GROUPS:
        members = [r for r in rows if r.group == key]
        if not members:
            continue
        staff_days = sum(int(sums.get(r.unit_id, {}).get("staff_wd") or 0) for r in members)
        active = sum(r.active_user_days for r in members)
        groups.append(
            {
                "group": key,
                "label": str(label),
                "units": len(members),
                "staff": round(staff_days / len(wd), 1) if wd else 0.0,
                "active_rate": pct(active, staff_days),
                "docs_handled": sum(r.docs_handled for r in members),
                "tasks_overdue": sum(r.tasks_overdue for r in members),
            }
        )
    return Comparison(period=period, workdays=len(wd), group=group, rows=rows, groups=groups)


COMPARISON_HEADERS: tuple[Any, ...] = (
    gettext_lazy("排名"),
    gettext_lazy("单位"),
    gettext_lazy("类别"),
    gettext_lazy("在岗人数（工作日平均）"),
    gettext_lazy("活跃人天"),
    gettext_lazy("活跃率%"),
    gettext_lazy("人均办理公文"),
    gettext_lazy("超期待办"),
    gettext_lazy("审批按时办结率%"),
    gettext_lazy("信件按时答复率%"),
    gettext_lazy("会议出席率%"),
    gettext_lazy("电子发文"),
)


def comparison_table(c: Comparison) -> list[list[Any]]:
    return [
        [
            r.rank,
            r.name,
            r.group_label,
            r.staff,
            r.active_user_days,
            r.active_rate,
            r.docs_per_person,
            r.tasks_overdue,
            r.cases_on_time_pct,
            r.letters_on_time_pct,
            r.meeting_attendance_pct,
            r.docs_sent,
        ]
        for r in c.rows
    ]


# --- overview -------------------------------------------------------------------------------------------------
@dataclass
class Overview:
    scope: str  # "county" or "unit"
    unit_id: int | None
    unit_name: str
    snapshot_at: Any
    has_snapshot: bool
    figures: dict[str, Any]
    trend: list[dict[str, Any]]
    comparison: Comparison


def overview(*, unit: Unit | None = None, today: date | None = None) -> Overview:
    """The county's overview (``unit`` None) or one unit's version: KPI cards, the 30-day trend
    and the units ranked over the last 30 days (top and bottom five)."""
    today = today or clock.today()
    snap = latest_snapshot()
    figures = normalise_figures(snap.figures if snap else {})
    ids = {unit.pk} if unit is not None else None
    version = data_version()
    trend = trends(30, unit_ids=ids, today=today, version=version)
    comparison = unit_comparison(parse_period("last30", today), unit_ids=ids, version=version)
    if unit is not None:
        # A unit's own cards come from its roll-ups: today's active people over its staff.
        last = trend[-1]
        row = comparison.rows[0] if comparison.rows else None
        figures = {
            **figures,
            "active_users_today": last["active_users"],
            "logins_today": last["logins"],
            "staff_total": round(row.staff) if row else 0,
        }
        figures["active_rate"] = pct(figures["active_users_today"], figures["staff_total"])
    return Overview(
        scope="unit" if unit is not None else "county",
        unit_id=unit.pk if unit is not None else None,
        unit_name=unit.display_name if unit is not None else "",
        snapshot_at=snap.at if snap else None,
        has_snapshot=snap is not None,
        figures=figures,
        trend=trend,
        comparison=comparison,
    )


def chart_data(ov: Overview) -> dict[str, Any]:
    """What the overview's and the big screen's charts draw (JSON-ready)."""
    f = ov.figures
    top = ov.comparison.top(5)
    bottom = ov.comparison.bottom(5)
    return {
        "scope": ov.scope,
        "unit_id": ov.unit_id,
        "unit_name": ov.unit_name,
        "snapshot_at": ov.snapshot_at.isoformat() if ov.snapshot_at else None,
        "has_snapshot": ov.has_snapshot,
        "figures": f,
        "lights": [
            {"code": k, "label": str(label), "color": color, "count": f["cases_by_light"][k]}
            for k, label, color in LIGHTS
        ],
        "letters": f["letters_by_status"],
        "trend": {
            "days": [r["day"].isoformat() for r in ov.trend],
            "series": [
                {"code": k, "label": str(TREND_LABELS[k]), "data": [r[k] for r in ov.trend]}
                for k in ("logins", "active_users", "docs_handled", "notices_read")
            ],
        },
        "top": [{"unit_id": r.unit_id, "name": r.name, "active_rate": r.active_rate} for r in top],
        "bottom": [{"unit_id": r.unit_id, "name": r.name, "active_rate": r.active_rate} for r in bottom],
    }
