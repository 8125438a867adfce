"""REST endpoints of the usage assessment (/api/v1/stats/): the metric catalogue, schemes and their
indicators (create, change, delete, publish, retire: 考核管理员 only), a scheme's ranking for a
period and a unit's scorecard. The same services and access rules as the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tongban.api.common import Id, caller, errors
from tongban.stats import access, cards_assess, metrics, services_assess
from tongban.stats.models import AssessmentScheme, Indicator

router = Router(tags=["考核统计：考核方案与评分"])


class MetricOut(Schema):
    name: str
    label: str
    help: str


class IndicatorOut(Schema):
    id: int
    order: int
    code: str
    name: str
    formula: str
    formula_words: str
    weight: float
    target: float
    higher_is_better: bool
    unit_label: str
    note: str


class SchemeOut(Schema):
    id: int
    name: str
    year: int
    period: str
    description: str
    status: str
    published_at: datetime | None
    unit_ids: list[int]


class SchemeDetailOut(SchemeOut):
    indicators: list[IndicatorOut]
    weight_total: float


class SchemeIn(Schema):
    name: str
    year: int
    period: str = "month"
    description: str = ""
    unit_ids: list[int] | None = None


class SchemePatch(Schema):
    name: str | None = None
    year: int | None = None
    period: str | None = None
    description: str | None = None
    unit_ids: list[int] | None = None


class IndicatorIn(Schema):
    name: str
    formula: str
    weight: float
    target: float
    code: str = ""
    higher_is_better: bool = True
    unit_label: str = ""
    note: str = ""


class IndicatorPatch(Schema):
    name: str | None = None
    formula: str | None = None
    weight: float | None = None
    target: float | None = None
    code: str | None = None
    higher_is_better: bool | None = None
    unit_label: str | None = None
    note: str | None = None


class PublishedOut(Schema):
    scheme: SchemeDetailOut
    periods: list[str]


class CellOut(Schema):
    code: str
    value: float | None
    score: float | None


class ScoreRankOut(Schema):
    unit_id: int
    unit: str
    score: float
    rank: int
    change: float | None
    previous_rank: int | None
    indicators: list[CellOut]


class RankingOut(Schema):
    scheme_id: int
    period: str
    period_label: str
    indicators: list[IndicatorOut]
    rows: list[ScoreRankOut]


class InputOut(Schema):
    name: str
    label: str
    value: float


class CardIndicatorOut(IndicatorOut):
    value: float | None
    score: float | None
    notes: list[str]
    inputs: list[InputOut]


class TrendOut(Schema):
    period: str
    label: str
    score: float | None
    rank: int | None


class DrillOut(Schema):
    id: int | None
    name: str
    staff: float
    active_days: float
    indicator_values: list[float | None]


class UnitCardOut(Schema):
    scheme_id: int
    period: str
    unit_id: int
    unit: str
    score: float | None
    rank: int | None
    units_count: int
    indicators: list[CardIndicatorOut]
    trend: list[TrendOut]
    offices: list[DrillOut]
    people: list[DrillOut] | None


def _f(x: Decimal | float | None) -> float | None:
    return None if x is None else float(x)


def _indicator(ind: Indicator) -> dict[str, Any]:
    from tongban.stats import formulas

    return {
        "id": ind.pk,
        "order": ind.order,
        "code": ind.code,
        "name": ind.name,
        "formula": ind.formula,
        "formula_words": formulas.describe(ind.formula),
        "weight": float(ind.weight),
        "target": float(ind.target),
        "higher_is_better": ind.higher_is_better,
        "unit_label": ind.unit_label,
        "note": ind.note,
    }


def _scheme(s: AssessmentScheme) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "year": s.year,
        "period": s.period,
        "description": s.description,
        "status": s.status,
        "published_at": s.published_at,
        "unit_ids": sorted(u.pk for u in s.units.all()),
    }


def _detail(s: AssessmentScheme) -> dict[str, Any]:
    return _scheme(s) | {
        "indicators": [_indicator(i) for i in s.indicators.all()],
        "weight_total": float(services_assess.weight_total(s)),
    }


def _managed(request: HttpRequest, scheme_id: int | None = None) -> tuple[Any, AssessmentScheme | None]:
    user = caller(request)
    access.require_manage(user)
    return user, services_assess.get_scheme(scheme_id) if scheme_id is not None else None


@router.get("schemes/metrics", response={200: list[MetricOut], **errors(403)}, summary="公式可用的数据")
def metric_catalogue(request: HttpRequest) -> list[dict[str, str]]:
    user = caller(request)
    if not access.can_view_stats(user):
        access.require_manage(user)  # raises the 403
    return metrics.catalogue()


@router.get("schemes", response={200: list[SchemeOut], **errors(403)}, summary="考核方案列表")
def scheme_list(request: HttpRequest) -> list[dict[str, Any]]:
    _managed(request)
    return [_scheme(s) for s in AssessmentScheme.objects.prefetch_related("units").order_by("-year", "name")]


@router.post("schemes", response={201: SchemeDetailOut, **errors(400, 403, 422)}, summary="新建考核方案")
def scheme_create(request: HttpRequest, body: SchemeIn) -> Status:
    """A draft; ``unit_ids`` are the participating units (all active units when omitted)."""
    user, _s = _managed(request)
    data = body.dict(exclude={"unit_ids"})
    scheme = services_assess.scheme_create(actor=user, data=data, unit_ids=body.unit_ids, request=request)
    return Status(201, _detail(scheme))


@router.get("schemes/{scheme_id}", response={200: SchemeDetailOut, **errors(403, 404)}, summary="考核方案")
def scheme_get(request: HttpRequest, scheme_id: Id) -> dict[str, Any]:
    _u, scheme = _managed(request, scheme_id)
    assert scheme is not None
    return _detail(scheme)


@router.patch(
    "schemes/{scheme_id}",
    response={200: SchemeDetailOut, **errors(400, 403, 404, 422)},
    summary="修改考核方案",
)
def scheme_patch(request: HttpRequest, scheme_id: Id, body: SchemePatch) -> dict[str, Any]:
    """Only a draft; only the given fields change."""
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    data = {k: v for k, v in body.dict(exclude={"unit_ids"}).items() if v is not None}
    scheme = services_assess.scheme_update(
        actor=user, scheme=scheme, data=data, unit_ids=body.unit_ids, request=request
    )
    return _detail(scheme)


@router.delete("schemes/{scheme_id}", response={204: None, **errors(400, 403, 404)}, summary="删除草稿方案")
def scheme_delete(request: HttpRequest, scheme_id: Id) -> Status:
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    services_assess.scheme_delete(actor=user, scheme=scheme, request=request)
    return Status(204, None)


@router.post(
    "schemes/{scheme_id}/indicators",
    response={201: IndicatorOut, **errors(400, 403, 404, 422)},
    summary="添加考核指标",
)
def indicator_add(request: HttpRequest, scheme_id: Id, body: IndicatorIn) -> Status:
    """The formula is checked against the metric catalogue (``schemes/metrics``); a bad one is
    refused (400, ``stats.bad_formula``) and nothing is saved."""
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    ind = services_assess.indicator_add(actor=user, scheme=scheme, data=body.dict())
    return Status(201, _indicator(ind))


@router.patch(
    "schemes/{scheme_id}/indicators/{indicator_id}",
    response={200: IndicatorOut, **errors(400, 403, 404, 422)},
    summary="修改考核指标",
)
def indicator_patch(
    request: HttpRequest, scheme_id: Id, indicator_id: Id, body: IndicatorPatch
) -> dict[str, Any]:
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    ind = services_assess.get_indicator(scheme, indicator_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    return _indicator(services_assess.indicator_update(actor=user, indicator=ind, data=data))


@router.delete(
    "schemes/{scheme_id}/indicators/{indicator_id}",
    response={204: None, **errors(400, 403, 404)},
    summary="删除考核指标",
)
def indicator_delete(request: HttpRequest, scheme_id: Id, indicator_id: Id) -> Status:
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    services_assess.indicator_delete(
        actor=user, indicator=services_assess.get_indicator(scheme, indicator_id)
    )
    return Status(204, None)


@router.post(
    "schemes/{scheme_id}/publish",
    response={200: PublishedOut, **errors(400, 403, 404)},
    summary="发布考核方案",
)
def scheme_publish(request: HttpRequest, scheme_id: Id) -> dict[str, Any]:
    """Weights must total 100; every started period of the scheme's year is computed."""
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    done = services_assess.scheme_publish(actor=user, scheme=scheme, request=request)
    return {"scheme": _detail(done.scheme), "periods": done.periods}


@router.post(
    "schemes/{scheme_id}/retire",
    response={200: SchemeDetailOut, **errors(400, 403, 404)},
    summary="停用考核方案",
)
def scheme_retire(request: HttpRequest, scheme_id: Id) -> dict[str, Any]:
    user, scheme = _managed(request, scheme_id)
    assert scheme is not None
    return _detail(services_assess.scheme_retire(actor=user, scheme=scheme, request=request))


@router.get(
    "scorecards/{scheme_id}/{period}",
    response={200: RankingOut, **errors(400, 403, 404)},
    summary="考核排名",
)
def scorecard_ranking(request: HttpRequest, scheme_id: Id, period: str) -> dict[str, Any]:
    """``period``: 2026-11 (month), 2026-Q4 (quarter) or 2026 (year), as the scheme's period. The
    county's viewers get every unit; a unit's leaders their own units (with their county rank)."""
    user = caller(request)
    scheme = cards_assess.get_shown_scheme(user, scheme_id)
    p = cards_assess.period_of(scheme, period)
    inds = list(scheme.indicators.all())
    rows = []
    for r in cards_assess.ranking(user, scheme, p):
        got = r.values.get("indicators", {})
        rows.append(
            {
                "unit_id": r.unit_id,
                "unit": r.unit_name,
                "score": float(r.score),
                "rank": r.rank,
                "change": _f(r.change),
                "previous_rank": r.previous_rank,
                "indicators": [
                    {
                        "code": i.code,
                        "value": (got.get(i.code) or {}).get("value"),
                        "score": (got.get(i.code) or {}).get("score"),
                    }
                    for i in inds
                ],
            }
        )
    return {
        "scheme_id": scheme.pk,
        "period": p.key,
        "period_label": p.label,
        "indicators": [_indicator(i) for i in inds],
        "rows": rows,
    }


def _drill(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["key"],
            "name": r["name"],
            "staff": r["staff"],
            "active_days": r["active_days"],
            "indicator_values": r["values"],
        }
        for r in rows
    ]


@router.get(
    "scorecards/{scheme_id}/{period}/units/{unit_id}",
    response={200: UnitCardOut, **errors(400, 403, 404)},
    summary="单位考核评分",
)
def scorecard_unit(request: HttpRequest, scheme_id: Id, period: str, unit_id: Id) -> dict[str, Any]:
    """Indicators with their formula, underlying numbers and score; the trend over the last 6
    periods; offices; people only for the unit's own leaders (``people`` is null otherwise)."""
    user = caller(request)
    scheme = cards_assess.get_shown_scheme(user, scheme_id)
    p = cards_assess.period_of(scheme, period)
    card = cards_assess.unit_card(user, scheme, p, unit_id)
    return {
        "scheme_id": scheme.pk,
        "period": p.key,
        "unit_id": card.unit.pk,
        "unit": card.unit.name,
        "score": _f(card.score),
        "rank": card.rank,
        "units_count": card.units_count,
        "indicators": [
            _indicator(v.indicator)
            | {
                "value": v.value,
                "score": _f(v.score),
                "notes": [str(n) for n in v.notes],
                "inputs": [{"name": n, "label": lb, "value": val} for n, lb, val in v.inputs],
            }
            for v in card.indicators
        ],
        "trend": card.trend,
        "offices": _drill(cards_assess.office_rows(card)),
        "people": _drill(cards_assess.people_rows(user, card)) if card.can_people else None,
    }
