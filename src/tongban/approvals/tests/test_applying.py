"""Applying services: submit (form, materials, file checks; a refusal leaves nothing), the
tracking number, the RECEIVED event and the receipt; supplement; withdraw; the progress lookup."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tongban.approvals import applying, applying_selectors, clock, testing
from tongban.approvals.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    ClockState,
    EventKind,
    SupplementRequest,
)
from tongban.core import clock as core_clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FORM = {"business_name": "好味小吃店", "address": "青山县城关镇解放路 1 号", "scope": "热食类食品制售"}


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w():
    return testing.build_world()


def pdf(name="申请书.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def uploads(w, *, skip=(), extra=()):
    mats = list(w.item.current.materials.order_by("sort"))
    files = [(m.pk, pdf(f"{m.name}.pdf")) for m in mats if m.required and m.name not in skip]
    return files + list(extra)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def submit(w, account=None, **kw):
    args = {"item": w.item, "form_data": dict(FORM), "files": uploads(w), "account": account or w.citizen}
    args.update(kw)
    return applying.case_submit(**args)


# --- submit -----------------------------------------------------------------------------------
def test_submit_creates_the_case_with_materials_event_and_receipt(w, settings):
    with core_clock.moved_to(datetime(2025, 1, 24, 10, 0)):
        case = submit(w, files=uploads(w, extra=[(None, SimpleUploadedFile("照片.png", PNG))]))
    assert case.tracking_no == f"{w.county.code}2025012400001"
    assert case.status == CaseStatus.SUBMITTED and case.is_open
    assert (case.applicant_name, case.applicant_phone, case.applicant_kind) == (
        "张明",
        "13800000001",
        "person",
    )
    assert case.applicant_id_number == w.citizen.id_number
    assert case.version_id == w.item.current_id and case.unit == w.units["scj"]
    assert case.form_data == FORM
    mats = list(CaseMaterial.objects.filter(case=case))
    assert len(mats) == 4 and all(len(m.sha256) == 64 and m.round == 0 for m in mats)
    assert len(stored_files(settings)) == 4
    (ev,) = CaseEvent.objects.filter(case=case)
    assert ev.kind == EventKind.RECEIVED and ev.on == date(2025, 1, 24) and ev.actor_name == "张明"
    # 第三十二条: the acceptance window, 5 working days over the Spring Festival
    assert case.clock_state == ClockState.PRE_ACCEPTANCE and case.preaccept_due == date(2025, 2, 7)
    receipt = CaseNotice.objects.get(case=case)
    assert receipt.kind == "receipt" and receipt.title and receipt.body


def test_tracking_numbers_are_sequential_per_day(w):
    with core_clock.moved_to(date(2025, 3, 3)):
        a = submit(w)
        b = submit(w, account=w.citizen2)
    assert (a.tracking_no[-5:], b.tracking_no[-5:]) == ("00001", "00002")


def test_enterprise_details_are_copied(w):
    case = submit(w, account=w.enterprise)
    assert case.applicant_kind == "enterprise"
    assert case.applicant_id_number == testing.ENTERPRISE_CODE
    assert case.contact_name == "刘经理" and case.applicant_phone == "13800000003"


def _refused(w, settings, code, **kw):
    with pytest.raises(TongbanError) as exc:
        submit(w, **kw)
    assert exc.value.code == code, exc.value.code
    assert not Case.objects.exists()
    assert not CaseMaterial.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not CaseNotice.objects.exists()
    assert stored_files(settings) == []
    return exc.value


def test_missing_required_material_leaves_nothing(w, settings):
    err = _refused(w, settings, "approvals.materials_missing", files=uploads(w, skip=("营业执照复印件",)))
    assert "营业执照复印件" in str(err)


def test_wrong_type_by_magic_bytes_leaves_nothing(w, settings):
    files = uploads(w)
    files[1] = (files[1][0], pdf("营业执照.pdf", b"MZ\x90\x00 this is an exe"))
    _refused(w, settings, "approvals.material_content", files=files)


def test_extension_not_allowed_leaves_nothing(w, settings):
    files = uploads(w, extra=[(None, SimpleUploadedFile("说明.txt", b"hello"))])
    _refused(w, settings, "approvals.material_type", files=files)


def test_too_large_leaves_nothing(w, settings):
    big = PDF + b"0" * (applying.MAX_FILE_BYTES + 1)
    files = uploads(w)
    files[0] = (files[0][0], pdf("big.pdf", big))
    _refused(w, settings, "approvals.material_too_large", files=files)


@pytest.mark.parametrize(
    ("form", "field", "code"),
    [
        ({"address": "x", "scope": "散装食品销售"}, "form_business_name", "approvals.form_required"),
        ({**FORM, "scope": "烟草销售"}, "form_scope", "approvals.form_choice"),
        ({**FORM, "business_name": "好" * 201}, "form_business_name", "approvals.form_too_long"),
    ],
)
def test_bad_form_field_leaves_nothing(w, settings, form, field, code):
    err = _refused(w, settings, code, form_data=form)
    assert err.field == field


def test_form_types_date_and_number():
    schema = [
        {"key": "d", "label": "开业日期", "type": "date", "required": True},
        {"key": "n", "label": "面积", "type": "number"},
    ]
    assert applying.form_validate(schema, {"d": "2026-01-31", "n": "12.5", "x": "dropped"}) == {
        "d": "2026-01-31",
        "n": "12.5",
    }
    with pytest.raises(TongbanError) as exc:
        applying.form_validate(schema, {"d": "2026-02-30"})
    assert exc.value.field == "form_d"
    with pytest.raises(TongbanError) as exc:
        applying.form_validate(schema, {"d": "2026-01-31", "n": "nan"})
    assert exc.value.field == "form_n"


def test_failure_after_storing_deletes_the_files(w, settings, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("listener refused")

    monkeypatch.setattr(clock, "record_event", boom)
    with pytest.raises(RuntimeError):
        submit(w)
    assert not Case.objects.exists() and stored_files(settings) == []


def test_material_of_another_item_is_refused(w, settings):
    other = testing.published_item(w, code="X-2", name="其他事项")
    foreign = other.current.materials.first()
    _refused(w, settings, "approvals.material_unknown", files=uploads(w, extra=[(foreign.pk, pdf())]))


def test_online_submit_needs_an_account(w):
    with pytest.raises(PermissionDenied):
        applying.case_submit(item=w.item, form_data=FORM, files=uploads(w))
    assert not Case.objects.exists()


def test_counter_filing_by_a_clerk(w):
    case = applying.case_submit(
        item=w.item, form_data=FORM, files=uploads(w), filed_by=w.users["window"], channel="counter",
        applicant={"kind": "person", "name": "赵大爷", "id_number": "11010519491231002X", "phone": "13911112222"},
    )  # fmt: skip
    assert case.channel == "counter" and case.filed_by == w.users["window"] and case.account is None
    assert case.applicant_name == "赵大爷"
    assert case.events.get().actor == w.users["window"]


def test_counter_filing_checks_the_id_number(w, settings):
    with pytest.raises(TongbanError) as exc:
        applying.case_submit(
            item=w.item, form_data=FORM, files=uploads(w), filed_by=w.users["window"], channel="counter",
            applicant={"kind": "person", "name": "赵大爷", "id_number": "110105194912310021", "phone": "13911112222"},
        )  # fmt: skip
    assert exc.value.field == "applicant_id_number"
    assert not Case.objects.exists()


# --- supplement -------------------------------------------------------------------------------
def ask_supplement(case, w, *, previous=CaseStatus.SUBMITTED, at=None):
    at = at or timezone.now()
    with transaction.atomic():
        locked = clock.lock_case(case.pk)
        req = SupplementRequest.objects.create(
            case=locked, items_text="请补充经营场所平面图", requested_at=at
        )
        locked.status = CaseStatus.SUPPLEMENT
        locked.save(update_fields=["status"])
        clock.record_event(locked, EventKind.SUPPLEMENT_REQUESTED, at=at, data={"previous_status": previous})
    case.refresh_from_db()
    return req


def test_supplement_returns_to_pre_acceptance_with_a_new_window(w):
    with core_clock.moved_to(date(2025, 3, 3)):
        case = submit(w)
    req = ask_supplement(case, w, at=timezone.make_aware(datetime(2025, 3, 4, 10)))
    plan = w.item.current.materials.get(name="经营场所平面图")
    with core_clock.moved_to(date(2025, 3, 10)):
        case = applying.case_supplement(
            case=case, account=w.citizen, files=[(plan.pk, pdf("平面图.pdf"))], note="已补"
        )
    assert case.status == CaseStatus.SUBMITTED
    assert case.preaccept_due == date(2025, 3, 17)
    req.refresh_from_db()
    assert req.answered_at is not None and req.answer_note == "已补"
    ev = case.events.order_by("-seq").first()
    assert ev.kind == EventKind.SUPPLEMENTED and ev.data["round"] == 1 and ev.data["status"] == "submitted"
    assert case.materials.filter(round=1).count() == 1


def test_supplement_after_acceptance_goes_back_to_handling(w):
    case = submit(w)
    case = testing.event(case, EventKind.ACCEPTED, timezone.now())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED)
    ask_supplement(case, w, previous=CaseStatus.ACCEPTED)
    case = applying.case_supplement(case=case, account=w.citizen, files=[(None, pdf())])
    assert case.status == CaseStatus.ACCEPTED


def test_supplement_refused_unless_asked_and_by_the_owner(w, settings):
    case = submit(w)
    before = len(stored_files(settings))
    with pytest.raises(TongbanError) as exc:
        applying.case_supplement(case=case, account=w.citizen, files=[(None, pdf())])
    assert exc.value.code == "approvals.not_supplement"
    ask_supplement(case, w)
    with pytest.raises(NotFound):
        applying.case_supplement(case=case, account=w.citizen2, files=[(None, pdf())])
    with pytest.raises(TongbanError) as exc:
        applying.case_supplement(case=case, account=w.citizen, files=[])
    assert exc.value.code == "approvals.supplement_empty"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT
    assert not case.events.filter(kind=EventKind.SUPPLEMENTED).exists()
    assert len(stored_files(settings)) == before


# --- withdraw ---------------------------------------------------------------------------------
def test_withdraw_before_decision(w):
    case = submit(w)
    case = applying.case_withdraw(case=case, account=w.citizen, reason="不开店了")
    assert case.status == CaseStatus.WITHDRAWN and not case.is_open and case.completed_at
    assert case.clock_state == ClockState.STOPPED
    assert case.events.order_by("-seq").first().kind == EventKind.WITHDRAWN
    with pytest.raises(TongbanError):
        applying.case_withdraw(case=case, account=w.citizen)


def test_withdraw_refused_for_another_account_and_after_decision(w):
    case = submit(w)
    with pytest.raises(NotFound):
        applying.case_withdraw(case=case, account=w.citizen2)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECIDED, decision="grant")
    with pytest.raises(TongbanError) as exc:
        applying.case_withdraw(case=case, account=w.citizen)
    assert exc.value.code == "approvals.not_withdrawable"
    assert not case.events.filter(kind=EventKind.WITHDRAWN).exists()


# --- selectors --------------------------------------------------------------------------------
def test_access_case_only_for_the_owner(w):
    case = submit(w)
    assert applying_selectors.access_case_for_account(w.citizen, case.tracking_no) == case
    for other in (w.citizen2, w.enterprise, None):
        with pytest.raises(NotFound):
            applying_selectors.access_case_for_account(other, case.tracking_no)


def test_lookup_needs_the_matching_name_or_phone(w):
    case = submit(w)
    r = applying_selectors.lookup_progress(case.tracking_no, "张明")
    assert r.status == "submitted" and r.item_name == w.item.name and r.notices
    assert (
        applying_selectors.lookup_progress(case.tracking_no.lower(), "138 0000 0001").tracking_no
        == case.tracking_no
    )
    for who in ("王芳", "13800000002", "张", ""):
        with pytest.raises(NotFound):
            applying_selectors.lookup_progress(case.tracking_no, who)
    with pytest.raises(NotFound):
        applying_selectors.lookup_progress("NOPE", "张明")


def test_lookup_is_rate_limited():
    assert all(applying.lookup_allowed("10.0.0.1") for _ in range(applying.LOOKUP_LIMIT))
    assert not applying.lookup_allowed("10.0.0.1")
    assert applying.lookup_allowed("10.0.0.2")


def test_withdraw_after_acceptance_cancels_the_process(w):
    from tongban.approvals import handling
    from tongban.workflow.models import InstanceStatus, WorkItem, WorkItemStatus

    case = submit(w)
    case = handling.case_accept(case=case, actor=w.users["handler"])
    case.refresh_from_db()
    assert case.instance_id and WorkItem.objects.filter(instance_id=case.instance_id, status="open").exists()
    case = applying.case_withdraw(case=case, account=w.citizen)
    case.instance.refresh_from_db()
    assert case.instance.status == InstanceStatus.CANCELLED and case.current_step == ""
    assert not WorkItem.objects.filter(instance_id=case.instance_id, status=WorkItemStatus.OPEN).exists()
    assert case.status == CaseStatus.WITHDRAWN and case.clock_state == ClockState.STOPPED


def test_supplement_asked_by_the_handler_answered_by_the_applicant(w):
    from tongban.approvals import handling

    case = submit(w)
    plan = w.item.current.materials.get(name="经营场所平面图")
    req = handling.case_request_supplement(
        case=case, actor=w.users["handler"], materials=[plan], items_text="请补充经营场所平面图"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT
    case = applying.case_supplement(case=case, account=w.citizen, files=[(plan.pk, pdf("平面图.pdf"))])
    req.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and req.answered_at is not None
    assert case.clock_state == ClockState.PRE_ACCEPTANCE
