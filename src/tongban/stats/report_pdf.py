"""The yearly assessment report (年度考核报告) as a PDF: a cover, the method (indicators with their
formulas, weights, targets and the scoring rules), the year's ranking and one summary per unit.

The year's score of a unit is the average of its stored period scores (a yearly scheme has one
period); ranks are standard competition ranks of that average. WeasyPrint renders it with the
server's CJK fonts (the same inventory as official documents; nothing is loaded from outside)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tongban.orgs.models import Unit
from tongban.stats import access, cards_assess, metrics, scoring
from tongban.stats.models import AssessmentScheme, ScoreSnapshot


def year_summary(user: Any, scheme: AssessmentScheme) -> dict[str, Any]:
    """The data of the report (also used by its test): periods, ranked units with their scores."""
    periods = metrics.periods_of_year(scheme.period, scheme.year)
    keys = [p.key for p in periods]
    ids = access.visible_unit_ids(user)
    qs = ScoreSnapshot.objects.filter(scheme=scheme, period_key__in=keys)
    snaps = list(qs.values("unit_id", "period_key", "score", "rank", "values"))
    by_unit: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for s in snaps:
        by_unit[s["unit_id"]][s["period_key"]] = dict(s)
    done_keys = [k for k in keys if any(k in v for v in by_unit.values())]
    # the rank is computed over every unit, whatever the reader may see
    unit_ids = sorted(by_unit)
    averages = [
        scoring.round_score(sum(Decimal(v["score"]) for v in by_unit[u].values()) / len(by_unit[u]))
        for u in unit_ids
    ]
    ranks = scoring.competition_ranks(averages)
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    indicators = cards_assess.indicator_views(scheme)
    rows = []
    for uid, avg, rank in zip(unit_ids, averages, ranks, strict=True):
        if ids is not None and uid not in ids:
            continue
        per = by_unit[uid]
        latest = per[max(per)] if per else None
        weakest = None
        if latest:
            lost = []
            for v in indicators:
                got = (latest["values"] or {}).get("indicators", {}).get(v.indicator.code)
                if got is not None:
                    lost.append((float(v.indicator.weight) - float(got["score"]), v.indicator.name, got))
            lost.sort(key=lambda x: -x[0])
            if lost and lost[0][0] > 0:
                weakest = {"name": lost[0][1], "lost": round(lost[0][0], 2), "latest": latest["period_key"]}
        rows.append(
            {
                "unit_id": uid,
                "name": names.get(uid, str(uid)),
                "score": avg,
                "rank": rank,
                "periods": [
                    (k, per[k]["score"] if k in per else None, per[k]["rank"] if k in per else None)
                    for k in done_keys
                ],
                "count": len(per),
                "weakest": weakest,
            }
        )
    rows.sort(key=lambda r: (r["rank"], r["name"]))
    labels = {p.key: p.label for p in periods}
    return {
        "scheme": scheme,
        "indicators": indicators,
        "rows": rows,
        "period_keys": done_keys,
        "period_labels": [labels[k] for k in done_keys],
        "units_total": len(unit_ids),
    }


def _fonts() -> dict[str, str]:
    from tongban.seals.fonts import choices

    f = choices()
    return {key: c.family for key, c in f.items()}


def render(user: Any, scheme: AssessmentScheme) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    from tongban.documents.render import fontcache

    fontcache.install()
    context = year_summary(user, scheme) | {"fonts": _fonts(), "generated": timezone.localtime()}
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("stats/assess/report.html", context)
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=fontcache.font_config()))
