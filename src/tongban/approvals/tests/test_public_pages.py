"""The applicant's /ban/ pages: register (SMS code from the backend), login throttling, a public
account never reaching a staff page, apply with uploads, my cases, one case, supplement,
withdraw, rate, downloads, and the anonymous lookup. Authorization: only the account's own cases
(another account gets 404), anonymous goes to the public login, and nothing changes."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.approvals import testing
from tongban.approvals.models import Case, CaseMaterial, CaseRating, CaseStatus, EventKind
from tongban.identity import public
from tongban.identity.models import PublicAccount, PublicPhoneCode

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


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


def sms_code(settings, phone):
    lines = [json.loads(x) for x in settings.TONGBAN_SMS_FILE.read_text(encoding="utf-8").splitlines()]
    text = [x["text"] for x in lines if x["to"] == phone][-1]
    return re.search(r"验证码为(\d{6})", text).group(1)


def citizen_client(account):
    c = Client()
    r = c.post(reverse("ban:login"), {"login": account.login_name, "password": testing.PASSWORD})
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def apply_post(w, **over):
    data = {"form_business_name": "好味小吃店", "form_address": "解放路 1 号", "form_scope": "热食类食品制售"}
    for m in w.item.current.materials.filter(required=True):
        data[f"material_{m.pk}"] = SimpleUploadedFile(f"{m.name}.pdf", PDF)
    data.update(over)
    return data


# --- account pages ----------------------------------------------------------------------------
def test_register_person_with_sms_code_and_land_in_my_cases(settings, w):
    c = Client()
    assert c.get(reverse("ban:register")).status_code == 200
    r = c.post(reverse("ban:register"), {"action": "send_code", "phone": "13912345678", "kind": "person"})
    assert r.status_code == 200
    code = sms_code(settings, "13912345678")
    r = c.post(
        reverse("ban:register"),
        {"kind": "person", "name": "陈新", "id_number": "11010519491231002X", "phone": "13912345678",
         "code": code, "password": "Qingshan#2026", "password2": "Qingshan#2026"},
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"] == reverse("ban:my_cases")
    assert c.get(reverse("ban:my_cases")).status_code == 200
    assert PublicAccount.objects.get(phone="13912345678").name == "陈新"


def test_register_errors_are_tied_to_fields(settings, w):
    c = Client()
    r = c.post(
        reverse("ban:register"),
        {"kind": "person", "name": "陈新", "id_number": "110105194912310021", "phone": "13912345678",
         "code": "123456", "password": "Qingshan#2026", "password2": "Qingshan#2026"},
    )  # fmt: skip
    assert r.status_code == 400
    html = r.content.decode()
    assert 'aria-describedby="id_id_number-help id_id_number-error"' in html
    assert 'id="id_id_number-error"' in html and "校验码" in html
    assert not PublicAccount.objects.filter(phone="13912345678").exists()


def test_register_enterprise_needs_credit_code(settings, w):
    c = Client()
    c.post(reverse("ban:register"), {"action": "send_code", "phone": "13912340000"})
    code = sms_code(settings, "13912340000")
    base = {"kind": "enterprise", "name": "某公司", "phone": "13912340000", "code": code,
            "password": "Qingshan#2026", "password2": "Qingshan#2026", "contact_name": "赵"}  # fmt: skip
    r = c.post(reverse("ban:register"), base)
    assert r.status_code == 400 and 'id="id_credit_code-error"' in r.content.decode()
    r = c.post(reverse("ban:register"), {**base, "credit_code": "91350100M000100Y43"})
    assert r.status_code == 302
    assert PublicAccount.objects.get(credit_code="91350100M000100Y43").kind == "enterprise"


def test_login_page_locks_after_five_failures(w):
    c = Client()
    for _ in range(5):
        r = c.post(reverse("ban:login"), {"login": "13800000001", "password": "wrong"})
        assert r.status_code == 400
    assert "锁定" in r.content.decode()
    r = c.post(reverse("ban:login"), {"login": "13800000001", "password": testing.PASSWORD})
    assert r.status_code == 400 and public.SESSION_KEY not in c.session


def test_login_redirects_only_to_local_next(w):
    c = Client()
    r = c.post(
        reverse("ban:login") + "?next=https://evil.example/",
        {"login": "13800000001", "password": testing.PASSWORD},
    )
    assert r["Location"] == reverse("ban:my_cases")


def test_password_reset_page(settings, w):
    c = Client()
    c.post(reverse("ban:password_reset"), {"action": "send_code", "login": "13800000001"})
    code = sms_code(settings, "13800000001")
    r = c.post(reverse("ban:password_reset"), {"login": "13800000001", "code": code,
                                               "new_password": "Newpass#2026", "new_password2": "Newpass#2026"})  # fmt: skip
    assert r.status_code == 302
    assert (
        Client().post(reverse("ban:login"), {"login": "13800000001", "password": "Newpass#2026"}).status_code
        == 302
    )


def test_password_change_ends_other_sessions(w):
    a, b = citizen_client(w.citizen), citizen_client(w.citizen)
    r = a.post(reverse("ban:password_change"), {"old_password": testing.PASSWORD, "new_password": "Changed#2026",
                                                "new_password2": "Changed#2026"})  # fmt: skip
    assert r.status_code == 302
    assert a.get(reverse("ban:my_cases")).status_code == 200
    assert b.get(reverse("ban:my_cases")).status_code == 302


# --- separation from staff pages ---------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/approvals/cases/", "/supervision/", "/notices/", "/account/"])
def test_public_account_never_reaches_a_staff_page(w, path):
    c = citizen_client(w.citizen)
    r = c.get(path)
    assert r.status_code in (302, 404), (path, r.status_code)
    if r.status_code == 302:
        assert r["Location"].startswith(reverse("identity:login"))


def test_public_account_gets_401_from_the_staff_api(w):
    c = citizen_client(w.citizen)
    assert c.get("/api/v1/me").status_code == 401
    assert c.get("/api/v1/cases/").status_code in (401, 404)


def test_staff_login_does_not_open_the_public_side(w):
    c = Client()
    c.force_login(w.users["handler"])
    r = c.get(reverse("ban:my_cases"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("ban:login"))
    assert c.get("/api/v1/public/me").status_code == 401


# --- apply ------------------------------------------------------------------------------------
def test_apply_page_and_submit(w):
    c = citizen_client(w.citizen)
    r = c.get(reverse("ban:apply", args=[w.item.code]))
    html = r.content.decode()
    assert r.status_code == 200 and "经营者名称" in html and "营业执照复印件" in html and "20 MB" in html
    r = c.post(reverse("ban:apply", args=[w.item.code]), apply_post(w))
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("ban:applied", args=[case.tracking_no])
    r = c.get(r["Location"])
    assert case.tracking_no in r.content.decode()
    assert case.account == w.citizen and case.form_data["scope"] == "热食类食品制售"


def test_apply_with_a_missing_material_shows_the_error_and_stores_nothing(w):
    c = citizen_client(w.citizen)
    data = apply_post(w)
    first = w.item.current.materials.get(name="营业执照复印件")
    del data[f"material_{first.pk}"]
    r = c.post(reverse("ban:apply", args=[w.item.code]), data)
    assert r.status_code == 400 and "营业执照复印件" in r.content.decode()
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()


def test_apply_with_a_fake_pdf_is_refused(w):
    c = citizen_client(w.citizen)
    data = apply_post(w)
    first = w.item.current.materials.first()
    data[f"material_{first.pk}"] = SimpleUploadedFile("a.pdf", b"GIF89a not a pdf")
    r = c.post(reverse("ban:apply", args=[w.item.code]), data)
    assert r.status_code == 400 and "内容与扩展名不符" in r.content.decode()
    assert 'aria-invalid="true"' in r.content.decode()
    assert not Case.objects.exists()


def test_apply_form_field_errors(w):
    c = citizen_client(w.citizen)
    r = c.post(reverse("ban:apply", args=[w.item.code]), apply_post(w, form_scope="卖烟"))
    assert r.status_code == 400 and 'id="id_form_scope-error"' in r.content.decode()
    assert not Case.objects.exists()


def test_apply_needs_login(w):
    r = Client().get(reverse("ban:apply", args=[w.item.code]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("ban:login"))


# --- my cases and one case --------------------------------------------------------------------
def test_my_cases_lists_only_own_cases_with_constant_queries(w, django_assert_max_num_queries):
    for _ in range(3):
        testing.new_case(w)
    other = testing.new_case(w, account=w.citizen2)
    c = citizen_client(w.citizen)
    c.get(reverse("ban:my_cases"))
    with django_assert_max_num_queries(12):
        r = c.get(reverse("ban:my_cases"))
    html = r.content.decode()
    assert html.count('href="/ban/my/T') == 3 and other.tracking_no not in html
    for _ in range(10):
        testing.new_case(w)
    with django_assert_max_num_queries(12):
        c.get(reverse("ban:my_cases"))


def test_my_case_page_shows_progress_notices_deadline_and_materials(w):
    c = citizen_client(w.citizen)
    c.post(reverse("ban:apply", args=[w.item.code]), apply_post(w))
    case = Case.objects.get()
    html = c.get(reverse("ban:my_case", args=[case.tracking_no])).content.decode()
    assert "收件回执" in html and case.preaccept_due.isoformat() in html
    assert "营业执照复印件" in html and "剩余" in html and "撤回申请" in html
    m = case.materials.first()
    r = c.get(reverse("ban:material", args=[case.tracking_no, m.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF


def test_withdraw_from_the_page(w):
    case = testing.new_case(w)
    c = citizen_client(w.citizen)
    r = c.post(reverse("ban:withdraw", args=[case.tracking_no]), {})
    assert r.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    r = c.post(reverse("ban:withdraw", args=[case.tracking_no]), {"confirm": "1"})
    case.refresh_from_db()
    assert r.status_code == 302 and case.status == CaseStatus.WITHDRAWN


def test_supplement_from_the_page(w):
    case = testing.new_case(w)
    case = testing.event(case, EventKind.SUPPLEMENT_REQUESTED, timezone.now())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.SUPPLEMENT)
    c = citizen_client(w.citizen)
    html = c.get(reverse("ban:my_case", args=[case.tracking_no])).content.decode()
    assert "提交补正材料" in html
    r = c.post(
        reverse("ban:supplement", args=[case.tracking_no]), {"others": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert r.status_code == 400
    r = c.post(
        reverse("ban:supplement", args=[case.tracking_no]), {"others": SimpleUploadedFile("x.pdf", PDF)}
    )
    case.refresh_from_db()
    assert r.status_code == 302 and case.status == CaseStatus.SUBMITTED


def test_rate_from_the_page_once(w):
    case = testing.new_case(w)
    c = citizen_client(w.citizen)
    data = {
        "level": "4",
        "efficiency": "4",
        "guide_accuracy": "5",
        "convenience": "4",
        "operability": "5",
        "named": "on",
    }
    r = c.post(reverse("ban:rate", args=[case.tracking_no]), data)
    assert r.status_code == 400 and not CaseRating.objects.exists()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED, is_open=False)
    assert "评价本次办事" in c.get(reverse("ban:my_case", args=[case.tracking_no])).content.decode()
    r = c.post(reverse("ban:rate", args=[case.tracking_no]), data)
    assert r.status_code == 302 and CaseRating.objects.get().level == 4
    r = c.post(reverse("ban:rate", args=[case.tracking_no]), data)
    assert r.status_code == 400 and CaseRating.objects.count() == 1


# --- authorization matrix ---------------------------------------------------------------------
def _urls(case):
    no = case.tracking_no
    notice = case.notices.first()
    get = [
        reverse("ban:my_case", args=[no]),
        reverse("ban:applied", args=[no]),
        reverse("ban:rate", args=[no]),
        reverse("ban:certificate", args=[no]),
        reverse("ban:material", args=[no, case.materials.first().pk]),
    ]
    if notice:
        get.append(reverse("ban:notice_pdf", args=[no, notice.pk]))
    post = [
        reverse("ban:withdraw", args=[no]),
        reverse("ban:supplement", args=[no]),
        reverse("ban:rate", args=[no]),
    ]
    return get, post


def test_another_account_gets_404_and_nothing_changes(w):
    owner = citizen_client(w.citizen)
    owner.post(reverse("ban:apply", args=[w.item.code]), apply_post(w))
    case = Case.objects.get()
    get, post = _urls(case)
    intruder = citizen_client(w.citizen2)
    for url in get:
        assert intruder.get(url).status_code == 404, url
    for url in post:
        assert intruder.post(url, {"confirm": "1", "level": "1", "efficiency": "1", "guide_accuracy": "1",
                                   "convenience": "1", "operability": "1"}).status_code == 404, url  # fmt: skip
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.events.count() == 1


def test_anonymous_goes_to_the_public_login_and_nothing_changes(w):
    case = testing.new_case(w)
    CaseMaterial.objects.create(case=case, name="a.pdf", file="x.pdf")
    get, post = _urls(case)
    anon = Client()
    for url in get + post:
        r = anon.post(url, {"confirm": "1"}) if url in post else anon.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("ban:login")), url
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


# --- lookup -----------------------------------------------------------------------------------
def test_lookup_without_login(w):
    case = testing.new_case(w)
    c = Client()
    assert c.get(reverse("ban:lookup")).status_code == 200
    r = c.post(reverse("ban:lookup"), {"tracking_no": case.tracking_no, "who": "13800000001"})
    html = r.content.decode()
    assert r.status_code == 200 and w.item.name in html and "待受理" in html
    assert "张明" not in html and case.applicant_id_number not in html
    r = c.post(reverse("ban:lookup"), {"tracking_no": case.tracking_no, "who": "王芳"})
    assert r.status_code == 400 and w.item.name not in r.content.decode()


def test_lookup_page_rate_limited(w):
    c = Client()
    for _ in range(20):
        c.post(reverse("ban:lookup"), {"tracking_no": "X", "who": "Y"})
    assert c.post(reverse("ban:lookup"), {"tracking_no": "X", "who": "Y"}).status_code == 429


def test_sms_code_button_refuses_a_second_code_within_a_minute(settings, w):
    c = Client()
    c.post(reverse("ban:register"), {"action": "send_code", "phone": "13912345678"})
    r = c.post(reverse("ban:register"), {"action": "send_code", "phone": "13912345678"})
    assert r.status_code == 400 and "60 秒" in r.content.decode()
    assert PublicPhoneCode.objects.count() == 1
    PublicPhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=1, seconds=1))
    assert c.post(reverse("ban:register"), {"action": "send_code", "phone": "13912345678"}).status_code == 200


# --- downloads and demo -----------------------------------------------------------------------
def test_notice_pdf_and_certificate_downloads(w, settings):
    from django.core.files.base import ContentFile

    from tongban.approvals.models import Certificate
    from tongban.seals import services as seal_services

    c = citizen_client(w.citizen)
    c.post(reverse("ban:apply", args=[w.item.code]), apply_post(w))
    case = Case.objects.get()
    notice = case.notices.get()
    # no seal certificate yet: a clear message on the case page, not an error page
    r = c.get(reverse("ban:notice_pdf", args=[case.tracking_no, notice.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("ban:my_case", args=[case.tracking_no])
    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    r = c.get(reverse("ban:notice_pdf", args=[case.tracking_no, notice.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert c.get(reverse("ban:certificate", args=[case.tracking_no])).status_code == 404
    cert = Certificate(case=case, number="SP3311002026000001", name="食品经营许可证", holder="张明",
                       valid_from=timezone.localdate(), sha256="0" * 64, issued_at=timezone.now())  # fmt: skip
    cert.pdf.save("cert.pdf", ContentFile(PDF), save=False)
    cert.save()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED, is_open=False, decision="grant")
    html = c.get(reverse("ban:my_case", args=[case.tracking_no])).content.decode()
    assert "下载电子证照" in html and "准予许可" in html and "评价本次办事" in html
    r = c.get(reverse("ban:certificate", args=[case.tracking_no]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    r = c.get(f"/api/v1/public/cases/{case.tracking_no}/certificate")
    assert r.status_code == 200
    r = c.get(f"/api/v1/public/cases/{case.tracking_no}/notices/{notice.pk}/pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_demo_accounts_are_seeded_once(db):
    from tongban.approvals import demo_applying
    from tongban.core.demo import DemoContext
    from tongban.identity import public_services

    demo_applying.seed(DemoContext(usernames=[]))
    demo_applying.seed(DemoContext(usernames=[]))
    assert PublicAccount.objects.count() == 3
    assert public_services.account_authenticate(login="13800000001", password="Tongban@2026").name == "张明"
    ent = public_services.account_authenticate(login="91331100MA2A1B2C37", password="Tongban@2026")
    assert ent.name == "青山县好味餐饮有限公司" and ent.phone == "13800000003"
