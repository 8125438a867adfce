"""/api/v1/public/: register and login anonymously, the lookup, and with a public-account
session the applicant's own cases — list, detail with the clock, multipart submit, supplement,
withdraw, rate, notices and downloads. Another account gets 404; anonymous 401; nothing changes."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tongban.approvals import testing
from tongban.approvals.models import Case, CaseRating, CaseStatus, EventKind
from tongban.identity.models import PublicAccount

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
API = "/api/v1/public"


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


def login(account):
    c = Client()
    r = c.post(
        f"{API}/login",
        {"login": account.login_name, "password": testing.PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return c


def submit(c, w, **over):
    data = {
        "item_code": w.item.code,
        "form_data": json.dumps({"business_name": "好味", "address": "解放路", "scope": "散装食品销售"}),
    }
    for m in w.item.current.materials.filter(required=True):
        data[f"material_{m.pk}"] = SimpleUploadedFile(f"{m.name}.pdf", PDF)
    data.update(over)
    return c.post(f"{API}/cases", data)


def test_register_and_me(settings, w):
    c = Client()
    r = c.post(f"{API}/register/code", {"phone": "13912345678"}, content_type="application/json")
    assert r.status_code == 200
    text = json.loads(settings.TONGBAN_SMS_FILE.read_text(encoding="utf-8").splitlines()[-1])["text"]
    code = re.search(r"验证码为(\d{6})", text).group(1)
    r = c.post(f"{API}/register", {"kind": "person", "phone": "13912345678", "code": code, "password": "Qingshan#2026",
                                   "name": "陈新", "id_number": "11010519491231002X"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["name"] == "陈新"
    me = c.get(f"{API}/me").json()
    assert me["phone"] == "13912345678" and me["id_number_masked"] == "1101**********002X"
    assert c.post(f"{API}/logout").status_code == 204
    assert c.get(f"{API}/me").status_code == 401


def test_register_refused_with_a_clear_message(w):
    r = Client().post(f"{API}/register", {"kind": "person", "phone": "13912345678", "code": "1", "password": "Qingshan#2026",
                                          "name": "陈新", "id_number": "110105194912310021"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "identity.public_id_invalid"
    assert not PublicAccount.objects.filter(phone="13912345678").exists()


def test_login_throttled(w):
    c = Client()
    for _ in range(5):
        r = c.post(f"{API}/login", {"login": "13800000001", "password": "x"}, content_type="application/json")
    assert r.json()["code"] == "identity.public_locked"


def test_submit_detail_list_and_notices(w):
    c = login(w.citizen)
    r = submit(c, w)
    assert r.status_code == 201, r.content
    body = r.json()
    no = body["tracking_no"]
    assert body["status"] == "submitted" and body["clock"]["state"] == "pre_acceptance"
    assert body["clock"]["preaccept_due"] and len(body["materials"]) == 3 and body["notices"]
    assert [x["tracking_no"] for x in c.get(f"{API}/cases").json()] == [no]
    detail = c.get(f"{API}/cases/{no}").json()
    assert detail["events"][0]["kind"] == "received" and detail["can_withdraw"]
    notices = c.get(f"{API}/cases/{no}/notices").json()
    assert notices[0]["kind"] == "receipt"
    m = detail["materials"][0]
    r = c.get(f"{API}/cases/{no}/materials/{m['id']}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert login(w.citizen2).get(f"{API}/cases/{no}/materials/{m['id']}").status_code == 404


def test_submit_refused_leaves_nothing(w):
    c = login(w.citizen)
    first = w.item.current.materials.first()
    r = submit(c, w, **{f"material_{first.pk}": SimpleUploadedFile("a.pdf", b"not a pdf")})
    assert r.status_code == 400 and r.json()["code"] == "approvals.material_content"
    r = submit(c, w, form_data="[1]")
    assert r.status_code == 400
    r = submit(c, w, item_code="NOPE")
    assert r.status_code == 404
    assert not Case.objects.exists()


def test_supplement_withdraw_and_rate(w):
    c = login(w.citizen)
    case = testing.new_case(w)
    case = testing.event(case, EventKind.SUPPLEMENT_REQUESTED, timezone.now())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.SUPPLEMENT)
    r = c.post(
        f"{API}/cases/{case.tracking_no}/supplement",
        {"note": "补", "others": SimpleUploadedFile("b.pdf", PDF)},
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = c.post(f"{API}/cases/{case.tracking_no}/rate", {"level": 5, "efficiency": 5, "guide_accuracy": 5,
               "convenience": 5, "operability": 5}, content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "approvals.not_finished"
    r = c.post(
        f"{API}/cases/{case.tracking_no}/withdraw", {"reason": "不办了"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and not r.json()["is_open"]
    done = testing.new_case(w)
    Case.objects.filter(pk=done.pk).update(status=CaseStatus.COMPLETED, is_open=False)
    r = c.post(f"{API}/cases/{done.tracking_no}/rate", {"level": 2, "efficiency": 2, "guide_accuracy": 3,
               "convenience": 2, "operability": 4, "comment": "慢"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["level_label"] == "不满意"
    assert c.get(f"{API}/cases/{done.tracking_no}").json()["rated"] is True


def test_another_account_gets_404_and_anonymous_401(w):
    case = testing.new_case(w)
    notice_id = case.notices.first().pk if case.notices.exists() else 1
    no = case.tracking_no
    gets = [f"{API}/cases/{no}", f"{API}/cases/{no}/notices", f"{API}/cases/{no}/notices/{notice_id}/pdf",
            f"{API}/cases/{no}/certificate"]  # fmt: skip
    posts = [
        (f"{API}/cases/{no}/withdraw", {}),
        (
            f"{API}/cases/{no}/rate",
            {"level": 1, "efficiency": 1, "guide_accuracy": 1, "convenience": 1, "operability": 1},
        ),
    ]
    other = login(w.citizen2)
    for url in gets:
        assert other.get(url).status_code == 404, url
    for url, body in posts:
        assert other.post(url, body, content_type="application/json").status_code == 404, url
    assert (
        other.post(f"{API}/cases/{no}/supplement", {"others": SimpleUploadedFile("b.pdf", PDF)}).status_code
        == 404
    )
    assert other.get(f"{API}/cases").json() == []
    anon = Client()
    for url in [*gets, f"{API}/me", f"{API}/cases"]:
        assert anon.get(url).status_code == 401, url
    for url, body in posts:
        assert anon.post(url, body, content_type="application/json").status_code == 401, url
    staff = Client()
    staff.force_login(w.users["handler"])
    assert staff.get(f"{API}/cases/{no}").status_code == 401
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and not CaseRating.objects.exists()


def test_lookup_api(w):
    case = testing.new_case(w)
    c = Client()
    r = c.get(f"{API}/lookup", {"tracking_no": case.tracking_no, "who": "张明"})
    assert r.status_code == 200 and r.json()["item_name"] == w.item.name
    assert "applicant_name" not in r.json()
    assert c.get(f"{API}/lookup", {"tracking_no": case.tracking_no, "who": "王芳"}).status_code == 404
    for _ in range(20):
        c.get(f"{API}/lookup", {"tracking_no": "X", "who": "Y"})
    assert c.get(f"{API}/lookup", {"tracking_no": case.tracking_no, "who": "张明"}).status_code == 429


def test_openapi_documents_the_public_endpoints(w):
    spec = Client().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/public/lookup",
        "/api/v1/public/cases",
        "/api/v1/public/register",
        "/api/v1/public/login",
    ):
        assert path in spec["paths"], path
    assert "401" in spec["paths"]["/api/v1/public/cases"]["get"]["responses"]


def test_sms_codes_limited_per_client_address(w):
    c = Client()
    for i in range(10):
        r = c.post(f"{API}/register/code", {"phone": f"139000000{i:02d}"}, content_type="application/json")
        assert r.status_code == 200, r.content
    r = c.post(f"{API}/register/code", {"phone": "13900000099"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "approvals.code_too_many"
