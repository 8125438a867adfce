"""The papers of a case: the lawful wording of each notice, the unit-sealed PDFs read back, the
electronic certificate, and the applicant's SMS (once, retried on failure)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from tongban.approvals import papers, tasks, testing
from tongban.approvals.models import (
    CaseNotice,
    Certificate,
    EventKind,
    ItemMaterial,
    NoticeKind,
    TrackingCounter,
)
from tongban.core.clock import moved_to
from tongban.core.errors import TongbanError
from tongban.seals import selectors as seal_selectors
from tongban.seals import services as seal_services

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []
FAIL: list[int] = [0]  # how many of the next sends fail


class RecordingSms:
    """A test SMS backend: records what it is asked to send, fails on demand."""

    def send(self, phone: str, text: str) -> str:
        if FAIL[0] > 0:
            FAIL[0] -= 1
            raise OSError("SMSC down")
        SENT.append((phone, text))
        return f"m{len(SENT)}"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.RecordingSms"
    SENT.clear()
    FAIL[0] = 0


@pytest.fixture
def w() -> testing.ApprovalWorld:
    world = testing.build_world()
    seal_services.ca_init(county=world.county)
    seal_services.certificate_issue(unit=world.units["scj"])
    return world


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def accepted_case(w: testing.ApprovalWorld) -> Any:
    # Received Friday 2025-01-24, accepted the same day: committed 5 → 2025-02-07, statutory 20 → 2025-02-27
    case = testing.new_case(w, received_at=datetime(2025, 1, 24, 10, 0))
    return testing.event(case, EventKind.ACCEPTED, datetime(2025, 1, 24, 15, 0))


# --- wording --------------------------------------------------------------------------------------


def test_receipt_names_the_window_and_the_materials(w):
    case = testing.new_case(w, received_at=datetime(2025, 1, 24, 10, 0))
    title, body = papers.notice_text(NoticeKind.RECEIPT, case, materials=["营业执照复印件", "申请书"])
    assert title == "收件回执"
    assert body.startswith("张明：")
    assert "2025年1月24日" in body and "2025年2月7日" in body  # receipt + 5 working days over 春节
    assert case.tracking_no in body and "1. 营业执照复印件" in body and "2. 申请书" in body
    assert "第三十二条" in body


def test_acceptance_gives_committed_and_statutory_deadlines(w):
    case = accepted_case(w)
    title, body = papers.notice_text(NoticeKind.ACCEPTANCE, case)
    assert title == "受理通知书"
    assert "2025年1月24日予以受理" in body
    assert "5个工作日内，即2025年2月7日" in body
    assert "20个工作日，即2025年2月27日" in body
    assert "第四十二条" in body and "第四十五条" in body


def test_deemed_acceptance_says_so(w):
    case = testing.new_case(w, received_at=datetime(2025, 1, 24, 10, 0))
    case = testing.event(case, EventKind.DEEMED_ACCEPTED, datetime(2025, 2, 10, 9, 0))
    _t, body = papers.notice_text(NoticeKind.ACCEPTANCE, case)
    assert "自2025年1月24日起视为受理" in body


def test_rejection_has_reason_and_appeal_rights(w):
    case = testing.new_case(w, received_at=datetime(2025, 1, 24, 10, 0))
    title, body = papers.notice_text(
        NoticeKind.REJECTION, case, reason="not_competent", text="应向省级主管部门申请"
    )
    assert title == "不予受理通知书"
    assert "申请事项依法不属于本行政机关职权范围" in body and "应向省级主管部门申请" in body
    assert "依法享有申请行政复议或者提起行政诉讼的权利" in body
    assert "六十日内向青山县人民政府申请行政复议" in body and "六个月内" in body
    assert "请向有关行政机关申请" in body
    # particulars given by the handler replace the default ones, never the right itself
    _t, body = papers.notice_text(
        NoticeKind.REJECTION, case, reason="not_eligible", appeal_rights="可向市政府申请复议。"
    )
    assert "依法享有申请行政复议或者提起行政诉讼的权利。可向市政府申请复议。" in body
    assert "青山县人民政府" not in body and "请向有关行政机关申请" not in body


def test_supplement_lists_everything_once(w):
    case = testing.new_case(w, received_at=datetime(2025, 1, 24, 10, 0))
    mats = list(ItemMaterial.objects.filter(version=case.version).order_by("sort")[:2])
    title, body = papers.notice_text(
        NoticeKind.SUPPLEMENT, case, materials=mats, items_text="经营场所平面图需标注面积"
    )
    assert title == "补正材料告知书"
    assert "第三十二条第一款第四项" in body and "一次性告知" in body
    assert "1. 食品经营许可申请书\n2. 营业执照复印件\n3. 经营场所平面图需标注面积" in body


def test_pause_extension_and_resume(w):
    case = accepted_case(w)
    _t, body = papers.notice_text(
        NoticeKind.PAUSE, case, reason="expert_review", expected_days=10, note="组织专家"
    )
    assert "专家评审" in body and "第四十五条" in body and "预计需要10个工作日" in body
    assert "不计算在行政许可期限内" in body and "组织专家" in body
    case = testing.event(case, EventKind.EXTENDED, datetime(2025, 2, 5, 9, 0), days=10)
    title, body = papers.notice_text(NoticeKind.EXTENSION, case, days=10, reason="需现场核查")
    assert title == "延长审批期限告知书"
    # 2025-01-24 + 20 + 10 working days: 2025-02-27 + 10 → 2025-03-13
    assert "延长10个工作日" in body and "2025年3月13日" in body and "第四十二条第一款" in body
    assert "因需现场核查" in body


def test_refusal_has_reasons_and_appeal(w):
    case = accepted_case(w)
    title, body = papers.notice_text(NoticeKind.REFUSAL, case, reasons="经营场所与住宅未有效隔离")
    assert title == "不予行政许可决定书"
    assert "第三十八条第二款" in body and "理由：经营场所与住宅未有效隔离" in body
    assert "申请行政复议或者提起行政诉讼" in body


def test_notice_text_is_official_language_whatever_the_request_language(w):
    from django.utils import translation

    case = accepted_case(w)
    with translation.override("en"):
        title, body = papers.notice_text(NoticeKind.ACCEPTANCE, case)
    assert title == "受理通知书" and "予以受理" in body


# --- issuing, SMS ------------------------------------------------------------------------------------


def test_notice_issue_texts_the_applicant_once(w, django_capture_on_commit_callbacks):
    case = accepted_case(w)
    with django_capture_on_commit_callbacks(execute=True):
        notice = papers.notice_issue(case=case, kind=NoticeKind.ACCEPTANCE, actor=w.users["handler"])
    notice.refresh_from_db()
    assert notice.created_by == w.users["handler"] and notice.title == "受理通知书"
    assert notice.sms_sent_at is not None
    assert len(SENT) == 1 and SENT[0][0] == testing.CITIZEN_PHONE
    assert case.tracking_no in SENT[0][1] and "受理通知书" in SENT[0][1] and SENT[0][1].startswith("【")
    # the task runs again (a duplicate delivery): nothing is sent twice
    assert tasks.send_notice_sms(notice.pk) == "skipped"
    assert len(SENT) == 1


def test_no_sms_before_commit(w, django_capture_on_commit_callbacks):
    case = accepted_case(w)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = papers.notice_issue(case=case, kind=NoticeKind.ACCEPTANCE)
    assert SENT == [] and len(callbacks) == 1
    assert CaseNotice.objects.get(pk=notice.pk).sms_sent_at is None


def test_failed_sms_is_retried_by_the_sweep(w, django_capture_on_commit_callbacks):
    case = accepted_case(w)
    FAIL[0] = 1
    with moved_to(datetime(2025, 1, 24, 15, 0)), django_capture_on_commit_callbacks(execute=True):
        notice = papers.notice_issue(case=case, kind=NoticeKind.ACCEPTANCE)
    assert SENT == [] and CaseNotice.objects.get(pk=notice.pk).sms_sent_at is None
    # the immediate backend cannot defer: the periodic sweep re-sends once the grace has passed
    CaseNotice.objects.filter(pk=notice.pk).update(
        created_at=datetime(2025, 1, 24, 7, 0, tzinfo=case.received_at.tzinfo)
    )
    with moved_to(datetime(2025, 1, 24, 15, 30)):
        assert tasks.notices_sms_due() == 1
    assert len(SENT) == 1 and CaseNotice.objects.get(pk=notice.pk).sms_sent_at is not None
    with moved_to(datetime(2025, 1, 24, 16, 0)):
        assert tasks.notices_sms_due() == 0


def test_bad_phone_is_not_retried(w):
    case = accepted_case(w)
    case.__class__.objects.filter(pk=case.pk).update(applicant_phone="不详")
    notice = papers.notice_issue(case=case, kind=NoticeKind.ACCEPTANCE)
    assert tasks.send_notice_sms(notice.pk) == "invalid" and SENT == []


def test_applicant_sms_free_text_once(w, django_capture_on_commit_callbacks):
    case = accepted_case(w)
    with django_capture_on_commit_callbacks(execute=True):
        papers.applicant_sms(case, "请携带原件到窗口核验。")
    assert SENT == [(testing.CITIZEN_PHONE, "【通办】请携带原件到窗口核验。")]
    assert tasks.applicant_sms_task.call(case.pk, "x", "same-key") == "sent"
    assert tasks.applicant_sms_task.call(case.pk, "x", "same-key") == "skipped"
    assert len(SENT) == 2


# --- PDFs -------------------------------------------------------------------------------------------------


def test_notice_pdf_is_sealed_by_the_unit_and_cached(w):
    case = accepted_case(w)
    notice = papers.notice_issue(case=case, kind=NoticeKind.REFUSAL, reasons="经营场所与住宅未有效隔离")
    data = papers.notice_pdf(notice)
    text = flat(pdf_text(data))
    assert "不予行政许可决定书" in text and "经营场所与住宅未有效隔离" in text
    assert case.tracking_no in text and "青山县市场监督管理局" in text and "申请行政复议" in text
    result = seal_services.verify_pdf(data)
    assert result.ok, result.details
    assert result.unit == w.units["scj"]
    again = papers.notice_pdf(CaseNotice.objects.get(pk=notice.pk))
    assert again == data  # the same signed file, not a new signature
    assert CaseNotice.objects.get(pk=notice.pk).pdf.name.endswith(".pdf")


def test_notice_pdf_without_a_seal_is_refused_and_nothing_stored(w):
    w.units["zjj"]  # 住建局 has no seal certificate
    item = testing.published_item(w, code="330100-ZJJ-XK-001", name="建筑工程施工许可", unit="zjj")
    case = testing.new_case(w, item=item, received_at=datetime(2025, 1, 24, 10, 0))
    notice = papers.notice_issue(case=case, kind=NoticeKind.RECEIPT)
    with pytest.raises(TongbanError) as err:
        papers.notice_pdf(notice)
    assert err.value.code == "seals.no_certificate"
    assert not CaseNotice.objects.get(pk=notice.pk).pdf


def _granted(w: testing.ApprovalWorld) -> Any:
    case = accepted_case(w)
    case = testing.event(case, EventKind.DECIDED, datetime(2025, 2, 6, 10, 0), decision="grant")
    case.__class__.objects.filter(pk=case.pk).update(decision="grant")
    case.refresh_from_db()
    return case


def test_certificate_create(w):
    case = _granted(w)
    with moved_to(date(2026, 3, 2)):
        cert = papers.certificate_create(case=case, actor=w.users["handler"])
    assert cert.number == "DZ9900092026000001"
    assert cert.holder == "张明" and cert.name == "食品经营许可证"
    # 5 years from 2026-03-02: valid through 2031-03-01
    assert (cert.valid_from, cert.valid_until) == (date(2026, 3, 2), date(2031, 3, 1))
    assert TrackingCounter.objects.get(county=w.county, key="cert:2026").last == 1
    data = papers.certificate_pdf(cert)
    assert hashlib.sha256(data).hexdigest() == cert.sha256
    text = flat(pdf_text(data))
    for needle in ("食品经营许可证", "张明", "DZ9900092026000001", "食品经营许可（新办）", "食品安全法",
                   "2031年3月1日", "青山县市场监督管理局", "/seals/verify/"):  # fmt: skip
        assert needle in text, needle
    result = seal_services.verify_pdf(data)
    assert result.ok and result.unit == w.units["scj"]
    # the certificate notice names it
    _t, body = papers.notice_text(NoticeKind.CERTIFICATE, case, certificate=cert)
    assert "DZ9900092026000001" in body and "2031年3月1日" in body and "第四十四条" in body
    # once only
    with pytest.raises(TongbanError) as err:
        papers.certificate_create(case=case, actor=w.users["handler"])
    assert err.value.code == "approvals.certificate_exists"


def test_certificate_numbers_run_per_year(w):
    case = _granted(w)
    other = testing.new_case(w, received_at=datetime(2025, 1, 24, 11, 0))
    other = testing.event(other, EventKind.ACCEPTED, datetime(2025, 1, 24, 15, 0))
    other.__class__.objects.filter(pk=other.pk).update(decision="grant")
    other.refresh_from_db()
    with moved_to(date(2026, 12, 31)):
        a = papers.certificate_create(case=case, actor=None)
    with moved_to(date(2027, 1, 4)):
        b = papers.certificate_create(case=other, actor=None)
    assert (a.number, b.number) == ("DZ9900092026000001", "DZ9900092027000001")


def test_certificate_refused_when_not_granted_or_no_seal(w):
    case = accepted_case(w)
    with pytest.raises(TongbanError) as err:
        papers.certificate_create(case=case, actor=None)
    assert err.value.code == "approvals.not_granted"
    seal_services.certificate_revoke(
        certificate=seal_selectors.live_certificate(w.units["scj"]),
        actor=w.users["handler"],
        reason="密钥泄露",
    )
    granted = _granted(w)
    with pytest.raises(TongbanError) as err:
        papers.certificate_create(case=granted, actor=None)
    assert err.value.code == "seals.no_certificate"
    assert not Certificate.objects.exists()


def test_validity_end_on_29_february():
    assert papers.validity_end(date(2028, 2, 29), 1) == date(2029, 2, 27)
    assert papers.validity_end(date(2026, 3, 2), None) is None


def test_resume_tells_the_days_not_counted_and_the_new_deadlines(w):
    case = testing.new_case(w, received_at=datetime(2025, 9, 26, 10, 0))
    case = testing.event(case, EventKind.ACCEPTED, datetime(2025, 9, 26, 11, 0))
    case = testing.event(case, EventKind.PAUSED, datetime(2025, 9, 29, 9, 0), reason="inspection")
    case = testing.event(case, EventKind.RESUMED, datetime(2025, 10, 10, 9, 0))
    with moved_to(date(2025, 10, 10)):
        title, body = papers.notice_text(NoticeKind.RESUME, case, note="检验报告已出具")
    assert title == "恢复办理告知书"
    # (09-29, 10-10] = 09-30, 10-09, 10-10 not counted; committed W8 10-14, statutory W23 11-04
    assert "于2025年10月10日恢复办理" in body and "3个工作日不计算" in body
    assert "2025年10月14日" in body and "2025年11月4日" in body and "检验报告已出具" in body


def test_grant_names_the_legal_basis_and_the_certificate_deadline(w):
    case = _granted(w)
    title, body = papers.notice_text(NoticeKind.GRANT, case, reasons="材料齐全，现场核查合格")
    assert title == "准予行政许可决定书"
    assert "第三十八条第一款" in body and "食品安全法》第三十五条" in body
    assert "2025年2月6日" in body and "十个工作日内" in body and "食品经营许可证" in body
    assert "审查意见：材料齐全，现场核查合格" in body


class FakeTask:
    """Stands in for a django_tasks task whose backend can defer."""

    def __init__(self, defer: bool):
        self.defer, self.calls = defer, []

    def get_backend(self):
        return type("B", (), {"supports_defer": self.defer})()

    def using(self, run_after):
        self.run_after = run_after
        return self

    def enqueue(self, *args):
        self.calls.append((self.run_after, args))


def test_failed_send_is_deferred_with_a_growing_delay_then_given_up():
    t = FakeTask(defer=True)
    with moved_to(datetime(2025, 2, 5, 9, 0)):
        assert tasks._retry(t, 1, 42) and tasks._retry(t, 2, 42)
        assert not tasks._retry(t, tasks.MAX_ATTEMPTS, 42)  # the fifth failure is the last
    (first, a1), (second, a2) = t.calls
    assert (a1, a2) == ((42, 2), (42, 3))
    assert (second - first).total_seconds() == 4 * 60  # 1 minute, then 5
    assert not tasks._retry(FakeTask(defer=False), 1, 42)  # left to the sweep


def test_setup_registers_the_sms_sweep():
    from tongban.approvals import setup_papers
    from tongban.core import schedule

    setup_papers.ready()
    assert any(j.job_id == "approvals.notice_sms_retry" for j in schedule.jobs())
