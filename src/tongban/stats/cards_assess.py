"""Reading side of the assessment: which schemes a user sees, a scheme's ranking, a unit's
scorecard (indicators with their formulas and underlying numbers, the trend) and the drill-down
to offices and people. The pages, the API, the XLSX exports and the PDF report all use these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.orgs.models import Office, Unit
from tongban.stats import access, formulas, metrics, scoring
from tongban.stats.metrics import Period
from tongban.stats.models import AssessmentScheme, Indicator, SchemeStatus, ScoreSnapshot

SHOWN = (SchemeStatus.PUBLISHED, SchemeStatus.RETIRED)


def visible_schemes(user: Any) -> list[AssessmentScheme]:
    """Schemes with scores (published or retired) for whoever sees the 考核统计 pages."""
    if not access.can_view_stats(user):
        return []
    return list(AssessmentScheme.objects.filter(status__in=SHOWN).order_by("-year", "-published_at", "pk"))


def get_shown_scheme(user: Any, scheme_id: int) -> AssessmentScheme:
    if not access.can_view_stats(user):
        raise PermissionDenied("stats.denied", _("您无权查看考核评分"))
    scheme = AssessmentScheme.objects.filter(pk=scheme_id, status__in=SHOWN).first()
    if scheme is None:
        raise NotFound("stats.scheme_not_found", _("考核方案不存在或尚未发布"))
    return scheme


def default_period(scheme: AssessmentScheme, today: date | None = None) -> Period:
    day = today or metrics.today()
    if day.year != scheme.year:
        day = date(scheme.year, 12, 31) if day.year > scheme.year else date(scheme.year, 1, 1)
    return metrics.period_for(scheme.period, day)


def period_of(scheme: AssessmentScheme, key: str | None) -> Period:
    if not key:
        return default_period(scheme)
    p = metrics.parse_period(scheme.period, key)
    if p.year != scheme.year:
        raise NotFound("stats.period_not_found", _("考核周期不在方案年度内"))
    return p


def period_choices(scheme: AssessmentScheme) -> list[Period]:
    return metrics.periods_of_year(
        scheme.period, scheme.year, until=max(metrics.today(), date(scheme.year, 1, 1))
    )


@dataclass
class IndicatorView:
    indicator: Indicator
    words: str
    names: list[str]
    value: float | None = None
    score: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    inputs: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def direction(self) -> str:
        return _("越高越好") if self.indicator.higher_is_better else _("越低越好")

    @property
    def person_level(self) -> bool:
        return set(self.names) <= metrics.PERSON_METRICS


def indicator_views(scheme: AssessmentScheme) -> list[IndicatorView]:
    return [
        IndicatorView(ind, formulas.describe(ind.formula), formulas.names_in(ind.formula))
        for ind in scheme.indicators.all()
    ]


def ranking(user: Any, scheme: AssessmentScheme, period: Period) -> list[scoring.RankRow]:
    """The ranking rows the user may see (every unit for the county's viewers, else their own)."""
    ids = access.visible_unit_ids(user)
    return scoring.ranking(scheme, period, unit_ids=ids)


def fill(views: list[IndicatorView], values: dict[str, Any], figures: dict[str, float]) -> None:
    """Put a stored (or live) result into the indicator views."""
    for v in views:
        got = values.get(v.indicator.code)
        if got is not None:
            v.value = float(got["value"])
            v.score = Decimal(str(got["score"])).quantize(scoring.CENT)
            v.notes = list(got.get("notes") or [])
        v.inputs = [(n, metrics.label(n), float(figures.get(n, 0.0))) for n in v.names]


@dataclass
class UnitCard:
    scheme: AssessmentScheme
    period: Period
    unit: Unit
    indicators: list[IndicatorView]
    score: Decimal | None
    rank: int | None
    units_count: int
    computed_at: Any
    figures: dict[str, float]
    trend: list[dict[str, Any]]
    can_people: bool


def unit_card(user: Any, scheme: AssessmentScheme, period: Period, unit_id: int) -> UnitCard:
    unit = access.access_unit(unit_id, user)
    snap = ScoreSnapshot.objects.filter(scheme=scheme, period_key=period.key, unit=unit).first()
    views = indicator_views(scheme)
    if snap is not None:
        values = (snap.values or {}).get("indicators", {})
        figures = (snap.values or {}).get("figures", {})
        score: Decimal | None = snap.score
        rank: int | None = snap.rank
    else:  # not computed yet (or the unit does not take part): the live figures, without a rank
        figures = metrics.period_values([unit.pk], period.start, period.end)[unit.pk]
        total, results = scoring.evaluate_indicators([v.indicator for v in views], figures)
        values = {r.code: {"value": r.value, "score": float(r.score), "notes": r.notes} for r in results}
        score, rank = total, None
    fill(views, values, figures)
    return UnitCard(
        scheme=scheme,
        period=period,
        unit=unit,
        indicators=views,
        score=score,
        rank=rank,
        units_count=ScoreSnapshot.objects.filter(scheme=scheme, period_key=period.key).count(),
        computed_at=snap.computed_at if snap else None,
        figures=figures,
        trend=scoring.trend(scheme, unit.pk, period),
        can_people=access.can_view_people(user, unit),
    )


DRILL_FIGURES = ("logins", "docs_handled", "tasks_done", "tasks_overdue", "notices_read", "meetings_attended")


def _drill_row(name: str, key: Any, figures: dict[str, float], views: list[IndicatorView]) -> dict[str, Any]:
    values: list[float | None] = []
    for v in views:
        if v.person_level:
            values.append(formulas.evaluate(v.indicator.formula, figures).value)
        else:
            values.append(None)
    return {
        "key": key,
        "name": name,
        "figures": [figures.get(f, 0.0) for f in DRILL_FIGURES],
        "active_days": figures.get("active_user_days", 0.0),
        "staff": figures.get("staff", 0.0),
        "values": values,
    }


def drill_headers() -> list[str]:
    return [metrics.label(f) for f in DRILL_FIGURES]


def office_rows(card: UnitCard) -> list[dict[str, Any]]:
    """The unit's offices with their figures and the person-level indicator values."""
    vals = metrics.office_values(card.unit.pk, card.period.start, card.period.end)
    names = dict(Office.objects.filter(unit=card.unit).order_by("sort", "pk").values_list("pk", "name"))
    rows = [_drill_row(names[oid], oid, vals[oid], card.indicators) for oid in names if oid in vals]
    if None in vals:
        rows.append(_drill_row(_("未分科室"), None, vals[None], card.indicators))
    return rows


def people_rows(user: Any, card: UnitCard, office_id: int | None = None) -> list[dict[str, Any]]:
    """The unit's people with their figures: only for the unit's own leaders."""
    if not access.can_view_people(user, card.unit):
        raise PermissionDenied("stats.people_denied", _("只有本单位领导和分管县领导可查看个人统计"))
    vals = metrics.person_values(card.unit.pk, card.period.start, card.period.end, office_id=office_id)
    users = {u.pk: u for u in User.objects.filter(pk__in=list(vals)).only("pk", "full_name", "username")}
    rows = [_drill_row(str(users[uid]), uid, vals[uid], card.indicators) for uid in vals if uid in users]
    rows.sort(key=lambda r: (-r["active_days"], r["name"]))
    return rows
