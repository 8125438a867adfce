"""Monthly department performance (绩效考核, rules.md §4 "score and rank departments … monthly").

For each department with cases, anomalies, complaints or ratings in the month:

- timeliness (按时办结率) = cases closed on time / cases closed × 100, where a case is closed in
  the month when its decision (decided_on) — or, without a decision, its completion — falls in
  the month, and on time when that day is on or before its committed deadline (due_committed);
  no case closed → 100;
- anomalies = supervision anomalies detected in the month; term = max(0, 100 − penalty × n);
- complaints = complaints about the unit answered in the month and found 属实 (upheld);
  term = max(0, 100 − penalty × n);
- ratings = ratings given in the month; satisfaction = their average level mapped to 0–100
  (非常满意 100, 满意 75, 基本满意 50, 不满意 25, 非常不满意 0); no rating → 100;
- score = (w₁·timeliness + w₂·anomaly term + w₃·complaint term + w₄·satisfaction) / 100 with the
  weights of :class:`SupervisionPolicy` (settable, adding up to 100), rounded to 2 decimals;
- rank within the county by score (equal scores share a rank: 1, 1, 3).

The formula's text is stored with each row and shown on the page. A nightly job recomputes the
current and the previous month; supervisors may recompute any month."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.approvals.models import Case, CaseRating, CaseStatus
from tongban.core import audit
from tongban.core import clock as tclock
from tongban.core.errors import TongbanError
from tongban.orgs.models import County, Unit
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import Anomaly, Complaint, ComplaintStatus, MonthlyScore, SupervisionPolicy

LEVEL_SCORE = {5: 100.0, 4: 75.0, 3: 50.0, 2: 25.0, 1: 0.0}
WEIGHT_FIELDS = ("w_timeliness", "w_anomalies", "w_complaints", "w_ratings")
MAX_PENALTY = 100
MAX_COMPLAINT_DAYS = 60


def level_score(avg_level: float) -> float:
    """A rating level (1–5, or an average of levels) on the 0–100 scale: (level − 1) × 25."""
    return (avg_level - 1.0) * 25.0


def formula_text(pol: SupervisionPolicy) -> str:
    return _(
        "综合得分 = 按时办结率 × %(wt)d%% + (100 − 异常数 × %(ap)d) × %(wa)d%% + (100 − 属实投诉数 × %(cp)d) × %(wc)d%%"
        " + 评价满意度 × %(wr)d%%。按时办结率 = 当月按承诺时限办结件数 ÷ 当月办结件数 × 100（当月无办结件按 100 计）；"
        "评价满意度 = 当月评价平均分（非常满意 100、满意 75、基本满意 50、不满意 25、非常不满意 0；无评价按 100 计）；"
        "扣分项最低为 0。"
    ) % {
        "wt": pol.w_timeliness,
        "wa": pol.w_anomalies,
        "wc": pol.w_complaints,
        "wr": pol.w_ratings,
        "ap": pol.anomaly_penalty,
        "cp": pol.complaint_penalty,
    }


def score_of(
    pol: SupervisionPolicy, *, timeliness: float, anomalies: int, upheld: int, satisfaction: float | None
) -> float:
    sat = 100.0 if satisfaction is None else satisfaction
    a_term = max(0.0, 100.0 - pol.anomaly_penalty * anomalies)
    c_term = max(0.0, 100.0 - pol.complaint_penalty * upheld)
    total = (
        pol.w_timeliness * timeliness
        + pol.w_anomalies * a_term
        + pol.w_complaints * c_term
        + pol.w_ratings * sat
    ) / 100.0
    return round(total, 2)


def _bounds(month: date) -> tuple[date, date, datetime, datetime]:
    first = sel.month_start(month)
    nxt = sel.next_month(first)
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(nxt, time.min))
    return first, nxt, start, end


def compute_month(*, county: County, month: date) -> list[MonthlyScore]:
    """Compute, store and return the month's scores of the county's departments, by rank. Rows of
    departments with nothing in the month any more are removed; running it twice changes nothing
    but ``computed_at``."""
    pol = sel.policy()
    first, nxt, start, end = _bounds(month)
    closed: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    done = (CaseStatus.DECIDED, CaseStatus.COMPLETED)
    base = Case.objects.filter(county=county, status__in=done)
    decided = (
        base.filter(decided_on__gte=first, decided_on__lt=nxt)
        .values("unit_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(decided_on__lte=F("due_committed"))))
    )
    for row in decided:
        closed[row["unit_id"]] += row["n"]
        on_time[row["unit_id"]] += row["ok"]
    # Closed without a decision (e.g. a public service): the completion day counts.
    for unit_id, completed_at, due in base.filter(
        decided_on__isnull=True, completed_at__gte=start, completed_at__lt=end
    ).values_list("unit_id", "completed_at", "due_committed"):
        closed[unit_id] += 1
        if due is not None and timezone.localdate(completed_at) <= due:
            on_time[unit_id] += 1
    received = set(
        Case.objects.filter(county=county, received_at__gte=start, received_at__lt=end)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    anomalies = dict(
        Anomaly.objects.filter(unit__county=county, detected_at__gte=start, detected_at__lt=end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    complaint_rows = (
        Complaint.objects.filter(county=county, unit__isnull=False)
        .filter(
            Q(received_at__gte=start, received_at__lt=end) | Q(answered_at__gte=start, answered_at__lt=end)
        )
        .values("unit_id")
        .annotate(
            upheld=Count(
                "id",
                filter=Q(
                    status=ComplaintStatus.ANSWERED, upheld=True, answered_at__gte=start, answered_at__lt=end
                ),
            )
        )
    )
    upheld = {r["unit_id"]: r["upheld"] for r in complaint_rows}
    ratings = {
        r["unit_id"]: (r["n"], r["avg"])
        for r in CaseRating.objects.filter(unit__county=county, created_at__gte=start, created_at__lt=end)
        .values("unit_id")
        .annotate(n=Count("id"), avg=Avg("level"))
    }
    unit_ids = set(closed) | received | set(anomalies) | set(upheld) | set(ratings)
    units = {u.pk: u for u in Unit.objects.filter(county=county, pk__in=unit_ids)}
    formula = formula_text(pol)
    now = tclock.now()
    rows: list[MonthlyScore] = []
    for unit_id in sorted(units):
        n_closed = closed.get(unit_id, 0)
        n_ok = on_time.get(unit_id, 0)
        timeliness = round(n_ok * 100.0 / n_closed, 2) if n_closed else 100.0
        n_ratings, avg_level = ratings.get(unit_id, (0, None))
        satisfaction = level_score(float(avg_level)) if avg_level is not None else None
        rows.append(
            MonthlyScore(
                county=county,
                unit=units[unit_id],
                month=first,
                cases_closed=n_closed,
                cases_on_time=n_ok,
                anomalies=anomalies.get(unit_id, 0),
                complaints=upheld.get(unit_id, 0),
                ratings=n_ratings,
                rating_avg=round(satisfaction, 2) if satisfaction is not None else None,
                timeliness=timeliness,
                score=score_of(
                    pol,
                    timeliness=timeliness,
                    anomalies=anomalies.get(unit_id, 0),
                    upheld=upheld.get(unit_id, 0),
                    satisfaction=satisfaction,
                ),
                formula=formula,
                computed_at=now,
            )
        )
    rows.sort(key=lambda r: (-r.score, r.unit.sort, r.unit_id))
    for i, r in enumerate(rows):
        r.rank = rows[i - 1].rank if i and r.score == rows[i - 1].score else i + 1
    with transaction.atomic():
        MonthlyScore.objects.filter(county=county, month=first).exclude(unit_id__in=units).delete()
        MonthlyScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["unit", "month"],
            update_fields=[
                "county",
                "cases_closed",
                "cases_on_time",
                "anomalies",
                "complaints",
                "ratings",
                "rating_avg",
                "timeliness",
                "score",
                "rank",
                "formula",
                "computed_at",
            ],
        )
    return list(
        MonthlyScore.objects.filter(county=county, month=first)
        .select_related("unit")
        .order_by("rank", "unit__sort", "unit_id")
    )


def recompute(*, actor: Any, month: date, request: Any = None) -> list[MonthlyScore]:
    """The supervisor's "recompute" button: compute the month now (audited)."""
    sel.require_supervisor(actor)
    county = sel.county_of(actor)
    first = sel.month_start(month)
    if first > sel.month_start(tclock.today()):
        raise TongbanError("supervision.future_month", _("不能计算尚未开始的月份。"), field="month")
    rows = compute_month(county=county, month=first)
    audit.record(
        "supervision.performance_recomputed",
        actor=actor,
        request=request,
        object_type="supervision.monthlyscore",
        object_id=f"{county.pk}:{first:%Y-%m}",
        object_repr=f"{first:%Y-%m}",
        new={"departments": len(rows)},
    )
    return rows


def recompute_recent(*, today: date | None = None) -> int:
    """Nightly: recompute the current and the previous month of every county. Returns the rows."""
    today = today or tclock.today()
    current = sel.month_start(today)
    n = 0
    for county in County.objects.all():
        for month in (sel.previous_month(current), current):
            n += len(compute_month(county=county, month=month))
    return n


def policy_update(*, actor: Any, request: Any = None, **values: int) -> SupervisionPolicy:
    """Change the weights, penalties and the complaint answer limit (supervisors). The four
    weights must add up to 100; penalties 0–100; the complaint limit 1–60 working days."""
    sel.require_supervisor(actor)
    allowed = (*WEIGHT_FIELDS, "anomaly_penalty", "complaint_penalty", "complaint_days")
    unknown = set(values) - set(allowed)
    if unknown:
        raise TongbanError(
            "supervision.bad_setting", _("未知的设置项：%(f)s") % {"f": "、".join(sorted(unknown))}
        )
    with transaction.atomic():
        pol, _c = SupervisionPolicy.objects.select_for_update().get_or_create(id=1)
        old = {f: getattr(pol, f) for f in allowed}
        new = {**old, **{k: v for k, v in values.items() if v is not None}}
        for f, v in new.items():
            if not isinstance(v, int) or v < 0:
                raise TongbanError("supervision.bad_setting", _("设置值必须是不小于 0 的整数。"), field=f)
        for f in ("anomaly_penalty", "complaint_penalty"):
            if new[f] > MAX_PENALTY:
                raise TongbanError("supervision.bad_penalty", _("每件扣分应在 0 到 100 之间。"), field=f)
        if not 1 <= new["complaint_days"] <= MAX_COMPLAINT_DAYS:
            raise TongbanError(
                "supervision.bad_complaint_days",
                _("投诉答复期限应在 1 到 60 个工作日之间。"),
                field="complaint_days",
            )
        total = sum(new[f] for f in WEIGHT_FIELDS)
        if total != 100:
            raise TongbanError(
                "supervision.weights_sum",
                _("四项权重之和必须等于 100（现为 %(n)d）。") % {"n": total},
                field="w_timeliness",
            )
        changed = {f: new[f] for f in allowed if new[f] != old[f]}
        if changed:
            for f, v in changed.items():
                setattr(pol, f, v)
            pol.updated_by = actor
            pol.save()
            audit.record(
                "supervision.policy_changed",
                actor=actor,
                request=request,
                obj=pol,
                old={f: old[f] for f in changed},
                new=changed,
            )
    return pol


def export_xlsx(rows: list[MonthlyScore], *, month: date, formula: str) -> bytes:
    """The month's table as an XLSX workbook (openpyxl): one row per department, the formula below."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    title = _("%(y)d年%(m)d月部门绩效考核") % {"y": month.year, "m": month.month}
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    headers = [
        _("排名"),
        _("部门"),
        _("办结件数"),
        _("按时办结件数"),
        _("按时办结率（%）"),
        _("异常数"),
        _("属实投诉数"),
        _("评价数"),
        _("评价满意度"),
        _("综合得分"),
    ]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            [
                r.rank,
                r.unit.name,
                r.cases_closed,
                r.cases_on_time,
                round(r.timeliness, 2),
                r.anomalies,
                r.complaints,
                r.ratings,
                round(r.rating_avg, 2) if r.rating_avg is not None else None,
                round(r.score, 2),
            ]
        )
    ws.append([])
    ws.append([_("计算公式"), formula])
    ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True)
    for col, width in zip("ABCDEFGHIJ", (8, 32, 10, 12, 14, 8, 10, 8, 10, 10), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
