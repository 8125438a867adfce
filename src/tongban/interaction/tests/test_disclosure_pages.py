"""Pages of the disclosure requests: the public application (person and organisation, XSS in every
public field, bad IDs, challenge), look-up and 补正, the account's list; the staff boxes and
actions with the permission matrix; query counts of the list pages; the daily job."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongban.core.clock import moved_to
from tongban.identity import public
from tongban.interaction import disclosure as svc
from tongban.interaction import forms_disclosure
from tongban.interaction.models import DisclosureEvent, DisclosureRequest
from tongban.interaction.tasks_disclosure import remind
from tongban.interaction.testing import build_world
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"
PID = "33010219800101123X"
USCC = "91331100MA2A1B2C37"


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def _challenge(client: Client, url: str) -> dict[str, str]:
    r = client.get(url)
    form = r.context["form"]
    a, b = form.challenge_question.split(" = ")[0].split(" + ")
    return {"challenge": str(int(a) + int(b)), "challenge_token": form.initial["challenge_token"]}


def _apply_data(w, **kw) -> dict:
    data = {
        "applicant_type": "person", "name": "张明", "id_number": PID, "phone": "13800000001",
        "email": "", "address": "", "postcode": "", "organ": str(w.units["scj"].pk),
        "description": "2025年食品抽检结果", "purpose": "", "provision_form": "electronic",
        "delivery_method": "online", "legal_representative": "", "contact_name": "",
    }  # fmt: skip
    data.update(kw)
    return data


def _apply(client: Client, w, **kw):
    url = reverse("disclosure_public:apply")
    return client.post(url, {**_apply_data(w, **kw), **_challenge(client, url)})


def _login(client: Client, account) -> None:
    s = client.session
    s[public.SESSION_KEY] = account.pk
    s[public.SESSION_HASH] = public._hash(account)
    s.save()


def _req(w, **kw) -> DisclosureRequest:
    data = dict(
        county=w.county, organ_id=w.units["scj"].pk, applicant_type="person", name="张明",
        id_number=PID, phone="13800000001", description="2025年食品抽检结果",
    )  # fmt: skip
    data.update(kw)
    return svc.submit(**data)


def test_public_index_and_form_render(w, client):
    r = client.get(reverse("disclosure_public:index"))
    assert r.status_code == 200 and "/portal/gov/gkzn/" in r.content.decode()
    r = client.get(reverse("disclosure_public:apply"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "青山县市场监督管理局" in html and "青山县教育体育局" not in html  # only organs with an officer
    for name in ("name", "id_number", "phone", "description", "organ", "challenge"):
        assert f'for="id_{name}"' in html


def test_person_applies_online_and_sees_the_code(w, client):
    with moved_to(date(2026, 9, 25)):
        r = _apply(client, w)
        assert r.status_code == 302 and r.url == reverse("disclosure_public:applied")
        r = client.get(r.url)
    req = DisclosureRequest.objects.get()
    html = r.content.decode()
    assert req.tracking_code in html and "2026-10-29" in html
    assert req.channel == "online" and req.received_on == date(2026, 9, 25)
    assert req.events.filter(kind="received").count() == 1


def test_organisation_needs_a_valid_credit_code_and_a_contact(w, client):
    r = _apply(
        client, w, applicant_type="business", name="青山县好味餐饮有限公司", id_number="91331100MA2A1B2C38"
    )
    assert r.status_code == 200 and "统一社会信用代码不正确" in r.content.decode()
    r = _apply(client, w, applicant_type="business", name="青山县好味餐饮有限公司", id_number=USCC)
    assert r.status_code == 200 and "请填写联系人" in r.content.decode()
    assert not DisclosureRequest.objects.exists()
    r = _apply(
        client,
        w,
        applicant_type="business",
        name="青山县好味餐饮有限公司",
        id_number=USCC,
        contact_name="刘经理",
        legal_representative="刘某",
    )
    assert r.status_code == 302
    assert DisclosureRequest.objects.get().applicant_type == "business"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "330102198001011234", "身份证号码不正确"),
        ("phone", "12345", "手机号码"),
        ("description", "", "这个字段是必填项"),
        ("organ", "", "这个字段是必填项"),
    ],
)
def test_bad_input_changes_nothing(w, client, field, value, message):
    r = _apply(client, w, **{field: value})
    assert r.status_code == 200
    assert not DisclosureRequest.objects.exists() and not DisclosureEvent.objects.exists()


def test_wrong_challenge_refused(w, client):
    url = reverse("disclosure_public:apply")
    ch = _challenge(client, url)
    ch["challenge"] = str(int(ch["challenge"]) + 1)
    r = client.post(url, {**_apply_data(w), **ch})
    assert r.status_code == 200 and not DisclosureRequest.objects.exists()


def test_xss_in_every_public_field_is_stored_and_shown_escaped(w, client):
    texts = ["name", "description", "purpose", "address", "legal_representative", "contact_name"]
    r = _apply(client, w, **dict.fromkeys(texts, XSS), applicant_type="charity", id_number=USCC)
    assert r.status_code == 302
    req = DisclosureRequest.objects.get()
    assert all(getattr(req, f) == XSS for f in texts)
    assert XSS not in client.get(reverse("disclosure_public:applied")).content.decode()
    html = client.get(reverse("disclosure_public:detail", args=[req.tracking_code])).content.decode()
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the 补正 text and the lookup fields too
    svc.ask_supplement(req, actor=w.users["scj_disclosure"], text=XSS)
    r = client.post(reverse("disclosure_public:supplement", args=[req.tracking_code]), {"text": XSS})
    assert r.status_code == 302
    html = client.get(reverse("disclosure_public:detail", args=[req.tracking_code])).content.decode()
    assert XSS not in html and html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    staff = _staff("scj_disclosure")
    html = staff.get(reverse("disclosure:detail", args=[req.pk])).content.decode()
    assert XSS not in html and "&lt;script&gt;" in html
    r = client.post(reverse("disclosure_public:lookup"), {"code": XSS, "id_number": XSS})
    assert r.status_code == 200 and XSS not in r.content.decode()


def test_lookup_grants_the_detail_and_supplement(w, client):
    req = _req(w)
    detail = reverse("disclosure_public:detail", args=[req.tracking_code])
    assert client.get(detail).status_code == 404  # not looked up yet
    r = client.post(
        reverse("disclosure_public:lookup"), {"code": req.tracking_code, "id_number": "330102198502022340"}
    )
    assert r.status_code == 200 and "申请编号或证件号码不正确" in r.content.decode()
    r = client.post(
        reverse("disclosure_public:lookup"), {"code": req.tracking_code.lower(), "id_number": PID.lower()}
    )
    assert r.status_code == 302 and r.url == detail
    svc.ask_supplement(req, actor=w.users["scj_disclosure"], text="请写明年份")
    pdf = SimpleUploadedFile("补正.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = client.post(
        reverse("disclosure_public:supplement", args=[req.tracking_code]), {"text": "2025年", "files": [pdf]}
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "processing" and req.files.filter(role="supplement").count() == 1
    f = req.files.get()
    assert client.get(reverse("disclosure_public:file", args=[req.tracking_code, f.pk])).status_code == 200
    other = Client()
    assert other.get(reverse("disclosure_public:file", args=[req.tracking_code, f.pk])).status_code == 404
    # a bad upload changes nothing
    req2 = _req(w)
    client.post(reverse("disclosure_public:lookup"), {"code": req2.tracking_code, "id_number": PID})
    svc.ask_supplement(req2, actor=w.users["scj_disclosure"], text="请写明年份")
    exe = SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf")
    r = client.post(
        reverse("disclosure_public:supplement", args=[req2.tracking_code]), {"text": "2025", "files": [exe]}
    )
    assert r.status_code == 400
    req2.refresh_from_db()
    assert (
        req2.status == "supplement"
        and not req2.files.exists()
        and not req2.events.filter(kind="supplemented").exists()
    )


def test_account_sees_its_requests_only(w, client):
    _login(client, w.citizen)
    r = _apply(client, w)
    assert r.status_code == 302
    mine = DisclosureRequest.objects.get()
    assert mine.account_id == w.citizen.pk
    other = _req(w, name="王芳", id_number="330102198502022340")
    c2 = Client()
    _login(c2, w.citizen)
    html = c2.get(reverse("disclosure_public:mine")).content.decode()
    assert mine.tracking_code in html and other.tracking_code not in html
    assert c2.get(reverse("disclosure_public:detail", args=[mine.tracking_code])).status_code == 200
    assert c2.get(reverse("disclosure_public:detail", args=[other.tracking_code])).status_code == 404
    r = Client().get(reverse("disclosure_public:mine"))
    assert r.status_code == 302 and r.url.startswith(reverse("ban:login"))


def test_public_withdraw(w, client):
    req = _req(w)
    client.post(reverse("disclosure_public:lookup"), {"code": req.tracking_code, "id_number": PID})
    client.post(reverse("disclosure_public:withdraw", args=[req.tracking_code]), {"note": "不需要了"})
    req.refresh_from_db()
    assert (req.status, req.outcome, req.outcome_reason) == ("closed", "other", "other")


# --- staff -------------------------------------------------------------------------------------
def _staff(username: str) -> Client:
    from tongban.identity.models import User

    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def test_staff_flow_through_the_pages(w):
    req = _req(w)
    c = _staff("scj_disclosure")
    html = c.get(reverse("disclosure:index")).content.decode()
    assert req.tracking_code in html
    url = lambda name: reverse("disclosure:action", args=[req.pk, name])  # noqa: E731
    assert c.post(url("confirm"), {}).status_code == 302
    r = c.post(url("extend"), {"extend-days": "25", "extend-reason": "x"})
    assert r.status_code == 400
    assert c.post(url("extend"), {"extend-days": "10", "extend-reason": "需要调档"}).status_code == 302
    r = c.post(url("answer"), {"answer-outcome": "refused", "answer-reason": "", "answer-text": "不予公开"})
    assert r.status_code == 400 and "请选择具体情形" in r.content.decode()
    pdf = SimpleUploadedFile("答复.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = c.post(
        url("answer"),
        {
            "answer-outcome": "partial",
            "answer-reason": "",
            "answer-text": "部分公开，见附件",
            "answer-files": [pdf],
        },
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert (
        req.status == "answered" and req.outcome == "partial" and req.files.filter(role="answer").count() == 1
    )
    html = c.get(reverse("disclosure:detail", args=[req.pk])).content.decode()
    assert "部分公开" in html and 'data-action="' not in html  # no actions left


def test_staff_register_paper_mail_request(w):
    c = _staff("scj_disclosure")
    url = reverse("disclosure:register")
    assert c.get(url).status_code == 200
    data = {**_apply_data(w), "reg-channel": "mail", "reg-received_on": "2026-09-25"}
    with moved_to(date(2026, 9, 29)):
        r = c.post(url, data)
    assert r.status_code == 302
    req = DisclosureRequest.objects.get()
    assert req.channel == "mail" and req.received_on == date(2026, 9, 25) and req.due_on == date(2026, 10, 29)


@pytest.mark.parametrize("who", ["anonymous", "outsider", "cz_letters", "editor"])
def test_refused_roles_see_nothing_and_change_nothing(w, who):
    req = _req(w)
    c = Client() if who == "anonymous" else _staff(who)
    for url in (reverse("disclosure:index"), reverse("disclosure:detail", args=[req.pk])):
        r = c.get(url)
        assert r.status_code in (302, 403, 404)
    r = c.post(
        reverse("disclosure:action", args=[req.pk, "answer"]),
        {"answer-outcome": "disclosed", "answer-text": "x"},
    )
    assert r.status_code in (302, 403, 404)
    req.refresh_from_db()
    assert req.status == "received" and req.events.count() == 1


def test_officer_of_another_organ_is_refused_and_the_office_sees_all(w):
    from tongban.orgs.models import RoleGrant

    RoleGrant.objects.create(
        county=w.county, user=w.users["cz_letters"], unit=w.units["czj"], role="disclosure_officer"
    )
    req = _req(w)
    c = _staff("cz_letters")
    assert c.get(reverse("disclosure:detail", args=[req.pk])).status_code == 404
    r = c.post(reverse("disclosure:action", args=[req.pk, "confirm"]), {})
    assert r.status_code == 404
    req.refresh_from_db()
    assert req.status == "received"
    office = _staff("disclosure")
    assert office.get(reverse("disclosure:detail", args=[req.pk])).status_code == 200
    assert office.post(reverse("disclosure:action", args=[req.pk, "confirm"]), {}).status_code == 302


def test_public_account_cannot_use_staff_pages(w):
    c = Client()
    _login(c, w.citizen)
    r = c.get(reverse("disclosure:index"))
    assert r.status_code == 302 and "login" in r.url


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


def test_list_query_counts(w, django_assert_max_num_queries):
    """The boxes and 我的申请 do not grow with the number of requests (the staff shell's own
    navigation queries included)."""
    for i in range(3):
        _req(w, description=f"信息{i}")
    c = _staff("disclosure")
    url = reverse("disclosure:index") + "?box=all"
    few = _count(c, url)
    for i in range(22):
        _req(w, description=f"更多{i}")
    with django_assert_max_num_queries(few):
        r = c.get(url)
    assert r.status_code == 200 and r.content.decode().count("data-request=") == 20
    acc = Client()
    _login(acc, w.citizen)
    DisclosureRequest.objects.filter(description__startswith="信息").update(account=w.citizen)
    few = _count(acc, reverse("disclosure_public:mine"))
    DisclosureRequest.objects.update(account=w.citizen)
    with django_assert_max_num_queries(few):
        r = acc.get(reverse("disclosure_public:mine"))
    assert r.content.decode().count("/portal/disclosure-requests/r/") == 25


def test_daily_reminders_and_nav_badge(w):
    with moved_to(date(2026, 9, 18)):
        req = _req(w)
    with moved_to(date(2026, 10, 20)):  # due 2026-10-22: within 3 working days
        assert remind() == (1, 0)
        assert remind() == (1, 0)  # deduped
    n = Notification.objects.filter(event="disclosure.due_soon", user=w.users["scj_disclosure"]).count()
    assert n == 1
    with moved_to(date(2026, 10, 23)):
        assert remind() == (0, 1)
    assert (
        Notification.objects.filter(event="disclosure.overdue", user=w.users["scj_disclosure"]).count() == 1
    )
    from tongban.core import nav

    items = {i["key"]: i for i in nav.items_for(w.users["scj_disclosure"])}
    assert items["interaction.disclosure"]["badge"] == 1
    assert "interaction.disclosure" not in {i["key"] for i in nav.items_for(w.users["outsider"])}
    assert req.pk


def test_apply_form_has_labels_for_every_input():
    form = forms_disclosure.ApplyForm(organs=[])
    for field in form.visible_fields():
        assert field.label, field.name


def test_rate_limit_on_apply(w, client, settings):
    cache.clear()
    for _i in range(10):
        assert _apply(client, w).status_code == 302
    r = _apply(client, w)
    assert r.status_code == 200 and "提交过于频繁" in r.content.decode()
    assert DisclosureRequest.objects.count() == 10
