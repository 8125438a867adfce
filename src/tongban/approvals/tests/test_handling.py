"""Handling services: the pre-acceptance check, the workflow steps with their own limits, pause,
extension, decision, certificate, fees and withdrawal — each with its refusals (wrong state,
wrong unit, supervisor, missing reasons), and deemed acceptance (第三十二条)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tongban.approvals import clock, handling, testing
from tongban.approvals.models import (
    Case,
    CaseEvent,
    CaseFee,
    CaseNotice,
    CaseStatus,
    ClockState,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    NoticeKind,
    SupplementRequest,
)
from tongban.core.audit import AuditRecord
from tongban.core.clock import moved_to
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.workflow.models import InstanceStatus, WorkItem, WorkItemStatus

pytestmark = pytest.mark.django_db


class NullSms:
    def send(self, phone: str, text: str) -> str:
        return "ok"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


# Received Monday 2025-03-03 10:00: acceptance window (5) to 2025-03-10.
RECEIVED = datetime(2025, 3, 3, 10, 0)
DAY1 = date(2025, 3, 4)


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def notices(case: Case) -> list[str]:
    return list(CaseNotice.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def accepted(w: testing.ApprovalWorld, **kw: Any) -> Case:
    case = testing.new_case(w, received_at=RECEIVED, **kw)
    with moved_to(DAY1):
        return handling.case_accept(case=case, actor=w.users["handler"])


def reviewed(w: testing.ApprovalWorld) -> Case:
    case = accepted(w)
    with moved_to(date(2025, 3, 5)):
        return handling.step_complete(case=case, actor=w.users["handler"], opinion="材料齐全，符合条件。")


# --- acceptance ---------------------------------------------------------------------------------
def test_accept_starts_the_process_with_the_step_limits(w):
    case = accepted(w)
    assert case.status == CaseStatus.ACCEPTED
    assert case.accepted_on == DAY1
    assert case.instance is not None and case.instance.status == InstanceStatus.RUNNING
    assert kinds(case) == [EventKind.RECEIVED, EventKind.ACCEPTED, EventKind.STEP_STARTED]
    started = CaseEvent.objects.get(case=case, kind=EventKind.STEP_STARTED)
    assert started.data == {"key": "review", "name": "审查", "limit": 3, "counts": True}
    assert case.current_step == "review"
    assert case.handler == w.users["handler"]  # the one who accepted reviews it
    assert notices(case) == [NoticeKind.ACCEPTANCE]
    item = WorkItem.objects.get(instance=case.instance, status=WorkItemStatus.OPEN)
    assert item.step == "review" and item.assignee == w.users["handler"]
    assert AuditRecord.objects.filter(event="approvals.case_accepted", object_id=str(case.pk)).exists()
    c = clock.case_clock(case, today=DAY1)
    assert [(s.key, s.limit, s.due) for s in c.steps] == [("review", 3, date(2025, 3, 7))]


def test_accept_refusals(w):
    case = testing.new_case(w, received_at=RECEIVED)
    for who in ("zj_handler", "supervisor", "window", "scj_staff", "outsider"):
        with pytest.raises(PermissionDenied):
            handling.case_accept(case=case, actor=w.users[who])
    with pytest.raises(PermissionDenied) as err:
        handling.case_accept(case=case, actor=w.users["supervisor"])
    assert err.value.code == "approvals.supervisor_read_only"
    assert kinds(case) == [EventKind.RECEIVED]
    case = accepted(w)
    with pytest.raises(TongbanError) as err2:
        handling.case_accept(case=case, actor=w.users["handler"])
    assert err2.value.code == "approvals.wrong_state"


def test_accept_after_the_window_keeps_the_deemed_date(w):
    case = testing.new_case(w, received_at=RECEIVED)
    with moved_to(date(2025, 3, 12)):
        case = handling.case_accept(case=case, actor=w.users["handler"])
    assert case.deemed_accepted and case.accepted_on == date(2025, 3, 3)
    assert kinds(case)[:3] == [EventKind.RECEIVED, EventKind.DEEMED_ACCEPTED, EventKind.ACCEPTED]


def test_reject_needs_reason_and_text_and_states_appeal_rights(w):
    case = testing.new_case(w, received_at=RECEIVED)
    h = w.users["handler"]
    with pytest.raises(TongbanError) as err:
        handling.case_reject(case=case, actor=h, reason="", text="x")
    assert err.value.field == "reason"
    with pytest.raises(TongbanError) as err:
        handling.case_reject(case=case, actor=h, reason="bogus", text="x")
    assert err.value.field == "reason"
    with pytest.raises(TongbanError) as err:
        handling.case_reject(case=case, actor=h, reason="not_eligible", text="  ")
    assert err.value.field == "text"
    with pytest.raises(PermissionDenied):
        handling.case_reject(case=case, actor=w.users["supervisor"], reason="not_eligible", text="x")
    assert kinds(case) == [EventKind.RECEIVED]
    with moved_to(DAY1):
        case = handling.case_reject(
            case=case, actor=h, reason="not_eligible", text="申请人不具备食品经营资格。"
        )
    assert case.status == CaseStatus.REJECTED and not case.is_open
    assert case.clock_state == ClockState.STOPPED
    n = CaseNotice.objects.get(case=case, kind=NoticeKind.REJECTION)
    assert "申请人不具备申请资格" in n.body and "行政复议" in n.body and "行政诉讼" in n.body
    ev = CaseEvent.objects.get(case=case, kind=EventKind.REJECTED)
    assert ev.data["reason"] == "not_eligible" and ev.data["text"]


def test_reject_after_the_window_is_refused(w):
    case = testing.new_case(w, received_at=RECEIVED)
    with moved_to(date(2025, 3, 12)), pytest.raises(TongbanError) as err:
        handling.case_reject(case=case, actor=w.users["handler"], reason="not_eligible", text="x")
    assert err.value.code == "approvals.deemed_accepted"


# --- supplement (第三十二条: one notice listing everything) -------------------------------------
def test_one_supplement_notice_lists_everything(w):
    case = testing.new_case(w, received_at=RECEIVED)
    mats = list(case.version.materials.all()[:2])
    with moved_to(DAY1):
        req = handling.case_request_supplement(
            case=case, actor=w.users["handler"], materials=mats, items_text="申请书缺少法定代表人签字。"
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT and case.clock_state == ClockState.SUPPLEMENT
    assert set(req.materials.all()) == set(mats)
    n = CaseNotice.objects.get(case=case, kind=NoticeKind.SUPPLEMENT)
    for m in mats:
        assert m.name in n.body
    ev = CaseEvent.objects.get(case=case, kind=EventKind.SUPPLEMENT_REQUESTED)
    assert ev.data["late"] is False and ev.data["second"] is False and ev.data["reason"] == ""


def test_supplement_refusals_and_second_notice_needs_a_reason(w):
    case = testing.new_case(w, received_at=RECEIVED)
    h = w.users["handler"]
    with pytest.raises(TongbanError) as err:
        handling.case_request_supplement(case=case, actor=h, materials=[], items_text="")
    assert err.value.field == "items_text"
    other = testing.published_item(w, code="X-2", name="其他事项")
    with pytest.raises(TongbanError) as err:
        handling.case_request_supplement(
            case=case, actor=h, materials=[other.current.materials.first()], items_text="x"
        )
    assert err.value.field == "materials"
    with pytest.raises(PermissionDenied):
        handling.case_request_supplement(case=case, actor=w.users["zj_handler"], items_text="x")
    assert not SupplementRequest.objects.filter(case=case).exists()
    with moved_to(DAY1):
        handling.case_request_supplement(case=case, actor=h, items_text="缺营业执照。")
    # the applicant supplements: back to pre-acceptance (done here the short way)
    testing.event(case, EventKind.SUPPLEMENTED, datetime(2025, 3, 5, 9, 0))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.SUBMITTED)
    with moved_to(date(2025, 3, 6)):
        with pytest.raises(TongbanError) as err:
            handling.case_request_supplement(case=case, actor=h, items_text="还缺平面图。")
        assert err.value.code == "approvals.late_reason_required" and "一次性告知" in str(err.value.message)
        handling.case_request_supplement(
            case=case, actor=h, items_text="还缺平面图。", late_reason="现场核查发现新增经营项目。"
        )
    ev = CaseEvent.objects.filter(case=case, kind=EventKind.SUPPLEMENT_REQUESTED).order_by("-seq").first()
    assert ev.data["second"] is True and ev.data["reason"] == "现场核查发现新增经营项目。"


def test_late_supplement_needs_a_reason_and_counts_as_accepted(w):
    case = testing.new_case(w, received_at=RECEIVED)
    h = w.users["handler"]
    with moved_to(date(2025, 3, 11)):
        with pytest.raises(TongbanError) as err:
            handling.case_request_supplement(case=case, actor=h, items_text="缺营业执照。")
        assert "5 个工作日" in str(err.value.message)
        handling.case_request_supplement(
            case=case, actor=h, items_text="缺营业执照。", late_reason="系统故障。"
        )
    case.refresh_from_db()
    assert case.deemed_accepted and case.accepted_on == date(2025, 3, 3)
    ev = CaseEvent.objects.get(case=case, kind=EventKind.SUPPLEMENT_REQUESTED)
    assert ev.data["late"] is True and ev.data["after_acceptance"] is True
    assert case.clock_state == ClockState.RUNNING  # the clock keeps running after acceptance
    assert case.status == CaseStatus.SUPPLEMENT and ev.data["previous_status"] == CaseStatus.ACCEPTED


def test_supplement_after_acceptance_needs_a_reason(w):
    case = accepted(w)
    with moved_to(date(2025, 3, 5)):
        with pytest.raises(TongbanError) as err:
            handling.case_request_supplement(case=case, actor=w.users["handler"], items_text="补充检测报告。")
        assert err.value.field == "late_reason"
        handling.case_request_supplement(
            case=case, actor=w.users["handler"], items_text="补充检测报告。", late_reason="审查中发现需要。"
        )
    case.refresh_from_db()
    assert case.clock_state == ClockState.RUNNING


# --- deemed acceptance --------------------------------------------------------------------------
def test_cases_deem_accepted(w):
    case = testing.new_case(w, received_at=RECEIVED)
    fresh = testing.new_case(w, received_at=datetime(2025, 3, 7, 10, 0))
    assert handling.cases_deem_accepted(today=date(2025, 3, 10)) == 0  # the last day of the window
    with moved_to(date(2025, 3, 11)):
        assert handling.cases_deem_accepted() == 1
        assert handling.cases_deem_accepted() == 0  # idempotent
    case.refresh_from_db()
    fresh.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted
    assert case.accepted_on == date(2025, 3, 3)
    ev = CaseEvent.objects.get(case=case, kind=EventKind.DEEMED_ACCEPTED)
    assert ev.data == {"as_of": "2025-03-03"}
    assert case.instance is not None and case.current_step == "review"
    n = CaseNotice.objects.get(case=case, kind=NoticeKind.ACCEPTANCE)
    assert "视为受理" in n.body
    assert fresh.status == CaseStatus.SUBMITTED


# --- steps, decision, certificate ---------------------------------------------------------------
def test_review_then_decide_by_the_unit_head(w):
    case = reviewed(w)
    assert case.current_step == "decide"
    assert [e.data["key"] for e in CaseEvent.objects.filter(case=case, kind=EventKind.STEP_COMPLETED)] == [
        "review"
    ]
    started = CaseEvent.objects.filter(case=case, kind=EventKind.STEP_STARTED).order_by("seq").last()
    assert started.data == {"key": "decide", "name": "决定", "limit": 2, "counts": True}
    # the handler cannot decide: the 决定 step is the unit head's
    with moved_to(date(2025, 3, 6)):
        with pytest.raises(PermissionDenied):
            handling.case_decide(case=case, actor=w.users["handler"], decision="grant")
        with pytest.raises(PermissionDenied):
            handling.case_decide(case=case, actor=w.users["supervisor"], decision="grant")
        with pytest.raises(PermissionDenied):
            handling.case_decide(case=case, actor=w.users["zj_leader"], decision="grant")
        with pytest.raises(TongbanError) as err:
            handling.case_decide(case=case, actor=w.users["scj_leader"], decision="refuse", reasons="")
        assert err.value.field == "reasons"
        with pytest.raises(TongbanError) as err:
            handling.case_decide(
                case=case, actor=w.users["scj_leader"], decision="refuse", reasons="不符合条件"
            )
        assert err.value.field == "appeal_rights"
        assert not CaseEvent.objects.filter(case=case, kind=EventKind.DECIDED).exists()
        case = handling.case_decide(case=case, actor=w.users["scj_leader"], decision="grant")
    assert case.status == CaseStatus.DECIDED and case.decision == "grant"
    assert case.current_step == "certify" and case.clock_state == ClockState.CERTIFICATE
    assert case.cert_due == date(2025, 3, 20)
    assert NoticeKind.GRANT in notices(case)


def test_review_step_refusals(w):
    case = testing.new_case(w, received_at=RECEIVED)
    with pytest.raises(TongbanError):
        handling.step_complete(case=case, actor=w.users["handler"], opinion="x")  # not accepted yet
    case = accepted(w)
    with pytest.raises(TongbanError) as err:
        handling.step_complete(case=case, actor=w.users["handler"], opinion=" ")
    assert err.value.field == "opinion"
    with pytest.raises(PermissionDenied):
        handling.step_complete(case=case, actor=w.users["supervisor"], opinion="x")
    with pytest.raises(TongbanError) as err:
        handling.case_decide(case=case, actor=w.users["scj_leader"], decision="grant")
    assert err.value.code == "approvals.wrong_step"


def test_refusal_completes_the_case(w):
    case = reviewed(w)
    with moved_to(date(2025, 3, 6)):
        case = handling.case_decide(
            case=case,
            actor=w.users["scj_leader"],
            decision="refuse",
            reasons="经营场所与食品安全要求不符。",
            appeal_rights=handling.DEFAULT_APPEAL_RIGHTS,
        )
    assert case.status == CaseStatus.COMPLETED and not case.is_open and case.decision == "refuse"
    assert case.instance.status == InstanceStatus.COMPLETED
    n = CaseNotice.objects.get(case=case, kind=NoticeKind.REFUSAL)
    assert "经营场所与食品安全要求不符" in n.body and "行政复议" in n.body
    assert kinds(case)[-1] == EventKind.COMPLETED
    ev = CaseEvent.objects.get(case=case, kind=EventKind.DECIDED)
    assert ev.data["late"] is False


def test_decision_after_the_statutory_deadline_is_recorded(w):
    case = reviewed(w)
    case.refresh_from_db()
    assert case.due_statutory == date(2025, 4, 1)
    with moved_to(date(2025, 4, 2)):
        handling.case_decide(case=case, actor=w.users["scj_leader"], decision="grant")
    assert CaseEvent.objects.get(case=case, kind=EventKind.DECIDED).data["late"] is True


def test_grant_without_certificate_completes(w):
    item = testing.published_item(w, code="X-3", name="公共场所卫生许可变更", certificate_name="")
    case = testing.new_case(w, item=item, received_at=RECEIVED)
    with moved_to(DAY1):
        handling.case_accept(case=case, actor=w.users["handler"])
        handling.step_complete(case=case, actor=w.users["handler"], opinion="同意。")
        case = handling.case_decide(case=case, actor=w.users["scj_leader"], decision="grant")
    assert case.status == CaseStatus.COMPLETED and case.instance.status == InstanceStatus.COMPLETED


def test_full_case_to_certificate(w):
    from tongban.seals import services as seal_services

    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    case = reviewed(w)
    with moved_to(date(2025, 3, 6)):
        handling.case_decide(case=case, actor=w.users["scj_leader"], decision="grant")
        with pytest.raises(PermissionDenied):
            handling.certificate_issue(case=case, actor=w.users["supervisor"])
        cert = handling.certificate_issue(case=case, actor=w.users["handler"])
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and not case.is_open and case.completed_at
    assert case.clock_state == ClockState.STOPPED
    assert cert.number and case.certificate == cert
    assert case.instance.status == InstanceStatus.COMPLETED
    assert kinds(case)[-2:] == [EventKind.CERTIFICATE_ISSUED, EventKind.COMPLETED]
    steps = [
        (e.kind, e.data["key"])
        for e in CaseEvent.objects.filter(
            case=case, kind__in=[EventKind.STEP_STARTED, EventKind.STEP_COMPLETED]
        )
    ]
    assert steps == [
        ("step_started", "review"), ("step_completed", "review"),
        ("step_started", "decide"), ("step_completed", "decide"),
        ("step_started", "certify"), ("step_completed", "certify"),
    ]  # fmt: skip
    limits = {
        e.data["key"]: e.data["limit"]
        for e in CaseEvent.objects.filter(case=case, kind=EventKind.STEP_STARTED)
    }
    assert limits == {"review": 3, "decide": 2, "certify": 10}
    assert notices(case) == [NoticeKind.ACCEPTANCE, NoticeKind.GRANT, NoticeKind.CERTIFICATE]
    with pytest.raises(TongbanError):
        handling.certificate_issue(case=case, actor=w.users["handler"])


def test_two_level_process_runs_first_review(w):
    item = testing.published_item(
        w, code="X-4", name="两级审查事项", process_key="approval-two-level",
        steps=[("first_review", "初审", 5, True), ("review", "审查", 3, True), ("decide", "决定", 2, True),
               ("certify", "制证送达", 10, False)],
        committed=10,
    )  # fmt: skip
    case = testing.new_case(w, item=item, received_at=RECEIVED)
    with moved_to(DAY1):
        case = handling.case_accept(case=case, actor=w.users["handler"])
        assert case.current_step == "first_review"
        case = handling.step_complete(case=case, actor=w.users["handler"], opinion="初审同意。")
        assert case.current_step == "review"
        case = handling.step_complete(case=case, actor=w.users["handler"], opinion="审查同意。")
        assert case.current_step == "decide"


# --- pause (第四十五条) ------------------------------------------------------------------------------
def test_pause_and_resume(w):
    case = reviewed(w)
    h = w.users["handler"]
    with moved_to(date(2025, 3, 6)):
        with pytest.raises(TongbanError) as err:
            handling.case_pause(case=case, actor=h, reason="holiday", expected_days=3)
        assert err.value.code == "approvals.pause_reason" and "第四十五条" in str(err.value.message)
        with pytest.raises(TongbanError) as err:
            handling.case_pause(case=case, actor=h, reason="testing", expected_days=0)
        assert err.value.field == "expected_days"
        with pytest.raises(PermissionDenied):
            handling.case_pause(case=case, actor=w.users["supervisor"], reason="testing", expected_days=5)
        case = handling.case_pause(case=case, actor=h, reason="testing", expected_days=5, note="送检")
    assert case.status == CaseStatus.PAUSED and case.clock_state == ClockState.PAUSED
    assert case.due_on is None
    assert WorkItem.objects.filter(instance=case.instance, status=WorkItemStatus.OPEN).exists()
    n = CaseNotice.objects.get(case=case, kind=NoticeKind.PAUSE)
    assert "检测" in n.body
    with moved_to(date(2025, 3, 7)), pytest.raises(TongbanError) as err:
        handling.case_decide(case=case, actor=w.users["scj_leader"], decision="grant")
    assert err.value.code == "approvals.paused"
    before = case.due_committed
    with moved_to(date(2025, 3, 13)):
        case = handling.case_resume(case=case, actor=h)
    assert case.status == CaseStatus.ACCEPTED and case.paused_days == 5
    assert case.due_committed > before
    assert NoticeKind.RESUME in notices(case)
    with pytest.raises(TongbanError):
        handling.case_resume(case=case, actor=h)


# --- extension (第四十二条) ------------------------------------------------------------------------
def test_extension_once_approved_by_the_unit_head(w):
    case = accepted(w)
    h, head = w.users["handler"], w.users["scj_leader"]
    with moved_to(date(2025, 3, 5)):
        with pytest.raises(TongbanError) as err:
            handling.extension_request(case=case, actor=h, days=11, reason="需现场核查")
        assert err.value.field == "days"
        with pytest.raises(TongbanError) as err:
            handling.extension_request(case=case, actor=h, days=5, reason="")
        assert err.value.field == "reason"
        with pytest.raises(PermissionDenied):
            handling.extension_request(case=case, actor=w.users["supervisor"], days=5, reason="x")
        req = handling.extension_request(case=case, actor=h, days=10, reason="需现场核查经营场所。")
        with pytest.raises(TongbanError) as err:
            handling.extension_request(case=case, actor=h, days=2, reason="再延")
        assert err.value.code == "approvals.extension_once"
        for who in ("handler", "supervisor", "zj_leader"):
            with pytest.raises(PermissionDenied):
                handling.extension_decide(request=req, actor=w.users[who], approve=True)
        assert not CaseEvent.objects.filter(case=case, kind=EventKind.EXTENDED).exists()
        before = Case.objects.get(pk=case.pk).due_statutory
        handling.extension_decide(request=req, actor=head, approve=True, note="同意")
    req.refresh_from_db()
    case.refresh_from_db()
    assert req.status == ExtensionStatus.APPROVED and req.decided_by == head
    assert case.extension_days == 10 and case.due_statutory > before
    n = CaseNotice.objects.get(case=case, kind=NoticeKind.EXTENSION)
    assert "需现场核查经营场所" in n.body
    with pytest.raises(TongbanError):
        handling.extension_decide(request=req, actor=head, approve=True)
    with moved_to(date(2025, 3, 6)), pytest.raises(TongbanError) as err:
        handling.extension_request(case=case, actor=h, days=1, reason="再次延期")
    assert err.value.code == "approvals.extension_once"


def test_extension_refused_then_joint_item_allows_15(w):
    item = testing.published_item(w, code="X-5", name="联合办理事项", joint=True, statutory=45, committed=30)
    case = testing.new_case(w, item=item, received_at=RECEIVED)
    h, head = w.users["handler"], w.users["scj_leader"]
    with moved_to(DAY1):
        handling.case_accept(case=case, actor=h)
        with pytest.raises(TongbanError):
            handling.extension_request(case=case, actor=h, days=16, reason="x")
        req = handling.extension_request(case=case, actor=h, days=15, reason="联合审查需要。")
        with pytest.raises(TongbanError) as err:
            handling.extension_decide(request=req, actor=head, approve=False)
        assert err.value.field == "note"
        handling.extension_decide(request=req, actor=head, approve=False, note="理由不充分")
    assert ExtensionRequest.objects.get(pk=req.pk).status == ExtensionStatus.REFUSED
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.EXTENDED).exists()


# --- fees and withdrawal -------------------------------------------------------------------------
def test_fee_charge(w):
    case = accepted(w)
    with pytest.raises(TongbanError) as err:
        handling.fee_charge(case=case, actor=w.users["handler"], name="工本费", amount="-1")
    assert err.value.field == "amount"
    with pytest.raises(PermissionDenied):
        handling.fee_charge(case=case, actor=w.users["supervisor"], name="工本费", amount="10")
    fee = handling.fee_charge(case=case, actor=w.users["handler"], name="工本费", amount="10")
    assert fee.amount == Decimal("10.00") and CaseFee.objects.filter(case=case).count() == 1


def test_withdraw_cancels_the_process(w):
    case = accepted(w)
    with pytest.raises(TongbanError) as err:
        handling.case_withdraw(case=case, actor=w.users["handler"], note="")
    assert err.value.field == "note"
    case = handling.case_withdraw(case=case, actor=w.users["handler"], note="申请人书面申请撤回。")
    assert case.status == CaseStatus.WITHDRAWN and not case.is_open
    assert case.instance.status == InstanceStatus.CANCELLED
    assert not WorkItem.objects.filter(instance=case.instance, status=WorkItemStatus.OPEN).exists()


def test_applicant_withdrawal_online_cancels_the_process_too(w):
    case = accepted(w)
    testing.event(case, EventKind.WITHDRAWN, datetime(2025, 3, 5, 10, 0))
    case.refresh_from_db()
    assert case.instance.status == InstanceStatus.CANCELLED


def test_deemed_acceptance_is_stored_even_where_nobody_can_start_the_process(w):
    item = testing.published_item(w, code="ZF-1", name="县政府事项", unit="zf")  # 县政府: nobody in it
    case = testing.new_case(w, item=item, received_at=RECEIVED)
    with moved_to(date(2025, 3, 11)):
        assert handling.cases_deem_accepted() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted and case.instance is None
