"""The effect report (效益报告), the county's headline figure: documents circulated electronically
instead of on paper, and the paper and cost that saved.

    纸张节约（页） = Σ pages_sent                      (pages × copies, per UnitDay)
    费用节约（元） = 页数 × (每页纸张 + 每页印刷) + 份数 × 每份传递

with the county's :class:`~tongban.stats.models.EffectCosts` (created with the defaults on first
use, set by the 考核管理员 on /stats/effect/costs/). Reads only ``UnitDay``: by month one query, by
unit two."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import audit
from tongban.core.errors import TongbanError
from tongban.orgs.models import County, Unit
from tongban.stats import access
from tongban.stats.dashboards import Period, cached
from tongban.stats.models import EffectCosts, UnitDay

SHEETS_PER_REAM = 500  # one 包 of A4 paper
FORMULA = gettext_lazy(
    "费用节约 = 页数 ×（每页纸张 %(paper)s 元 + 每页印刷 %(print)s 元）+ 份数 × 每份传递 %(delivery)s 元"
)
COST_FIELDS = ("paper_per_page", "print_per_page", "delivery_per_copy", "default_pages")
LIMITS = {
    "paper_per_page": Decimal("10"),
    "print_per_page": Decimal("10"),
    "delivery_per_copy": Decimal("1000"),
}


def costs_for(county: County) -> EffectCosts:
    """The county's unit costs (created with the defaults on first use)."""
    costs, _created = EffectCosts.objects.get_or_create(county=county)
    return costs


def formula_text(costs: EffectCosts) -> str:
    return str(FORMULA) % {
        "paper": f"{costs.paper_per_page.normalize():f}",
        "print": f"{costs.print_per_page.normalize():f}",
        "delivery": f"{costs.delivery_per_copy.normalize():f}",
    }


def cost_saved(costs: EffectCosts, pages: int, copies: int) -> Decimal:
    value = (
        Decimal(pages) * (costs.paper_per_page + costs.print_per_page)
        + Decimal(copies) * costs.delivery_per_copy
    )
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class EffectRow:
    key: str  # "2026-11" or the unit id
    label: str
    docs: int
    copies: int
    pages: int
    reams: float
    cost: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "cost": float(self.cost)}


@dataclass
class EffectReport:
    period: Period
    costs: EffectCosts
    formula: str
    total: EffectRow
    by_month: list[EffectRow] = field(default_factory=list)
    by_unit: list[EffectRow] = field(default_factory=list)


def _row(costs: EffectCosts, key: str, label: str, s: dict[str, Any]) -> EffectRow:
    pages = int(s.get("pages") or 0)
    copies = int(s.get("copies") or 0)
    return EffectRow(
        key=key,
        label=label,
        docs=int(s.get("docs") or 0),
        copies=copies,
        pages=pages,
        reams=round(pages / SHEETS_PER_REAM, 1),
        cost=cost_saved(costs, pages, copies),
    )


_AGGS = {"docs": Sum("docs_sent"), "copies": Sum("copies_sent"), "pages": Sum("pages_sent")}


def _sums(
    county: County, period: Period, unit_ids: set[int] | None
) -> tuple[list[tuple[date, dict[str, Any]]], list[tuple[int, str, dict[str, Any]]]]:
    """The sent documents, copies and pages per month and per unit (two queries + the units)."""
    qs = UnitDay.objects.filter(day__gte=period.start, day__lte=period.end, unit__county=county)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    months = [
        (r["month"], dict(r))
        for r in qs.annotate(month=TruncMonth("day")).values("month").annotate(**_AGGS).order_by("month")
    ]
    sums = {r["unit_id"]: dict(r) for r in qs.values("unit_id").annotate(**_AGGS)}
    units = Unit.objects.filter(county=county, pk__in=list(sums)).only("pk", "name", "short_name")
    return months, [(u.pk, u.display_name, sums[u.pk]) for u in units]


def report(county: County, period: Period, *, unit_ids: set[int] | None = None) -> EffectReport:
    """The report over ``period``: totals, by month, by unit (units with nothing sent last)."""
    costs = costs_for(county)
    ids = tuple(sorted(unit_ids)) if unit_ids is not None else None
    month_sums, unit_sums = cached(
        "effect",
        (county.pk, period.start, period.end, ids),
        lambda: _sums(county, period, unit_ids),
    )
    months = [
        _row(costs, f"{m:%Y-%m}", _("%(y)d年%(m)d月") % {"y": m.year, "m": m.month}, r) for m, r in month_sums
    ]
    by_unit = [_row(costs, str(pk), name, r) for pk, name, r in unit_sums]
    by_unit.sort(key=lambda r: (-r.pages, -r.docs, r.label))
    total = _row(
        costs,
        "total",
        _("合计"),
        {
            "docs": sum(r.docs for r in months),
            "copies": sum(r.copies for r in months),
            "pages": sum(r.pages for r in months),
        },
    )
    return EffectReport(
        period=period, costs=costs, formula=formula_text(costs), total=total, by_month=months, by_unit=by_unit
    )


HEADERS: tuple[Any, ...] = (
    gettext_lazy("电子发文（件）"),
    gettext_lazy("电子分发（份）"),
    gettext_lazy("节约纸张（页）"),
    gettext_lazy("约合（包，500页/包）"),
    gettext_lazy("节约费用（元）"),
)


def table(rows: list[EffectRow]) -> list[list[Any]]:
    return [[r.label, r.docs, r.copies, r.pages, r.reams, r.cost] for r in rows]


def _decimal(name: str, value: Any) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise TongbanError("stats.bad_cost", _("请填写数字。"), field=name) from exc
    if not d.is_finite() or d < 0 or d > LIMITS[name]:
        raise TongbanError(
            "stats.bad_cost",
            _("单价须在 0 到 %(max)s 元之间。") % {"max": LIMITS[name]},
            field=name,
        )
    places = 2 if name == "delivery_per_copy" else 4
    if d != d.quantize(Decimal(1).scaleb(-places)):
        raise TongbanError("stats.bad_cost", _("最多保留 %(n)d 位小数。") % {"n": places}, field=name)
    return d


def costs_update(
    *, actor: Any, county: County, data: dict[str, Any], request: HttpRequest | None = None
) -> EffectCosts:
    """Set the unit costs (考核管理员 only; validated; the old and new values audited)."""
    access.require_manage(actor)
    clean: dict[str, Any] = {}
    for name in ("paper_per_page", "print_per_page", "delivery_per_copy"):
        if name in data and data[name] is not None:
            clean[name] = _decimal(name, data[name])
    if data.get("default_pages") is not None:
        try:
            pages = int(data["default_pages"])
        except (TypeError, ValueError) as exc:
            raise TongbanError("stats.bad_pages", _("页数须为整数。"), field="default_pages") from exc
        if not 1 <= pages <= 500:
            raise TongbanError("stats.bad_pages", _("页数须在 1 到 500 之间。"), field="default_pages")
        clean["default_pages"] = pages
    with transaction.atomic():
        costs = costs_for(county)
        costs = EffectCosts.objects.select_for_update().get(pk=costs.pk)
        old = {k: str(getattr(costs, k)) for k in COST_FIELDS}
        for k, v in clean.items():
            setattr(costs, k, v)
        costs.updated_by = actor
        costs.save()
        audit.record(
            "stats.effect_costs_updated",
            actor=actor,
            request=request,
            obj=costs,
            old=old,
            new={k: str(getattr(costs, k)) for k in COST_FIELDS},
            message=_("修改效益测算单价"),
        )
    return costs


def default_period(today: date) -> Period:
    return Period(key="year", label=_("%(y)d年") % {"y": today.year}, start=date(today.year, 1, 1), end=today)
