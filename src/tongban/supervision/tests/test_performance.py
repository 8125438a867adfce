"""Monthly department performance (绩效考核): the numbers computed exactly on a small hand-made
month, ranks with ties, the weights' validation, the XLSX export read back with openpyxl, the
trend, the nightly job, and the pages and API with their authorization matrix."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongban.approvals.models import Case, CaseRating, CaseStatus
from tongban.approvals.testing import new_case, published_item
from tongban.core import clock as tclock
from tongban.core import schedule
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.supervision import performance
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import (
    Anomaly,
    Complaint,
    ComplaintStatus,
    MonthlyScore,
    SupervisionPolicy,
)
from tongban.supervision.tests import test_complaint_support as support
from tongban.supervision.tests.test_complaint_support import client_for, rate

pytestmark = pytest.mark.django_db
w, _fresh = support.w, support._fresh  # the shared fixtures

NOV = date(2025, 11, 1)


def _at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, 0))


def _case(w, *, item=None, received, **fields):
    case = new_case(w, item=item, received_at=received)
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def _complaint(w, n, unit, *, upheld, answered_at):
    return Complaint.objects.create(
        county=w.county, number=f"TST{n}", channel="web", unit=unit, name="甲", phone="13800000001",
        subject="s", text="t", received_at=_at(2025, 10, 20), due_on=date(2025, 11, 3),
        status=ComplaintStatus.ANSWERED, upheld=upheld, answer="a", answered_at=answered_at,
    )  # fmt: skip


@pytest.fixture
def month_data(w):
    """November 2025, by hand:

    市场监管局: closed A (decided 5 Nov ≤ due 7 Nov, on time), B (decided 20 Nov > due 10 Nov,
    late), C (no decision, completed 12 Nov = due, on time) → 2/3 = 66.67 %; D decided in October
    (not counted). Anomalies: 2 in November (+1 in October). Upheld complaints answered in November:
    1 (+1 not upheld, +1 upheld answered in December). Ratings in November: 5 and 2 → average 3.5
    → 62.5.
    住建局: one case decided on time, nothing else → 100.
    行政审批局: one case received in November, still open → nothing closed → 100."""
    scj, zjj = w.units["scj"], w.units["zjj"]
    zj_item = published_item(w, code="330100-ZJJ-001", name="建设工程规划许可", unit="zjj")
    sp_item = published_item(w, code="330100-SPJ-001", name="个体工商户登记", unit="spj")
    a = _case(w, received=_at(2025, 11, 3), status=CaseStatus.DECIDED, decided_on=date(2025, 11, 5),
              due_committed=date(2025, 11, 7))  # fmt: skip
    b = _case(w, received=_at(2025, 11, 3), status=CaseStatus.COMPLETED, is_open=False,
              decided_on=date(2025, 11, 20), due_committed=date(2025, 11, 10), completed_at=_at(2025, 11, 21))  # fmt: skip
    _case(w, received=_at(2025, 11, 4), status=CaseStatus.COMPLETED, is_open=False, decided_on=None,
          due_committed=date(2025, 11, 12), completed_at=_at(2025, 11, 12, 16))  # fmt: skip
    d = _case(w, received=_at(2025, 10, 20), status=CaseStatus.COMPLETED, is_open=False,
              decided_on=date(2025, 10, 30), due_committed=date(2025, 10, 31), completed_at=_at(2025, 10, 31))  # fmt: skip
    _case(w, item=zj_item, received=_at(2025, 11, 10), status=CaseStatus.DECIDED, decided_on=date(2025, 11, 14),
          due_committed=date(2025, 11, 17))  # fmt: skip
    _case(w, item=sp_item, received=_at(2025, 11, 11), status=CaseStatus.ACCEPTED)
    Anomaly.objects.all().delete()
    for i, at in enumerate([_at(2025, 11, 6), _at(2025, 11, 21), _at(2025, 10, 28)]):
        Anomaly.objects.create(
            case=a, unit=scj, kind="step_overdue", key=f"k{i}", detected_at=at, summary="x"
        )
    _complaint(w, 1, scj, upheld=True, answered_at=_at(2025, 11, 18))
    _complaint(w, 2, scj, upheld=False, answered_at=_at(2025, 11, 19))
    _complaint(w, 3, scj, upheld=True, answered_at=_at(2025, 12, 2))
    for case, level in ((b, 5), (d, 2)):
        r = rate(case, level)
        CaseRating.objects.filter(pk=r.pk).update(created_at=_at(2025, 11, 25))
    return {"scj": scj, "zjj": zjj, "spj": w.units["spj"]}


def test_month_computed_exactly(w, month_data):
    with tclock.moved_to(date(2025, 12, 5)):
        rows = performance.compute_month(county=w.county, month=date(2025, 11, 17))
    by_unit = {r.unit_id: r for r in rows}
    assert set(by_unit) == {month_data["scj"].pk, month_data["zjj"].pk, month_data["spj"].pk}
    s = by_unit[month_data["scj"].pk]
    assert (s.month, s.cases_closed, s.cases_on_time) == (NOV, 3, 2)
    assert s.timeliness == pytest.approx(66.67)
    assert (s.anomalies, s.complaints, s.ratings) == (2, 1, 2)
    assert s.rating_avg == pytest.approx(62.5)
    # (40 × 66.67 + 20 × (100 − 2 × 5) + 15 × (100 − 1 × 10) + 25 × 62.5) / 100 = 73.793
    assert f"{s.score:.2f}" == "73.79"
    z, p = by_unit[month_data["zjj"].pk], by_unit[month_data["spj"].pk]
    assert (z.cases_closed, z.cases_on_time, f"{z.score:.2f}") == (1, 1, "100.00")
    assert (p.cases_closed, p.timeliness, p.rating_avg, f"{p.score:.2f}") == (0, 100.0, None, "100.00")
    # equal scores share a rank
    assert (z.rank, p.rank, s.rank) == (1, 1, 3)
    assert "按时办结率 × 40%" in s.formula and "异常数 × 5" in s.formula
    # running again changes nothing but the time
    with tclock.moved_to(date(2025, 12, 6)):
        again = performance.compute_month(county=w.county, month=NOV)
    assert [(r.unit_id, r.score, r.rank) for r in again] == [(r.unit_id, r.score, r.rank) for r in rows]
    assert MonthlyScore.objects.count() == 3


def test_stale_rows_removed_and_weights_change_the_score(w, month_data):
    MonthlyScore.objects.create(county=w.county, unit=w.units["jw"], month=NOV, computed_at=timezone.now())
    sup = w.users["supervisor"]
    performance.policy_update(actor=sup, w_timeliness=100, w_anomalies=0, w_complaints=0, w_ratings=0)
    rows = performance.compute_month(county=w.county, month=NOV)
    assert w.units["jw"].pk not in {r.unit_id for r in rows}
    scj = next(r for r in rows if r.unit_id == month_data["scj"].pk)
    assert f"{scj.score:.2f}" == "66.67"
    assert "按时办结率 × 100%" in scj.formula


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"w_timeliness": 50}, "w_timeliness"),  # 50 + 20 + 15 + 25 = 110
        ({"w_ratings": 0}, "w_timeliness"),  # 75
        ({"anomaly_penalty": 101}, "anomaly_penalty"),
        ({"complaint_days": 0}, "complaint_days"),
        ({"complaint_penalty": -1}, "complaint_penalty"),
    ],
)
def test_weights_validated_and_nothing_changed(w, values, field):
    with pytest.raises(TongbanError) as e:
        performance.policy_update(actor=w.users["supervisor"], **values)
    assert e.value.field == field
    pol = sel.policy()
    assert (pol.w_timeliness, pol.w_anomalies, pol.w_complaints, pol.w_ratings) == (40, 20, 15, 25)
    assert not AuditRecord.objects.filter(event="supervision.policy_changed").exists()


def test_weights_only_by_supervisors_and_audited(w):
    for name in ("scj_leader", "handler", "outsider"):
        with pytest.raises(PermissionDenied):
            performance.policy_update(actor=w.users[name], w_timeliness=30, w_ratings=35)
    pol = performance.policy_update(
        actor=w.users["supervisor"], w_timeliness=30, w_ratings=35, complaint_days=7
    )
    assert (pol.w_timeliness, pol.w_ratings, pol.complaint_days) == (30, 35, 7)
    rec = AuditRecord.objects.get(event="supervision.policy_changed")
    assert rec.old == {"w_timeliness": 40, "w_ratings": 25, "complaint_days": 10}


def test_xlsx_readable_back(w, month_data):
    rows = performance.compute_month(county=w.county, month=NOV)
    data = performance.export_xlsx(rows, month=NOV, formula=rows[0].formula)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "2025年11月部门绩效考核"
    assert [c.value for c in ws[2]][:2] == ["排名", "部门"]
    lines = {r[1]: r for r in ws.iter_rows(min_row=3, max_row=5, values_only=True)}
    scj = lines["青山县市场监督管理局"]
    assert scj == (3, "青山县市场监督管理局", 3, 2, 66.67, 2, 1, 2, 62.5, 73.79)
    assert ws.cell(row=7, column=1).value == "计算公式"


def test_trend_over_twelve_months(w, month_data):
    performance.compute_month(county=w.county, month=NOV)
    performance.compute_month(county=w.county, month=date(2025, 10, 1))
    t = sel.trend(w.users["supervisor"], month=date(2025, 12, 1))
    assert t["months"][0] == "2025-01" and t["months"][-1] == "2025-12" and len(t["months"]) == 12
    scj = next(s for s in t["series"] if s["unit_id"] == month_data["scj"].pk)
    assert scj["scores"][10] == 73.79 and scj["scores"][11] is None and scj["scores"][9] is not None
    own = sel.trend(w.users["zj_leader"], month=date(2025, 12, 1))
    assert [s["unit_id"] for s in own["series"]] == [month_data["zjj"].pk]


def test_nightly_job_registered_and_recomputes_current_and_previous_month(w, month_data):
    job = next(j for j in schedule.jobs() if j.job_id == "supervision.performance_nightly")
    assert job.cron == "30 1 * * *"
    with tclock.moved_to(date(2025, 12, 3)):
        n = job.task.call()
    assert n == MonthlyScore.objects.filter(month__in=[NOV, date(2025, 12, 1)]).count()
    assert MonthlyScore.objects.filter(month=NOV).count() == 3


def test_recompute_refuses_a_future_month(w):
    with tclock.moved_to(date(2025, 11, 20)), pytest.raises(TongbanError):
        performance.recompute(actor=w.users["supervisor"], month=date(2025, 12, 1))


# --- pages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status", "units"),
    [
        ("anonymous", 302, None),
        ("citizen", 302, None),
        ("handler", 403, None),
        ("other_head", 200, ["zjj"]),
        ("unit_head", 200, ["scj"]),
        ("supervisor", 200, ["scj", "zjj", "spj"]),
    ],
)
def test_page_and_export_matrix(w, month_data, role, status, units):
    with tclock.moved_to(date(2025, 12, 5)):
        performance.compute_month(county=w.county, month=NOV)
        client = client_for(w, role)
        r = client.get(reverse("supervision:performance") + "?month=2025-11")
        assert r.status_code == status
        x = client.get(reverse("supervision:performance_export") + "?month=2025-11")
        assert x.status_code == status
    if units is None:
        return
    body = r.content.decode()
    shown = {k for k in ("scj", "zjj", "spj") if f'data-unit="{month_data[k].pk}"' in body}
    assert shown == set(units)
    assert "计算公式" in body and "echarts.min.js" in body and 'id="pf-trend-data"' in body
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws.max_row == 2 + len(units) + 2


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("citizen", 302), ("handler", 403), ("unit_head", 403), ("supervisor", 302)],
)
def test_recompute_and_policy_buttons_matrix(w, month_data, role, status):
    client = client_for(w, role)
    with tclock.moved_to(date(2025, 12, 5)):
        r = client.post(reverse("supervision:performance_recompute"), {"month": "2025-11"})
        assert r.status_code == status
        r2 = client.post(
            reverse("supervision:performance_policy"),
            {"month": "2025-11", "w_timeliness": 25, "w_anomalies": 25, "w_complaints": 25, "w_ratings": 25,
             "anomaly_penalty": 5, "complaint_penalty": 10, "complaint_days": 10},
        )  # fmt: skip
        assert r2.status_code == status
    done = role == "supervisor"
    assert MonthlyScore.objects.filter(month=NOV).exists() is done
    assert (SupervisionPolicy.objects.filter(id=1, w_timeliness=25).exists()) is done


def test_policy_form_rejects_bad_sum_with_a_message(w):
    client = client_for(w, "supervisor")
    r = client.post(
        reverse("supervision:performance_policy"),
        {"w_timeliness": 50, "w_anomalies": 25, "w_complaints": 25, "w_ratings": 25,
         "anomaly_penalty": 5, "complaint_penalty": 10, "complaint_days": 10},
        follow=True,
    )  # fmt: skip
    assert "四项权重之和必须等于 100（现为 125）" in r.content.decode()
    assert sel.policy().w_timeliness == 40


def test_page_query_count_does_not_grow_with_departments(w, month_data, django_assert_max_num_queries):
    client = client_for(w, "supervisor")
    with tclock.moved_to(date(2025, 12, 5)):
        performance.compute_month(county=w.county, month=NOV)
        with django_assert_max_num_queries(60) as small:
            client.get(reverse("supervision:performance") + "?month=2025-11")
        for i, unit in enumerate(("zwzx", "jw", "zf")):
            item = published_item(w, code=f"X-{i}", name=f"事项{i}", unit=unit)
            _case(w, item=item, received=_at(2025, 11, 12))
        rows = performance.compute_month(county=w.county, month=NOV)
        assert len(rows) == 6
        with django_assert_max_num_queries(len(small.captured_queries)):
            r = client.get(reverse("supervision:performance") + "?month=2025-11")
    assert r.content.decode().count("data-unit=") == 6


# --- API -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status", "count"),
    [
        ("anonymous", 401, None),
        ("citizen", 401, None),
        ("handler", 403, None),
        ("unit_head", 200, 1),
        ("supervisor", 200, 3),
    ],
)
def test_api_scores_trend_matrix(w, month_data, role, status, count):
    with tclock.moved_to(date(2025, 12, 5)):
        performance.compute_month(county=w.county, month=NOV)
        client = client_for(w, role)
        r = client.get("/api/v1/performance/scores?month=2025-11")
        assert r.status_code == status
        t = client.get("/api/v1/performance/trend?month=2025-11")
        assert t.status_code == status
        x = client.get("/api/v1/performance/export?month=2025-11")
        assert x.status_code == status
    if count is not None:
        assert len(r.json()["rows"]) == count
        assert len(t.json()["series"]) == count
        assert load_workbook(io.BytesIO(x.content)).active["A1"].value == "2025年11月部门绩效考核"


def test_api_recompute_and_policy(w, month_data):
    sup, head = client_for(w, "supervisor"), client_for(w, "unit_head")
    with tclock.moved_to(date(2025, 12, 5)):
        r = head.post("/api/v1/performance/recompute", {"month": "2025-11"}, content_type="application/json")
        assert r.status_code == 403
        assert not MonthlyScore.objects.exists()
        r = sup.post("/api/v1/performance/recompute", {"month": "2025-11"}, content_type="application/json")
        assert r.status_code == 200
        scj = next(x for x in r.json()["rows"] if x["unit_id"] == month_data["scj"].pk)
        assert scj["score"] == 73.79 and scj["rank"] == 3
        r = sup.post("/api/v1/performance/recompute", {"month": "2026-01"}, content_type="application/json")
        assert r.status_code == 400
    assert head.get("/api/v1/performance/policy").json()["w_timeliness"] == 40
    r = head.put(
        "/api/v1/performance/policy", {"w_timeliness": 30, "w_ratings": 35}, content_type="application/json"
    )
    assert r.status_code == 403
    r = sup.put("/api/v1/performance/policy", {"w_timeliness": 30}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "supervision.weights_sum"
    r = sup.put(
        "/api/v1/performance/policy", {"w_timeliness": 30, "w_ratings": 35}, content_type="application/json"
    )
    assert r.status_code == 200 and "按时办结率 × 30%" in r.json()["formula"]
    assert client_for(w, "handler").get("/api/v1/performance/policy").status_code == 403
