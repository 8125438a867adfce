"""找错 (error reports), end to end: the public form /portal/jiucuo/?url= with its challenge and rate
limit, bad input refused in Chinese with nothing stored, XSS stored harmlessly and shown escaped on
the staff pages; portal administrators notified, handling once with a note (audited); the
permissions matrix (refused callers change nothing); the REST API with the same rules."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.interaction.antispam import CHALLENGE_SALT
from tongban.notify.models import Notification
from tongban.orgs.models import County
from tongban.portal import errors
from tongban.portal.models import ErrorReport
from tongban.portal.testing import PortalWorld, build_site

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
NEW = reverse("portal_errors:new")
PUBLIC_API = "/api/v1/public/portal/error-reports"
STAFF_API = "/api/v1/portal/error-reports"
HANDLED = "portal.error_report.handled"


@pytest.fixture
def site() -> PortalWorld:
    return build_site()


def solve(token: str) -> str:
    return str(signing.loads(token, salt=CHALLENGE_SALT)["a"])


def staff(site: PortalWorld, key: str) -> Client:
    c = Client()
    if key != "anonymous":
        c.force_login(site.world.users[key])
    return c


def citizen(site: PortalWorld) -> Client:
    from tongban.identity import public

    account = site.world.citizen
    assert account is not None
    c = Client()
    session = c.session
    session[public.SESSION_KEY] = account.pk
    session[public.SESSION_HASH] = public._hash(account)
    session.save()
    c.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    return c


def form_token(html: str) -> str:
    m = re.search(r'name="challenge_token" value="([^"]+)"', html) or re.search(
        r'value="([^"]+)" name="challenge_token"', html
    )
    assert m, html[-2000:]
    return m.group(1)


def post_form(c: Client, **fields: str) -> Any:
    token = form_token(c.get(NEW).content.decode())
    data = {
        "page_url": "/portal/news/yaowen/",
        "kind": "typo",
        "description": "第二段“青山县”写成了“清山县”。",
        "contact": "13900001111",
        "challenge_token": token,
        "challenge": solve(token),
    }
    data.update(fields)
    return c.post(NEW, data)


def api_post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json.dumps(body), content_type="application/json")


def api_report(c: Client, **fields: str) -> Any:
    ch = c.get(PUBLIC_API + "/challenge").json()
    body = {
        "page_url": "https://www.qingshan.gov.cn/portal/news/",
        "kind": "link",
        "description": "“更多”链接打不开。",
        "contact": "",
        "challenge_token": ch["token"],
        "challenge": solve(ch["token"]),
    }
    body.update(fields)
    return api_post(c, PUBLIC_API, body)


def a_report(site: PortalWorld, **fields: Any) -> ErrorReport:
    data: dict[str, Any] = {
        "county": site.world.county,
        "page_url": "/portal/news/",
        "kind": "typo",
        "description": "错别字",
    }
    data.update(fields)
    return ErrorReport.objects.create(**data)


def state(report: ErrorReport) -> tuple[Any, ...]:
    report.refresh_from_db()
    return (report.status, report.reply, report.handled_by_id, report.handled_at)


# --- the public form -------------------------------------------------------------------------------
def test_visitor_reports_an_error_and_the_admins_are_told(site: PortalWorld) -> None:
    c = Client()
    response = c.get(NEW, {"url": "/portal/news/yaowen/a1/"})
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    html = response.content.decode()
    assert 'value="/portal/news/yaowen/a1/"' in html and "验证题" in html
    for label in ("错别字", "链接错误", "内容过时", "无法访问", "其他"):
        assert label in html
    r = post_form(c, page_url="/portal/news/yaowen/a1/")
    assert r.status_code == 302 and r["Location"] == reverse("portal_errors:thanks")
    assert "感谢您的纠错" in c.get(r["Location"]).content.decode()
    report = ErrorReport.objects.get()
    assert (report.county, report.page_url, report.kind, report.status) == (
        site.world.county,
        "/portal/news/yaowen/a1/",
        "typo",
        "new",
    )
    assert report.contact == "13900001111" and "清山县" in report.description
    note = Notification.objects.get(event="portal.error_reported")
    assert note.user == site.world.users["portaladmin"]
    assert note.url == reverse("portal_health:error", args=[report.pk]) and "错别字" in note.title
    # only the county's portal administrators are told
    assert Notification.objects.filter(event="portal.error_reported").count() == 1


def test_the_form_takes_the_referer_when_no_url_is_given(site: PortalWorld) -> None:
    html = Client().get(NEW, HTTP_REFERER="http://testserver/portal/life/").content.decode()
    assert 'value="http://testserver/portal/life/"' in html


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"page_url": ""}, "必需字段", "page_url"),
        ({"page_url": "javascript:alert(1)"}, "页面地址不正确。", "page_url"),
        ({"page_url": "//evil.example/x"}, "页面地址不正确。", "page_url"),
        ({"page_url": "/\\evil.example/x"}, "页面地址不正确。", "page_url"),
        ({"page_url": "data:text/html,x"}, "页面地址不正确。", "page_url"),
        ({"page_url": "/portal/a b"}, "页面地址不正确。", "page_url"),
        ({"kind": "virus"}, "选择一个有效的选项", "kind"),
        ({"description": "   "}, "必需字段", "description"),
        ({"description": "错" * 1001}, "1000", "description"),
        ({"contact": "1" * 101}, "100", "contact"),
        ({"challenge": "99"}, "验证题答案不正确", "challenge"),
        ({"challenge_token": "forged"}, "验证题已过期", "challenge"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(
    site: PortalWorld, fields: dict[str, str], message: str, field: str
) -> None:
    r = post_form(Client(), **fields)
    html = r.content.decode()
    assert r.status_code == 400
    assert message in html, html[-3000:]
    assert "is-invalid" in html or "invalid-feedback" in html
    assert ErrorReport.objects.count() == 0
    assert not Notification.objects.filter(event="portal.error_reported").exists()
    # a refused form comes back with a fresh question
    assert form_token(html) != ""


def test_service_refuses_bad_input_with_codes(site: PortalWorld) -> None:
    from tongban.core.errors import TongbanError

    county = site.world.county
    for kwargs, code in (
        ({"page_url": "vbscript:x"}, "portal.error_url_invalid"),
        ({"page_url": "/x" * 300}, "portal.error_url_long"),
        ({"kind": "x"}, "portal.error_kind"),
        ({"description": ""}, "portal.error_description_required"),
        ({"description": "x" * 1001}, "portal.error_description_long"),
        ({"contact": "x" * 101}, "portal.error_contact_long"),
    ):
        data: dict[str, Any] = {"page_url": "/portal/", "kind": "other", "description": "问题", **kwargs}
        with pytest.raises(TongbanError) as exc:
            errors.report_error(county=county, **data)
        assert exc.value.code == code
    assert ErrorReport.objects.count() == 0


def test_a_reused_challenge_is_refused(site: PortalWorld) -> None:
    c = Client()
    token = form_token(c.get(NEW).content.decode())
    data = {"page_url": "/portal/", "kind": "other", "description": "问题", "contact": ""}
    assert c.post(NEW, {**data, "challenge_token": token, "challenge": solve(token)}).status_code == 302
    r = c.post(NEW, {**data, "challenge_token": token, "challenge": solve(token)})
    assert r.status_code == 400 and "验证题已使用" in r.content.decode()
    assert ErrorReport.objects.count() == 1


def test_five_reports_an_hour_from_one_address(site: PortalWorld) -> None:
    c = Client()
    for _i in range(5):
        assert post_form(c).status_code == 302
    r = post_form(c)
    assert r.status_code == 400 and "提交过于频繁，请稍后再试。" in r.content.decode()
    assert ErrorReport.objects.count() == 5
    # the API shares the limit (same address)
    r = api_report(c)
    assert r.status_code == 400 and r.json()["code"] == "interaction.rate_limited"
    assert ErrorReport.objects.count() == 5
    # another address is not affected
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert post_form(other).status_code == 302
    assert ErrorReport.objects.count() == 6


def test_xss_in_every_public_field_is_stored_and_shown_escaped(site: PortalWorld) -> None:
    url = "/portal/" + XSS
    r = post_form(Client(), page_url=url, description=XSS, contact=XSS)
    assert r.status_code == 302
    report = ErrorReport.objects.get()
    assert (report.page_url, report.description, report.contact) == (url, XSS, XSS)
    admin = staff(site, "portaladmin")
    for page in (reverse("portal_health:errors"), reverse("portal_health:error", args=[report.pk])):
        html = admin.get(page).content.decode()
        assert XSS not in html and ESCAPED in html, page
    detail = admin.get(reverse("portal_health:error", args=[report.pk])).content.decode()
    assert 'href="/portal/&lt;script&gt;' in detail  # the link stays on the site, escaped
    # the description and contact in a refused form are echoed escaped, too
    html = post_form(
        Client(REMOTE_ADDR="10.9.9.9"), description=XSS, contact=XSS, challenge="99"
    ).content.decode()
    assert XSS not in html and ESCAPED in html
    # the url in the query string is escaped in the form
    html = Client().get(NEW, {"url": '/portal/"><script>alert(1)</script>'}).content.decode()
    assert XSS not in html and "&quot;&gt;&lt;script&gt;" in html
    # handled with an XSS note: escaped too
    errors.handle_report(user=site.world.users["portaladmin"], pk=report.pk, status="rejected", reply=XSS)
    html = admin.get(reverse("portal_health:error", args=[report.pk])).content.decode()
    assert XSS not in html and ESCAPED in html


def test_an_external_address_is_shown_as_text_not_a_link(site: PortalWorld) -> None:
    report = a_report(site, page_url="https://evil.example/phish")
    html = staff(site, "portaladmin").get(reverse("portal_health:error", args=[report.pk])).content.decode()
    assert "https://evil.example/phish" in html and 'href="https://evil.example' not in html


# --- handling ----------------------------------------------------------------------------------------
def test_portal_admin_handles_a_report_once_with_a_note(site: PortalWorld) -> None:
    report = a_report(site)
    admin = staff(site, "portaladmin")
    url = reverse("portal_health:error", args=[report.pk])
    html = admin.get(reverse("portal_health:errors")).content.decode()
    assert f'data-report="{report.pk}"' in html and "待处理" in html
    # a note is required; nothing changes without one
    r = admin.post(url, {"status": "fixed", "reply": ""})
    assert r.status_code == 400 and "必需字段" in r.content.decode()
    r = admin.post(url, {"status": "maybe", "reply": "x"})
    assert r.status_code == 400
    assert state(report) == ("new", "", None, None)
    assert not AuditRecord.objects.filter(event=HANDLED).exists()
    r = admin.post(url, {"status": "fixed", "reply": "已改正错别字。"})
    assert r.status_code == 302 and r["Location"] == reverse("portal_health:errors")
    report.refresh_from_db()
    assert (report.status, report.reply, report.handled_by) == (
        "fixed",
        "已改正错别字。",
        site.world.users["portaladmin"],
    )
    assert report.handled_at is not None
    audit = AuditRecord.objects.get(event=HANDLED)
    assert audit.actor_id == site.world.users["portaladmin"].pk and audit.object_id == str(report.pk)
    assert audit.old == {"status": "new"} and audit.new == {"status": "fixed"}
    html = admin.get(url).content.decode()
    assert 'data-status="fixed"' in html and "已改正错别字。" in html and "提交处理结果" not in html
    # a second handling is refused and changes nothing
    before = state(report)
    r = admin.post(url, {"status": "rejected", "reply": "再改"})
    assert r.status_code == 400 and "这条纠错已经处理过了。" in r.content.decode()
    assert state(report) == before and AuditRecord.objects.filter(event=HANDLED).count() == 1


def test_the_list_filters_by_status_and_its_query_count_is_flat(
    site: PortalWorld, django_assert_max_num_queries: Any
) -> None:
    admin = staff(site, "portaladmin")
    done = a_report(site, description="已处理的那条")
    errors.handle_report(user=site.world.users["portaladmin"], pk=done.pk, status="fixed", reply="好")
    a_report(site, description="新来的那条")
    html = admin.get(reverse("portal_health:errors"), {"status": "new"}).content.decode()
    assert "新来的那条" in html and "已处理的那条" not in html
    html = admin.get(reverse("portal_health:errors"), {"status": "fixed"}).content.decode()
    assert "新来的那条" not in html and "已处理的那条" in html
    admin.get(reverse("portal_health:errors"))
    with django_assert_max_num_queries(40) as few:
        admin.get(reverse("portal_health:errors"))
    for i in range(25):
        r = a_report(site, description=f"纠错{i}")
        if i % 2:
            errors.handle_report(user=site.world.users["portaladmin"], pk=r.pk, status="rejected", reply="否")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin.get(reverse("portal_health:errors"))
    assert response.status_code == 200 and response.content.decode().count("data-report=") == 20


def test_another_countys_reports_are_not_found(site: PortalWorld) -> None:
    other = County.objects.create(name="白水县", code="990012")
    report = ErrorReport.objects.create(county=other, page_url="/portal/", kind="typo", description="别县的")
    admin = staff(site, "portaladmin")
    assert "别县的" not in admin.get(reverse("portal_health:errors")).content.decode()
    assert admin.get(reverse("portal_health:error", args=[report.pk])).status_code == 404
    assert (
        admin.post(
            reverse("portal_health:error", args=[report.pk]), {"status": "fixed", "reply": "x"}
        ).status_code
        == 404
    )
    r = api_post(admin, f"{STAFF_API}/{report.pk}/handle", {"status": "fixed", "reply": "x"})
    assert r.status_code == 404
    assert state(report) == ("new", "", None, None)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "editor", "reviewer", "mailbox", "citizen"])
def test_refused_roles_change_nothing(site: PortalWorld, role: str) -> None:
    report = a_report(site)
    c = citizen(site) if role == "citizen" else staff(site, role)
    before = state(report)
    list_url = reverse("portal_health:errors")
    detail_url = reverse("portal_health:error", args=[report.pk])
    for r in (
        c.get(list_url),
        c.get(detail_url),
        c.post(detail_url, {"status": "fixed", "reply": "x"}),
    ):
        if role in ("anonymous", "citizen"):  # no staff session: the staff login page
            assert r.status_code == 302 and "login" in r["Location"]
        else:
            assert r.status_code == 403
    assert c.get(STAFF_API).status_code in (401, 403)
    r = api_post(c, f"{STAFF_API}/{report.pk}/handle", {"status": "fixed", "reply": "x"})
    assert r.status_code in (401, 403)
    assert state(report) == before
    assert not AuditRecord.objects.filter(event=HANDLED).exists()
    if role not in ("anonymous", "citizen"):
        assert errors.new_count(site.world.users[role]) == 0 and not errors.can_handle(site.world.users[role])


# --- API -----------------------------------------------------------------------------------------------
def test_api_report_and_handle(site: PortalWorld) -> None:
    c = Client()
    ch = c.get(PUBLIC_API + "/challenge").json()
    assert re.fullmatch(r"\d \+ \d = \?", ch["question"]) and ch["token"]
    r = api_report(c, description=XSS, contact=XSS)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    report = ErrorReport.objects.get(pk=pk)
    assert report.kind == "link" and report.description == XSS
    assert (
        Notification.objects.filter(
            event="portal.error_reported", user=site.world.users["portaladmin"]
        ).count()
        == 1
    )
    admin = staff(site, "portaladmin")
    data = admin.get(STAFF_API, {"status": "new"}).json()
    assert data["total"] == 1 and data["items"][0]["id"] == pk
    assert data["items"][0]["kind_label"] == "链接错误" and data["items"][0]["description"] == XSS
    assert admin.get(STAFF_API, {"status": "fixed"}).json()["total"] == 0
    r = api_post(admin, f"{STAFF_API}/{pk}/handle", {"status": "fixed", "reply": "已修复链接。"})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == "fixed" and out["reply"] == "已修复链接。" and out["handled_by"] == "黄网管"
    assert AuditRecord.objects.filter(event=HANDLED, object_id=str(pk)).count() == 1
    r = api_post(admin, f"{STAFF_API}/{pk}/handle", {"status": "rejected", "reply": "x"})
    assert r.status_code == 400 and r.json()["code"] == "portal.error_handled"
    assert admin.get(STAFF_API, {"status": "fixed"}).json()["total"] == 1
    assert api_post(admin, f"{STAFF_API}/999999/handle", {"status": "fixed", "reply": "x"}).status_code == 404


def test_api_refuses_bad_input_and_stores_nothing(site: PortalWorld) -> None:
    c = Client()
    for fields, code in (
        ({"page_url": "javascript:alert(1)"}, "portal.error_url_invalid"),
        ({"kind": "virus"}, "portal.error_kind"),
        ({"description": ""}, "portal.error_description_required"),
        ({"description": "x" * 1001}, "portal.error_description_long"),
        ({"challenge": "99"}, "interaction.challenge"),
        ({"challenge_token": "forged"}, "interaction.challenge"),
    ):
        r = api_report(c, **fields)
        assert r.status_code == 400, (fields, r.content)
        body = r.json()
        assert body["code"] == code and re.search(r"[\u4e00-\u9fff]", body["detail"]), body
    assert ErrorReport.objects.count() == 0
    # a note is required when handling; nothing changes
    report = a_report(site)
    admin = staff(site, "portaladmin")
    for body, code in (
        ({"status": "fixed", "reply": " "}, "portal.error_reply_required"),
        ({"status": "new", "reply": "x"}, "portal.error_status"),
    ):
        r = api_post(admin, f"{STAFF_API}/{report.pk}/handle", body)
        assert r.status_code == 400 and r.json()["code"] == code
    assert state(report) == ("new", "", None, None)


def test_api_rate_limit(site: PortalWorld) -> None:
    c = Client()
    for _i in range(5):
        assert api_report(c).status_code == 201
    r = api_report(c)
    assert r.status_code == 400 and r.json()["code"] == "interaction.rate_limited"
    assert ErrorReport.objects.count() == 5
