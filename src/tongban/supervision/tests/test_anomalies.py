"""Each anomaly kind (rules.md §4) is recorded once, with its evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tongban.approvals import testing
from tongban.approvals.models import Case, CaseFee, EventKind
from tongban.core.clock import moved_to
from tongban.supervision import anomalies, sweep
from tongban.supervision.models import Anomaly, AnomalyKind

pytestmark = pytest.mark.django_db

D = datetime  # events are recorded at local times (Asia/Shanghai)


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _case(w, **fields) -> Case:
    with moved_to(date(2026, 11, 2)):
        return testing.new_case(w, received_at=D(2026, 11, 2, 9), handler=w.users["handler"], **fields)


def _ev(case, kind, at, **data):
    with moved_to(at.date()):
        return testing.event(case, kind, at, **data)


def _only(case, kind) -> Anomaly:
    rows = list(Anomaly.objects.filter(case=case, kind=kind))
    assert len(rows) == 1, rows
    return rows[0]


def test_step_completed_over_its_limit(w):
    case = _case(w)
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(case, EventKind.STEP_STARTED, D(2026, 11, 2, 10), key="review", name="审查", limit=3, counts=True)
    _ev(case, EventKind.STEP_COMPLETED, D(2026, 11, 5, 16), key="review")  # due 5 Nov: on time
    assert not Anomaly.objects.filter(kind=AnomalyKind.STEP_OVERDUE).exists()
    _ev(case, EventKind.STEP_STARTED, D(2026, 11, 5, 16), key="decide", name="决定", limit=2, counts=True)
    _ev(case, EventKind.STEP_COMPLETED, D(2026, 11, 10, 9), key="decide")  # due 9 Nov: a day late
    a = _only(case, AnomalyKind.STEP_OVERDUE)
    assert a.evidence["step"] == "decide" and a.evidence["due"] == "2026-11-09"
    assert a.evidence["completed_on"] == "2026-11-10" and a.evidence["started_on"] == "2026-11-05"
    assert a.evidence["started_seq"] == 5 and a.evidence["completed_seq"] == 6
    assert "决定" in a.summary and "2026-11-09" in a.summary


def test_open_step_past_due_found_by_the_sweep_once(w):
    case = _case(w, current_step="review")
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(case, EventKind.STEP_STARTED, D(2026, 11, 2, 10), key="review", name="审查", limit=3, counts=True)
    with moved_to(date(2026, 11, 5)):
        r = sweep.sweep(today=date(2026, 11, 5))  # due 5 Nov: not yet over
    assert not Anomaly.objects.filter(kind=AnomalyKind.STEP_OVERDUE).exists()
    with moved_to(date(2026, 11, 6)):
        r = sweep.sweep(today=date(2026, 11, 6))
        assert r.anomalies == 1
        sweep.sweep(today=date(2026, 11, 6))
    a = _only(case, AnomalyKind.STEP_OVERDUE)
    assert a.key == "review:3"
    assert a.evidence["due"] == "2026-11-05" and a.evidence["as_of"] == "2026-11-06"
    assert a.evidence["completed_on"] is None and "仍未完成" in a.summary
    # Completing it later does not record it again.
    _ev(case, EventKind.STEP_COMPLETED, D(2026, 11, 9, 9), key="review")
    _only(case, AnomalyKind.STEP_OVERDUE)


def test_open_step_paused_is_not_overdue(w):
    """A pause (第四十五条) stops the step's clock too: the sweep's exact check deducts it."""
    case = _case(w, current_step="review")
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(case, EventKind.STEP_STARTED, D(2026, 11, 2, 10), key="review", name="审查", limit=3, counts=True)
    _ev(case, EventKind.PAUSED, D(2026, 11, 3, 10), reason="testing", expected_days=3)
    _ev(case, EventKind.RESUMED, D(2026, 11, 6, 10))  # 3 working days paused → step due 10 Nov
    with moved_to(date(2026, 11, 9)):
        sweep.sweep(today=date(2026, 11, 9))
    assert not Anomaly.objects.filter(kind=AnomalyKind.STEP_OVERDUE).exists()
    with moved_to(date(2026, 11, 11)):
        sweep.sweep(today=date(2026, 11, 11))
    assert _only(case, AnomalyKind.STEP_OVERDUE).evidence["due"] == "2026-11-10"


def test_late_supplement_notice(w):
    case = _case(w)
    # Window: 5 working days from 2 Nov → 9 Nov; the notice comes on 10 Nov.
    _ev(case, EventKind.SUPPLEMENT_REQUESTED, D(2026, 11, 10, 9), late=True, late_reason="材料需核实")
    a = _only(case, AnomalyKind.LATE_SUPPLEMENT)
    assert a.evidence["window_due"] == "2026-11-09" and a.evidence["on"] == "2026-11-10"
    assert a.evidence["event_seq"] == 2 and a.evidence["reason"] == "材料需核实"
    assert not Anomaly.objects.filter(kind=AnomalyKind.SECOND_SUPPLEMENT).exists()


def test_late_supplement_computed_even_without_the_flag(w):
    case = _case(w)
    _ev(case, EventKind.SUPPLEMENT_REQUESTED, D(2026, 11, 12, 9))
    assert _only(case, AnomalyKind.LATE_SUPPLEMENT).evidence["window_due"] == "2026-11-09"


def test_second_supplement_notice(w):
    case = _case(w)
    _ev(case, EventKind.SUPPLEMENT_REQUESTED, D(2026, 11, 3, 9))
    _ev(case, EventKind.SUPPLEMENTED, D(2026, 11, 4, 9))
    assert not Anomaly.objects.exists()
    # The new window runs from the supplement day (4 Nov → 11 Nov): on time, but a second notice.
    _ev(case, EventKind.SUPPLEMENT_REQUESTED, D(2026, 11, 5, 9), second=True, late_reason="补充核查")
    a = _only(case, AnomalyKind.SECOND_SUPPLEMENT)
    assert a.evidence["earlier"] == [{"event_seq": 2, "on": "2026-11-03"}] and a.evidence["event_seq"] == 4
    assert not Anomaly.objects.filter(kind=AnomalyKind.LATE_SUPPLEMENT).exists()


def test_rejection_without_reason(w):
    case = _case(w)
    _ev(case, EventKind.REJECTED, D(2026, 11, 3, 9), reason="other", text="  ")
    a = _only(case, AnomalyKind.REFUSAL_WITHOUT_REASON)
    assert a.evidence == {"event_seq": 2, "on": "2026-11-03", "kind": "rejected", "reason": "other"}
    other = _case(w)
    _ev(other, EventKind.REJECTED, D(2026, 11, 3, 9), reason="not_eligible", text="申请人不具备资格")
    assert not Anomaly.objects.filter(case=other).exists()


def test_refusal_decision_without_reason(w):
    case = _case(w)
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(case, EventKind.DECIDED, D(2026, 11, 4, 9), decision="refuse", reasons="")
    assert _only(case, AnomalyKind.REFUSAL_WITHOUT_REASON).evidence["decision"] == "refuse"
    ok = _case(w)
    _ev(ok, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(ok, EventKind.DECIDED, D(2026, 11, 4, 9), decision="refuse", reasons="场所不符合要求")
    assert not Anomaly.objects.filter(case=ok).exists()


def test_pause_outside_article_45(w):
    case = _case(w)
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(
        case,
        EventKind.PAUSED,
        D(2026, 11, 3, 9),
        reason="waiting_leader",
        reason_label="等待领导签字",
        expected_days=3,
    )
    a = _only(case, AnomalyKind.UNLAWFUL_PAUSE)
    assert a.evidence["reason"] == "waiting_leader" and "等待领导签字" in a.summary
    ok = _case(w)
    _ev(ok, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(ok, EventKind.PAUSED, D(2026, 11, 3, 9), reason="expert_review", expected_days=3)
    assert not Anomaly.objects.filter(case=ok).exists()


def test_decision_after_statutory_limit(w):
    case = _case(w)
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    case.refresh_from_db()
    assert case.due_statutory == date(2026, 11, 30)  # 20 working days
    _ev(case, EventKind.DECIDED, D(2026, 12, 1, 9), decision="grant")
    a = _only(case, AnomalyKind.DECISION_LATE)
    assert a.evidence["due_statutory"] == "2026-11-30" and a.evidence["on"] == "2026-12-01"


def test_late_certificate(w):
    case = _case(w)
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    _ev(case, EventKind.DECIDED, D(2026, 11, 5, 9), decision="grant")
    _ev(case, EventKind.CERTIFICATE_ISSUED, D(2026, 11, 20, 9))  # due 19 Nov (第四十四条)
    a = _only(case, AnomalyKind.LATE_CERTIFICATE)
    assert a.evidence["cert_due"] == "2026-11-19" and a.evidence["on"] == "2026-11-20"


def test_irregular_fee_found_by_sweep_and_by_event_once(w):
    item = testing.published_item(w, code="X-FEE-1", fees=[("证照工本费", "10.00", "发改价格〔2020〕1号")])
    case = _case(w, item=item)
    _ev(case, EventKind.ACCEPTED, D(2026, 11, 2, 10))
    now = timezone.now()
    CaseFee.objects.create(case=case, name="证照工本费", amount=Decimal("10.00"), charged_at=now)
    bad = CaseFee.objects.create(case=case, name="证照工本费", amount=Decimal("20.00"), charged_at=now)
    with moved_to(date(2026, 11, 3)):
        r = sweep.sweep(today=date(2026, 11, 3))
        assert r.anomalies == 1
        sweep.sweep(today=date(2026, 11, 3))
    a = _only(case, AnomalyKind.IRREGULAR_FEE)
    assert a.key == f"fee:{bad.pk}" and a.evidence["amount"] == "20.00"
    assert a.evidence["listed"] == [{"name": "证照工本费", "amount": "10.00"}]
    # Another fee not in the list is found at the case's next event.
    odd = CaseFee.objects.create(case=case, name="加急费", amount=Decimal("50.00"), charged_at=now)
    _ev(case, EventKind.STEP_STARTED, D(2026, 11, 4, 9), key="review", name="审查", limit=3)
    assert Anomaly.objects.filter(case=case, kind=AnomalyKind.IRREGULAR_FEE).count() == 2
    assert Anomaly.objects.filter(key=f"fee:{odd.pk}").exists()


def test_fee_on_a_fee_free_item(w):
    case = _case(w)
    CaseFee.objects.create(case=case, name="咨询费", amount=Decimal("5.00"), charged_at=timezone.now())
    found = anomalies.check_fees(case)
    assert len(found) == 1 and "该事项不收费" in found[0].summary
    assert anomalies.check_fees(case) == []


def test_record_is_idempotent(w):
    case = _case(w)
    assert anomalies.record(case, AnomalyKind.OVER_COMMITTED, "k", {"a": date(2026, 1, 2)}, "x") is not None
    assert anomalies.record(case, AnomalyKind.OVER_COMMITTED, "k", {}, "y") is None
    assert Anomaly.objects.get().evidence == {"a": "2026-01-02"}


def test_anomaly_close_needs_a_note(w):
    from tongban.core.errors import TongbanError

    case = _case(w)
    a = anomalies.record(case, AnomalyKind.OVER_COMMITTED, "k", {}, "x")
    with pytest.raises(TongbanError):
        anomalies.anomaly_close(actor=w.users["supervisor"], anomaly=a, note=" ")
    a = anomalies.anomaly_close(actor=w.users["supervisor"], anomaly=a, note="已核实")
    assert a.status == "closed"
    with pytest.raises(TongbanError):
        anomalies.anomaly_close(actor=w.users["supervisor"], anomaly=a, note="again")
