"""Scores of an assessment scheme: per indicator, per unit, ranks, trends, and the stored
:class:`~tongban.stats.models.ScoreSnapshot` rows.

Rules (docs/stats-assessment.md):

- *higher is better*: score = weight × min(1, value ÷ target); a target ≤ 0 gives full marks.
- *lower is better*: a value ≤ target (and so a value of 0) gives full marks, otherwise
  weight × target ÷ value (a target of 0 and a value above it gives 0).
- every indicator score is rounded to 2 decimals (half up); the unit score is the sum of the
  rounded indicator scores, so the table adds up.
- rank: standard competition ranking (1, 2, 2, 4): units with the same score share a rank.
- a period is recomputed as a whole: its ScoreSnapshot rows are replaced in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from tongban.orgs.models import Unit
from tongban.stats import formulas, metrics
from tongban.stats.metrics import Period
from tongban.stats.models import AssessmentScheme, Indicator, SchemeStatus, ScoreSnapshot

CENT = Decimal("0.01")
TREND_PERIODS = 6


def round_score(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def indicator_score(value: float, target: Decimal | float, weight: Decimal | float, higher: bool) -> Decimal:
    """The score of one indicator (see the module's rules), rounded to 2 decimals."""
    t = float(target)
    w = float(weight)
    if higher:
        ratio = 1.0 if t <= 0 else min(1.0, max(0.0, value / t))
    elif value <= t or value <= 0:
        ratio = 1.0
    else:
        ratio = 0.0 if t <= 0 else min(1.0, t / value)
    return round_score(w * ratio)


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Standard competition ranks of ``scores`` (higher first), in the order given."""
    ordered = sorted(scores, reverse=True)
    first: dict[Decimal, int] = {}
    for i, s in enumerate(ordered, start=1):
        first.setdefault(s, i)
    return [first[s] for s in scores]


@dataclass
class IndicatorResult:
    code: str
    name: str
    value: float
    score: Decimal
    notes: list[str] = field(default_factory=list)


@dataclass
class UnitResult:
    unit_id: int
    score: Decimal
    rank: int
    indicators: list[IndicatorResult]
    figures: dict[str, float]


def scheme_unit_ids(scheme: AssessmentScheme) -> list[int]:
    """The participating units (all active units when the scheme names none)."""
    ids = [u.pk for u in scheme.units.all()]
    if not ids:
        ids = list(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
    return ids


def evaluate_indicators(
    indicators: Iterable[Indicator], figures: dict[str, float]
) -> tuple[Decimal, list[IndicatorResult]]:
    results: list[IndicatorResult] = []
    total = Decimal("0")
    for ind in indicators:
        res = formulas.evaluate(ind.formula, figures)
        s = indicator_score(res.value, ind.target, ind.weight, ind.higher_is_better)
        total += s
        results.append(IndicatorResult(ind.code, ind.name, res.value, s, res.notes))
    return total, results


def score_period(
    scheme: AssessmentScheme, period: Period, *, until: date | None = None, unit_ids: list[int] | None = None
) -> list[UnitResult]:
    """Every participating unit's score for ``period``, ranked (best first)."""
    indicators = list(scheme.indicators.all())
    ids = unit_ids if unit_ids is not None else scheme_unit_ids(scheme)
    values = metrics.period_values(ids, period.start, period.end, until=until)
    rows: list[tuple[int, Decimal, list[IndicatorResult]]] = []
    for uid in ids:
        total, results = evaluate_indicators(indicators, values[uid])
        rows.append((uid, total, results))
    ranks = competition_ranks([r[1] for r in rows])
    out = [
        UnitResult(uid, total, rank, results, values[uid])
        for (uid, total, results), rank in zip(rows, ranks, strict=True)
    ]
    out.sort(key=lambda r: (r.rank, r.unit_id))
    return out


def _snapshot_values(r: UnitResult) -> dict[str, Any]:
    return {
        "indicators": {
            i.code: {"value": i.value, "score": float(i.score), "notes": i.notes} for i in r.indicators
        },
        "figures": r.figures,
    }


def recompute(scheme: AssessmentScheme, period: Period, *, until: date | None = None) -> int:
    """Compute ``period`` and replace its stored scores atomically; the number of units."""
    results = score_period(scheme, period, until=until)
    with transaction.atomic():
        ScoreSnapshot.objects.filter(scheme=scheme, period_key=period.key).delete()
        ScoreSnapshot.objects.bulk_create(
            [
                ScoreSnapshot(
                    scheme=scheme,
                    period_key=period.key,
                    unit_id=r.unit_id,
                    score=r.score,
                    rank=r.rank,
                    values=_snapshot_values(r),
                )
                for r in results
            ]
        )
    return len(results)


def recompute_year(scheme: AssessmentScheme, *, until: date | None = None) -> list[str]:
    """Every period of the scheme's year that has started; the keys computed."""
    day = until or metrics.today()
    done = []
    for p in metrics.periods_of_year(scheme.period, scheme.year, until=day):
        recompute(scheme, p, until=day)
        done.append(p.key)
    return done


def recompute_current(*, today: date | None = None) -> list[str]:
    """The current and previous period of every published scheme whose year they fall in."""
    day = today or metrics.today()
    done: list[str] = []
    for scheme in AssessmentScheme.objects.filter(status=SchemeStatus.PUBLISHED):
        cur = metrics.period_for(scheme.period, day)
        for p in [*metrics.previous(cur, 1), cur]:
            if p.year == scheme.year:
                recompute(scheme, p, until=day)
                done.append(f"{scheme.pk}:{p.key}")
    return done


# --- reading the stored scores -------------------------------------------------------------------


@dataclass
class RankRow:
    unit_id: int
    unit_name: str
    score: Decimal
    rank: int
    previous_score: Decimal | None
    previous_rank: int | None
    values: dict[str, Any]

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_score is None else self.score - self.previous_score

    @property
    def rank_change(self) -> int | None:
        return None if self.previous_rank is None else self.previous_rank - self.rank


def ranking(scheme: AssessmentScheme, period: Period, *, unit_ids: set[int] | None = None) -> list[RankRow]:
    """The stored scores of ``period`` with the previous period's (two queries); only ``unit_ids``
    when given."""
    prev = metrics.previous(period, 1)[0]
    qs = ScoreSnapshot.objects.filter(scheme=scheme, period_key=period.key).select_related("unit")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    before = {
        s["unit_id"]: (s["score"], s["rank"])
        for s in ScoreSnapshot.objects.filter(scheme=scheme, period_key=prev.key).values(
            "unit_id", "score", "rank"
        )
    }
    rows = []
    for s in qs.order_by("rank", "unit__sort", "unit_id"):
        b = before.get(s.unit_id)
        rows.append(
            RankRow(
                s.unit_id,
                s.unit.name,
                s.score,
                s.rank,
                b[0] if b else None,
                b[1] if b else None,
                s.values or {},
            )
        )
    return rows


def trend(
    scheme: AssessmentScheme, unit_id: int, period: Period, n: int = TREND_PERIODS
) -> list[dict[str, Any]]:
    """The unit's score and rank over the ``n`` previous periods and ``period`` (one query);
    periods without stored scores have None."""
    periods = [*metrics.previous(period, n), period]
    stored = {
        s["period_key"]: s
        for s in ScoreSnapshot.objects.filter(
            scheme=scheme, unit_id=unit_id, period_key__in=[p.key for p in periods]
        ).values("period_key", "score", "rank")
    }
    return [
        {
            "period": p.key,
            "label": p.label,
            "score": float(stored[p.key]["score"]) if p.key in stored else None,
            "rank": stored[p.key]["rank"] if p.key in stored else None,
        }
        for p in periods
    ]
