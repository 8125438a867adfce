"""The annual report of 政府信息公开 (国办公开办函〔2021〕30号): the request table from the records,
the balance check, the draft service, the refusal of unbalanced reports (service, save, Wagtail
admin hooks), the staff page and its permissions, the public page and the API."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.interaction.disclosure_table import COLUMNS, ROWS, balance_errors
from tongban.interaction.models import DisclosureRequest
from tongban.portal import annual_report
from tongban.portal.models import AnnualReportPage
from tongban.portal.testing import PortalWorld, build_site

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
TODAY = dt.date(2026, 2, 10)
URL = "/portal-admin/disclosure/"


def req(
    p: PortalWorld,
    *,
    received: dt.date,
    answered: dt.date | None = None,
    outcome: str = "",
    reason: str = "",
    applicant: str = "person",
    organ: str = "zfb",
) -> DisclosureRequest:
    n = next(_seq)
    return DisclosureRequest.objects.create(
        county=p.world.county,
        tracking_code=f"GK{n:08d}",
        organ=p.world.units[organ],
        applicant_type=applicant,
        name="申请人",
        id_number="330102198001011234",
        phone="13800000001",
        description="所需信息",
        channel="online",
        submitted_at=dt.datetime(received.year, received.month, received.day, 9, tzinfo=dt.UTC),
        received_on=received,
        clock_start_on=received,
        status="answered" if answered else "processing",
        outcome=outcome,
        outcome_reason=reason,
        answered_on=answered,
    )


def seed_2025(p: PortalWorld) -> None:
    """2025: two carried over from 2024 (one handled in 2025), six new (one carried forward)."""
    req(p, received=dt.date(2024, 12, 20), answered=dt.date(2025, 1, 10), outcome="disclosed")
    req(p, received=dt.date(2024, 12, 28), applicant="business")  # still open: carried over and forward
    req(p, received=dt.date(2024, 3, 1), answered=dt.date(2024, 3, 20), outcome="disclosed")  # not in 2025
    req(p, received=dt.date(2025, 3, 2), answered=dt.date(2025, 3, 20), outcome="partial")
    req(
        p,
        received=dt.date(2025, 4, 2),
        answered=dt.date(2025, 4, 28),
        outcome="refused",
        reason="state_secret",
    )
    req(
        p, received=dt.date(2025, 5, 6), answered=dt.date(2025, 5, 30), outcome="unavailable", reason="not_held",
        applicant="research",
    )  # fmt: skip
    req(
        p, received=dt.date(2025, 6, 6), answered=dt.date(2025, 7, 1), outcome="other", reason="no_supplement"
    )
    req(p, received=dt.date(2025, 12, 29), applicant="legal")  # carried forward
    req(p, received=dt.date(2025, 8, 1), answered=dt.date(2025, 8, 5), outcome="disclosed", organ="scj")
    req(p, received=dt.date(2026, 1, 5), answered=dt.date(2026, 1, 20), outcome="disclosed")  # next year


@pytest.fixture
def p() -> PortalWorld:
    return build_site()


def login(client: Client, p: PortalWorld, username: str) -> Client:
    client.force_login(p.world.users[username])
    return client


# --- the table -------------------------------------------------------------------------------------
def test_the_table_has_30hao_rows_and_columns_and_counts_the_records(p: PortalWorld) -> None:
    seed_2025(p)
    table = annual_report.build_table(p.world.county, 2025)
    assert set(table) == {k for k, _l, _v in ROWS}
    assert all(set(row) == {c for c, _l in COLUMNS} for row in table.values())
    assert table["new"]["total"] == 6
    assert table["new"]["person"] == 4 and table["new"]["research"] == 1 and table["new"]["legal"] == 1
    assert table["carried_over"]["total"] == 2
    assert table["carried_over"]["business"] == 1
    assert table["disclosed"]["total"] == 2  # the 2024 request handled in January and 市场监管局's
    assert table["partial"]["total"] == 1
    assert table["refused.state_secret"]["total"] == 1
    assert table["unavailable.not_held"]["research"] == 1
    assert table["other.no_supplement"]["total"] == 1
    assert table["handled_total"]["total"] == 6
    assert table["carried_forward"]["total"] == 2  # the open 2024 one and 2025-12-29; none of 2026
    assert table["carried_forward"]["legal"] == 1 and table["carried_forward"]["business"] == 1
    assert balance_errors(table) == []
    annual_report.check_balance(table)


def test_one_organ_counts_only_its_requests(p: PortalWorld) -> None:
    seed_2025(p)
    table = annual_report.build_table(p.world.county, 2025, p.world.units["scj"])
    assert table["new"]["total"] == 1 and table["handled_total"]["total"] == 1
    assert table["carried_over"]["total"] == 0 and table["carried_forward"]["total"] == 0


def test_a_carried_over_override_that_does_not_fit_the_records_is_unbalanced(p: PortalWorld) -> None:
    seed_2025(p)
    table = annual_report.build_table(
        p.world.county, 2025, carried_over_override={"person": 5, "business": 1}
    )
    assert table["carried_over"] == {"person": 5, "business": 1, "research": 0, "charity": 0, "legal": 0,
                                     "other": 0, "total": 6}  # fmt: skip
    assert table["carried_forward"]["total"] == 2  # unchanged: what the records say
    with pytest.raises(TongbanError) as exc:
        annual_report.check_balance(table)
    assert exc.value.code == "portal.annual_report_unbalanced"
    assert exc.value.params["columns"] == ["person", "total"]
    assert "自然人" in str(exc.value) and "总计" in str(exc.value)


def test_a_fitting_override_balances(p: PortalWorld) -> None:
    seed_2025(p)
    table = annual_report.build_table(
        p.world.county, 2025, carried_over_override={"person": 1, "business": 1}
    )
    annual_report.check_balance(table)


@pytest.mark.parametrize("bad", [{"person": -1}, {"person": "x"}, {"business": "1.5"}])
def test_bad_overrides_are_refused(p: PortalWorld, bad: dict[str, Any]) -> None:
    with pytest.raises(TongbanError) as exc:
        annual_report.build_table(p.world.county, 2025, carried_over_override=bad)
    assert exc.value.code == "portal.annual_report_bad_carried_over"


def test_deadlines_departments_january_county_march(p: PortalWorld) -> None:
    assert annual_report.due_date(2025, None) == dt.date(2026, 3, 31)
    assert annual_report.due_date(2025, p.world.units["scj"]) == dt.date(2026, 1, 31)


# --- the draft service and the refusals --------------------------------------------------------
def draft(p: PortalWorld, **kw: Any) -> AnnualReportPage:
    args: dict[str, Any] = {
        "carried_over": None,
        "proactive": {"normative": {"issued": 3, "repealed": 1, "in_force": 40}, "fees": {"amount": "12.5"}},
        "reviews": {"review": {"upheld": 2, "other": 1}},
        "overview": "<p>总体情况</p>",
    }
    args.update(kw)
    organ = args.pop("organ", None)
    with clock.moved_to(TODAY):
        return annual_report.save_draft(p.world.users["portaladmin"], p.world.county, 2025, organ, **args)


def test_save_draft_creates_a_draft_in_the_report_column_then_updates_it(p: PortalWorld) -> None:
    seed_2025(p)
    page = draft(p)
    assert page.get_parent().slug == "ndbg"
    assert not page.live
    assert page.title == "青山县人民政府2025年政府信息公开工作年度报告"
    assert page.requests_table["new"]["total"] == 6
    assert page.proactive["normative"] == {"issued": 3, "repealed": 1, "in_force": 40}
    assert page.proactive["fees"] == {"amount": "12.5"}
    assert page.reviews["review"] == {"upheld": 2, "corrected": 0, "other": 1, "pending": 0, "total": 3}
    again = draft(p, overview="<p>修改后</p>")
    assert again.pk == page.pk
    assert AnnualReportPage.objects.count() == 1
    assert AnnualReportPage.objects.get().overview == "<p>修改后</p>"


def test_an_unbalanced_override_is_refused_and_nothing_is_saved(p: PortalWorld) -> None:
    seed_2025(p)
    with pytest.raises(TongbanError) as exc:
        draft(p, carried_over={"person": 9})
    assert exc.value.code == "portal.annual_report_unbalanced"
    assert AnnualReportPage.objects.count() == 0


def test_bad_figures_are_refused(p: PortalWorld) -> None:
    with pytest.raises(TongbanError):
        draft(p, proactive={"fees": {"amount": "-1"}})
    with pytest.raises(TongbanError):
        draft(p, reviews={"review": {"upheld": -2}})
    with pytest.raises(TongbanError):
        draft(p, overview="  ")
    assert AnnualReportPage.objects.count() == 0


def test_publishing_an_unbalanced_page_is_refused(p: PortalWorld) -> None:
    seed_2025(p)
    page = draft(p)
    page.carried_over = {"person": 9, "total": 9}
    with pytest.raises(TongbanError):
        page.save_revision().publish()
    page = AnnualReportPage.objects.get(pk=page.pk)
    assert not page.live and page.carried_over == {}


def test_publishing_recomputes_the_table(p: PortalWorld) -> None:
    page = draft(p)
    assert page.requests_table["new"]["total"] == 0
    seed_2025(p)  # records corrected after the draft
    page.get_latest_revision().publish()
    page = AnnualReportPage.objects.get(pk=page.pk)
    assert page.live and page.requests_table["new"]["total"] == 6
    assert page.publish_date is not None


# --- the Wagtail admin hooks --------------------------------------------------------------------
def unbalance_by_correcting_records(p: PortalWorld) -> AnnualReportPage:
    """A draft with a hand-set carried-over row that fits the records, then a record deleted: the
    override no longer fits."""
    seed_2025(p)
    page = draft(p, carried_over={"person": 1, "business": 1})
    DisclosureRequest.objects.filter(received_on=dt.date(2024, 12, 20)).delete()
    return page


def test_the_admin_refuses_saving_an_unbalanced_report(
    p: PortalWorld, client: Client, admin_user: Any
) -> None:
    page = unbalance_by_correcting_records(p)
    client.force_login(admin_user)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = {"title": "篡改后的标题", "slug": page.slug, "year": "2025", "organ": "", "overview": "{}",
            "action-publish": "1"}  # fmt: skip
    revisions = page.revisions.count()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == url
    page = AnnualReportPage.objects.get(pk=page.pk)
    assert page.title != "篡改后的标题" and not page.live
    assert page.revisions.count() == revisions
    followed = client.get(url)
    assert "不平衡" in followed.content.decode()


def test_the_admin_create_edit_and_publish_hooks(p: PortalWorld, admin_user: Any, rf: Any) -> None:
    from django.contrib.messages.storage.cookie import CookieStorage

    from tongban.portal import setup_disclosure

    seed_2025(p)
    page = draft(p, carried_over={"person": 1, "business": 1})
    request = rf.post("/cms/", {"year": "2025", "organ": ""})
    request.user = admin_user
    request._messages = CookieStorage(request)
    assert setup_disclosure.before_edit_page(request, page) is None
    assert setup_disclosure.before_publish_page(request, page) is None
    assert setup_disclosure.before_create_page(request, page.get_parent(), AnnualReportPage) is None
    DisclosureRequest.objects.filter(received_on=dt.date(2024, 12, 20)).delete()
    refused = setup_disclosure.before_edit_page(request, page)
    assert refused is not None and refused.status_code == 302
    assert setup_disclosure.before_publish_page(request, page) is not None
    assert any("不平衡" in str(m) for m in request._messages._queued_messages)


# --- the staff page ----------------------------------------------------------------------------
def test_staff_page_shows_the_table_checks_and_deadline(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    login(client, p, "disclosure")  # 政府办's disclosure officer: the county's report
    with clock.moved_to(TODAY):
        r = client.get(URL, {"year": 2025})
    body = r.content.decode()
    assert r.status_code == 200
    assert "一、本年新收政府信息公开申请数量" in body and "法人或其他组织" in body
    assert "2026年3月31日" in body
    assert "生成年报草稿" in body


def test_staff_page_generates_the_draft(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    login(client, p, "portaladmin")
    data = {"year": "2025", "organ": "county", "overview": "第一段\n<script>alert(1)</script>",
            "proactive_normative_issued": "4", "proactive_fees_amount": "3.25", "reviews_review_upheld": "1"}  # fmt: skip
    with clock.moved_to(TODAY):
        r = client.post(URL, data)
    assert r.status_code == 302
    page = AnnualReportPage.objects.get()
    assert page.overview == "<p>第一段</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert page.proactive["normative"]["issued"] == 4 and page.proactive["fees"]["amount"] == "3.25"
    assert page.reviews["review"]["total"] == 1


def test_staff_page_refuses_an_unbalanced_override_and_saves_nothing(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    login(client, p, "portaladmin")
    data = {
        "year": "2025",
        "organ": "county",
        "overview": "x",
        "use_override": "on",
        "carried_over_person": "7",
    }
    with clock.moved_to(TODAY):
        r = client.post(URL, data)
    assert r.status_code == 400
    assert "不平衡" in r.content.decode()
    assert AnnualReportPage.objects.count() == 0


@pytest.mark.parametrize("who", ["editor", "mailbox", "scj_staff", "outsider"])
def test_staff_page_refuses_other_roles_and_changes_nothing(p: PortalWorld, client: Client, who: str) -> None:
    login(client, p, who)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"year": "2025", "organ": "county", "overview": "x"}).status_code == 403
    assert AnnualReportPage.objects.count() == 0


def test_staff_page_sends_anonymous_users_to_login(p: PortalWorld, client: Client) -> None:
    r = client.post(URL, {"year": "2025", "organ": "county", "overview": "x"})
    assert r.status_code == 302 and "login" in r.url
    assert AnnualReportPage.objects.count() == 0


def test_a_unit_officer_prepares_only_their_units_report(p: PortalWorld, client: Client) -> None:
    login(client, p, "scj_disclosure")
    assert client.get(URL, {"organ": "county"}).status_code == 403
    assert client.get(URL, {"organ": p.world.units["czj"].pk}).status_code == 403
    with clock.moved_to(TODAY):
        assert client.get(URL, {"organ": p.world.units["scj"].pk, "year": 2025}).status_code == 200
        r = client.post(URL, {"year": "2025", "organ": p.world.units["scj"].pk, "overview": "本局"})
    assert r.status_code == 302
    page = AnnualReportPage.objects.get()
    assert page.organ == p.world.units["scj"]
    assert page.title.startswith("青山县市场监督管理局2025年")


# --- the public page and the API -----------------------------------------------------------------
def test_the_public_page_renders_the_four_tables_escaped(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    page = draft(p, overview="<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    page.get_latest_revision().publish()
    r = client.get(AnnualReportPage.objects.get().url)
    body = r.content.decode()
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in body
    for text in ("二、主动公开政府信息情况", "第二十条第（一）项", "行政规范性文件", "三、本年度办理结果",
                 "1．属于国家秘密", "（七）总计", "四、结转下年度继续办理", "未经复议直接起诉", "复议后起诉",
                 'colspan="5">法人或其他组织'):  # fmt: skip
        assert text in body, text
    assert 'data-row="new"><th scope="row" class="text-start fw-normal" colspan="3">' in body
    assert 'rowspan="8">（三）不予公开' in body


def test_api_table_for_staff(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    login(client, p, "disclosure")
    with clock.moved_to(TODAY):
        r = client.get("/api/v1/portal/annual-reports/table", {"year": 2025})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["balanced"] is True and data["due_on"] == "2026-03-31"
    rows = {row["key"]: row for row in data["rows"]}
    assert rows["new"]["values"]["total"] == 6
    assert [c["key"] for c in data["columns"]][-1] == "total"


@pytest.mark.parametrize("who", ["editor", "outsider", "scj_disclosure"])
def test_api_table_refuses_others(p: PortalWorld, client: Client, who: str) -> None:
    login(client, p, who)
    r = client.get("/api/v1/portal/annual-reports/table", {"year": 2025})
    assert r.status_code == 403


def test_api_anonymous_is_refused(p: PortalWorld, client: Client) -> None:
    assert client.get("/api/v1/portal/annual-reports/table", {"year": 2025}).status_code == 401
    r = client.post("/api/v1/portal/annual-reports/draft", {"year": 2025, "overview": "x"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 401
    assert AnnualReportPage.objects.count() == 0


def test_api_draft_and_unbalanced_refusal(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    login(client, p, "portaladmin")
    url = "/api/v1/portal/annual-reports/draft"
    with clock.moved_to(TODAY):
        bad = client.post(url, {"year": 2025, "overview": "x", "carried_over": {"person": 8}},
                          content_type="application/json")  # fmt: skip
        assert bad.status_code == 400
        assert bad.json()["code"] == "portal.annual_report_unbalanced"
        assert AnnualReportPage.objects.count() == 0
        ok = client.post(url, {"year": 2025, "overview": "<b>x</b>"}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["live"] is False
    assert AnnualReportPage.objects.get().overview == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


def test_api_public_report(p: PortalWorld, client: Client) -> None:
    seed_2025(p)
    page = draft(p)
    url = f"/api/v1/public/portal/annual-reports/{page.pk}"
    assert client.get(url).status_code == 404  # a draft is not public
    page.get_latest_revision().publish()
    r = client.get(url)
    assert r.status_code == 200
    data = r.json()
    assert data["year"] == 2025 and data["requests_table"]["new"]["total"] == 6
    assert data["reviews"]["review"]["total"] == 3


def test_demo_publishes_last_years_balanced_report_once() -> None:
    from tongban.core.demo import DemoContext
    from tongban.orgs.demo import COUNTY_CODE
    from tongban.portal.setup_disclosure import seed_demo

    p = build_site(code=COUNTY_CODE)
    seed_2025(p)
    with clock.moved_to(TODAY):
        line = seed_demo(DemoContext(usernames=[]))
        seed_demo(DemoContext(usernames=[]))
    page = AnnualReportPage.objects.get()
    assert page.live and page.year == 2025 and page.organ is None
    assert page.requests_table["new"]["total"] == 6
    assert "2025" in line
