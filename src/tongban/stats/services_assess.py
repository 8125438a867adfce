"""Write operations on assessment schemes (考核方案) and their indicators, by the 考核管理员 only.

A scheme is edited while it is a draft; publishing needs at least one indicator and weights that
total 100, and computes every period of the scheme's year that has started. A published scheme
can be retired (its scores stay readable). Every formula is validated against the metric
catalogue before anything is saved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, TongbanError
from tongban.orgs.models import Unit
from tongban.stats import formulas, scoring
from tongban.stats.access import require_manage
from tongban.stats.models import AssessmentScheme, Indicator, PeriodKind, SchemeStatus

WEIGHT_TOTAL = Decimal("100")


def get_scheme(scheme_id: int) -> AssessmentScheme:
    scheme = AssessmentScheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("stats.scheme_not_found", _("考核方案不存在"))
    return scheme


def get_indicator(scheme: AssessmentScheme, indicator_id: int) -> Indicator:
    ind = Indicator.objects.filter(scheme=scheme, pk=indicator_id).first()
    if ind is None:
        raise NotFound("stats.indicator_not_found", _("考核指标不存在"))
    return ind


def _require_draft(scheme: AssessmentScheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise TongbanError("stats.scheme_not_draft", _("只有草稿状态的考核方案可以修改"))


def _no_nul(data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            raise TongbanError("stats.bad_text", _("输入中含有不可见的控制字符"), field=key)


def _clean_scheme(data: dict[str, Any]) -> dict[str, Any]:
    _no_nul(data)
    name = str(data.get("name") or "").strip()
    if not name:
        raise TongbanError("stats.scheme_name", _("请填写方案名称"), field="name")
    if len(name) > 128:
        raise TongbanError("stats.scheme_name", _("方案名称最多 128 个字"), field="name")
    try:
        year = int(data.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2099:
        raise TongbanError("stats.scheme_year", _("年度应在 2000–2099 之间"), field="year")
    period = str(data.get("period") or PeriodKind.MONTH)
    if period not in PeriodKind.values:
        raise TongbanError("stats.scheme_period", _("考核周期应为月度、季度或年度"), field="period")
    return {
        "name": name,
        "year": year,
        "period": period,
        "description": str(data.get("description") or "").strip()[:5000],
    }


def _units(unit_ids: Iterable[int] | None) -> list[Unit]:
    if unit_ids is None:
        return list(Unit.objects.filter(is_active=True))
    ids = {int(i) for i in unit_ids}
    units = list(Unit.objects.filter(pk__in=ids))
    if len(units) != len(ids):
        raise TongbanError("stats.scheme_units", _("参评单位中有不存在的单位"), field="units")
    return units


@transaction.atomic
def scheme_create(
    *, actor: Any, data: dict[str, Any], unit_ids: Iterable[int] | None = None, request: Any = None
) -> AssessmentScheme:
    """A new draft scheme; its participating units are ``unit_ids`` (all active units when None)."""
    require_manage(actor)
    clean = _clean_scheme(data)
    units = _units(unit_ids)
    scheme = AssessmentScheme.objects.create(**clean, created_by=actor)
    scheme.units.set(units)
    audit.record("stats.scheme_created", actor=actor, request=request, obj=scheme, new=clean)
    return scheme


@transaction.atomic
def scheme_update(
    *,
    actor: Any,
    scheme: AssessmentScheme,
    data: dict[str, Any],
    unit_ids: Iterable[int] | None = None,
    request: Any = None,
) -> AssessmentScheme:
    require_manage(actor)
    _require_draft(scheme)
    clean = _clean_scheme({**_scheme_dict(scheme), **data})
    for k, v in clean.items():
        setattr(scheme, k, v)
    scheme.save()
    if unit_ids is not None:
        scheme.units.set(_units(unit_ids))
    return scheme


def _scheme_dict(scheme: AssessmentScheme) -> dict[str, Any]:
    return {
        "name": scheme.name,
        "year": scheme.year,
        "period": scheme.period,
        "description": scheme.description,
    }


@transaction.atomic
def scheme_delete(*, actor: Any, scheme: AssessmentScheme, request: Any = None) -> None:
    require_manage(actor)
    _require_draft(scheme)
    audit.record("stats.scheme_deleted", actor=actor, request=request, obj=scheme)
    scheme.delete()


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise TongbanError("stats.indicator_number", _("%(f)s应为数字") % {"f": label}, field=field) from None
    if not d.is_finite():
        raise TongbanError("stats.indicator_number", _("%(f)s应为数字") % {"f": label}, field=field)
    return d


def _clean_indicator(scheme: AssessmentScheme, data: dict[str, Any], *, pk: int | None) -> dict[str, Any]:
    _no_nul(data)
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 64:
        raise TongbanError("stats.indicator_name", _("请填写指标名称（最多 64 个字）"), field="name")
    formula_text = str(data.get("formula") or "").strip()
    formulas.validate(formula_text)
    formula_text = formulas.normalise(formula_text)
    if len(formula_text) > 255:
        raise formulas.FormulaError(_("计算公式过长（最多 %(n)d 个字符）") % {"n": 255})
    weight = _decimal(data.get("weight"), "weight", _("权重"))
    if not Decimal("0") < weight <= WEIGHT_TOTAL or weight != weight.quantize(Decimal("0.01")):
        raise TongbanError(
            "stats.indicator_weight", _("权重应大于 0、不超过 100，最多两位小数"), field="weight"
        )
    target = _decimal(data.get("target"), "target", _("目标值"))
    if not Decimal("0") <= target < Decimal("100000000") or target != target.quantize(Decimal("0.0001")):
        raise TongbanError(
            "stats.indicator_target", _("目标值应为 0 到 1 亿之间的数，最多四位小数"), field="target"
        )
    code = str(data.get("code") or "").strip() or slugify(formula_text)[:24] or "ind"
    code = code[:32]
    if slugify(code) != code.lower() or not code:
        raise TongbanError(
            "stats.indicator_code", _("指标代码只能由字母、数字、下划线和连字符组成"), field="code"
        )
    others = Indicator.objects.filter(scheme=scheme)
    if pk is not None:
        others = others.exclude(pk=pk)
    if others.filter(code=code).exists():
        if data.get("code"):
            raise TongbanError(
                "stats.indicator_code", _("指标代码“%(c)s”已被使用") % {"c": code}, field="code"
            )
        base, i = code[:28], 2
        while others.filter(code=f"{base}-{i}").exists():
            i += 1
        code = f"{base}-{i}"
    return {
        "name": name,
        "code": code,
        "formula": formula_text,
        "weight": weight,
        "target": target,
        "higher_is_better": bool(data.get("higher_is_better", True)),
        "unit_label": str(data.get("unit_label") or "").strip()[:16],
        "note": str(data.get("note") or "").strip()[:255],
    }


@transaction.atomic
def indicator_add(*, actor: Any, scheme: AssessmentScheme, data: dict[str, Any]) -> Indicator:
    require_manage(actor)
    _require_draft(scheme)
    clean = _clean_indicator(scheme, data, pk=None)
    last = scheme.indicators.aggregate(m=Max("order"))["m"]
    return Indicator.objects.create(scheme=scheme, order=(last or 0) + 1, **clean)


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    require_manage(actor)
    _require_draft(indicator.scheme)
    current = {
        "name": indicator.name,
        "code": indicator.code,
        "formula": indicator.formula,
        "weight": indicator.weight,
        "target": indicator.target,
        "higher_is_better": indicator.higher_is_better,
        "unit_label": indicator.unit_label,
        "note": indicator.note,
    }
    clean = _clean_indicator(indicator.scheme, {**current, **data}, pk=indicator.pk)
    for k, v in clean.items():
        setattr(indicator, k, v)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    require_manage(actor)
    _require_draft(indicator.scheme)
    indicator.delete()


@transaction.atomic
def indicator_move(*, actor: Any, indicator: Indicator, delta: int) -> None:
    """Move one place up (-1) or down (+1); the orders are renumbered 1…n."""
    require_manage(actor)
    _require_draft(indicator.scheme)
    items = list(indicator.scheme.indicators.select_for_update().order_by("order", "pk"))
    i = next(k for k, x in enumerate(items) if x.pk == indicator.pk)
    j = max(0, min(len(items) - 1, i + (1 if delta > 0 else -1)))
    items[i], items[j] = items[j], items[i]
    for n, x in enumerate(items, start=1):
        if x.order != n:
            x.order = n
            x.save(update_fields=["order"])


def weight_total(scheme: AssessmentScheme) -> Decimal:
    return scheme.indicators.aggregate(s=Sum("weight"))["s"] or Decimal("0")


@dataclass
class Published:
    scheme: AssessmentScheme
    periods: list[str]


def scheme_publish(*, actor: Any, scheme: AssessmentScheme, request: Any = None) -> Published:
    """Publish a draft (weights must total 100) and compute the started periods of its year."""
    require_manage(actor)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.status == SchemeStatus.PUBLISHED:
            raise TongbanError("stats.scheme_published", _("考核方案已发布"))
        if not scheme.indicators.exists():
            raise TongbanError("stats.scheme_empty", _("考核方案还没有指标，不能发布"))
        total = weight_total(scheme)
        if total != WEIGHT_TOTAL:
            raise TongbanError(
                "stats.scheme_weights",
                _("各指标权重合计应为 100 分，目前为 %(t)s 分") % {"t": f"{total.normalize():f}"},
            )
        for ind in scheme.indicators.all():
            formulas.validate(ind.formula)
        scheme.status = SchemeStatus.PUBLISHED
        scheme.published_at = timezone.now()
        scheme.save(update_fields=["status", "published_at", "updated_at"])
        audit.record("stats.scheme_published", actor=actor, request=request, obj=scheme)
        periods = scoring.recompute_year(scheme)
    return Published(scheme, periods)


@transaction.atomic
def scheme_retire(*, actor: Any, scheme: AssessmentScheme, request: Any = None) -> AssessmentScheme:
    require_manage(actor)
    if scheme.status != SchemeStatus.PUBLISHED:
        raise TongbanError("stats.scheme_not_published", _("只有已发布的考核方案可以停用"))
    scheme.status = SchemeStatus.RETIRED
    scheme.save(update_fields=["status", "updated_at"])
    audit.record("stats.scheme_retired", actor=actor, request=request, obj=scheme)
    return scheme


def scheme_recompute(*, actor: Any, scheme: AssessmentScheme, period_key: str = "") -> list[str]:
    """Recompute one period (or every started period of the year) of a published scheme."""
    from tongban.stats import metrics

    require_manage(actor)
    if scheme.status == SchemeStatus.DRAFT:
        raise TongbanError("stats.scheme_not_published", _("草稿方案没有得分，请先发布"))
    if period_key:
        p = metrics.parse_period(scheme.period, period_key)
        scoring.recompute(scheme, p)
        return [p.key]
    return scoring.recompute_year(scheme)
