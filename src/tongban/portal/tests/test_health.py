"""Website health check (国办秘函〔2019〕19号): each rule triggers past its limit and not at it,
with exact dates (across the 2026 National Day holiday: the limits are calendar days); who sees
what; reminders sent once; the page, its query count and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page

from tongban.core import clock
from tongban.interaction.models import Letter, Mailbox
from tongban.notify.models import Notification
from tongban.portal import health
from tongban.portal.models import ArticlePage, ColumnPage, HealthReminder
from tongban.portal.testing import PortalWorld, build_site

pytestmark = pytest.mark.django_db

D = dt.date


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10, 0))


_n = [0]


def put(column: Page, day: dt.date | None, title: str = "信息", body: str = "<p>正文</p>") -> ArticlePage:
    """A live article (no publish signal needed: the health check reads the live tree)."""
    _n[0] += 1
    page = ArticlePage(
        title=title, slug=f"h{_n[0]}", body=body, publish_date=at(day) if day else None, live=True
    )
    column.add_child(instance=page)
    return page


def fill_all(site: PortalWorld, day: dt.date, *, except_slugs: tuple[str, ...] = ()) -> None:
    for col in ColumnPage.objects.descendant_of(site.home).filter(link_url=""):
        if (
            col.kind != "link"
            and col.slug not in except_slugs
            and not col.get_children().type(ColumnPage).exists()
        ):
            put(col, day)


def rules(findings: list[health.Finding], rule: str) -> list[health.Finding]:
    return [f for f in findings if f.rule == rule]


@pytest.fixture
def site() -> PortalWorld:
    return build_site()


def test_a_news_column_is_stale_the_day_after_14_idle_days(site: PortalWorld) -> None:
    fill_all(site, D(2026, 10, 10))
    put(site.column("yaowen"), D(2026, 9, 30))
    ArticlePage.objects.filter(
        publish_date__date=D(2026, 10, 10), path__startswith=site.column("yaowen").path
    ).delete()
    # the newest yaowen page: 2026-09-30 → due 2026-10-14 (the National Day holiday counts: calendar days)
    assert not rules(health.findings(site.home, D(2026, 10, 14)), "news_stale")
    stale = rules(health.findings(site.home, D(2026, 10, 15)), "news_stale")
    assert [(f.column_title, f.severity, f.due_on) for f in stale] == [("青山要闻", "warn", D(2026, 10, 14))]
    assert stale[0].unit_name == "融媒体中心"
    assert "15" in stale[0].message  # 15 days idle


def test_five_stale_news_columns_fail(site: PortalWorld) -> None:
    fill_all(site, D(2026, 11, 20))
    slugs = ["yaowen", "xiangzhen", "tupian", "ldjh", "wmbs"]
    for slug in slugs[:4]:
        col = site.column(slug)
        ArticlePage.objects.filter(path__startswith=col.path).delete()
        put(col, D(2026, 11, 1))
    four = rules(health.findings(site.home, D(2026, 11, 20)), "news_stale")
    assert len(four) == 4 and {f.severity for f in four} == {"warn"}
    col = site.column(slugs[4])
    ArticlePage.objects.filter(path__startswith=col.path).delete()
    put(col, D(2026, 11, 1))
    five = rules(health.findings(site.home, D(2026, 11, 20)), "news_stale")
    assert len(five) == 5 and {f.severity for f in five} == {"fail"}
    assert not rules(health.findings(site.home, D(2026, 11, 20)), "stale_total")


def test_notice_and_policy_columns_fail_after_six_months(site: PortalWorld) -> None:
    fill_all(site, D(2026, 7, 1), except_slugs=("tongzhi", "zfwj"))
    put(site.column("tongzhi"), D(2026, 1, 2))  # due 2026-07-04 (183 days)
    put(site.column("zfwj"), D(2026, 1, 3))  # due 2026-07-05
    found = health.findings(site.home, D(2026, 7, 4))
    assert not rules(found, "notice_stale") and not rules(found, "policy_stale")
    found = health.findings(site.home, D(2026, 7, 5))
    assert [(f.column_title, f.severity, f.due_on) for f in rules(found, "notice_stale")] == [
        ("通知公告", "fail", D(2026, 7, 4))
    ]
    assert not rules(found, "policy_stale")
    found = health.findings(site.home, D(2026, 7, 6))
    assert [(f.column_title, f.severity) for f in rules(found, "policy_stale")] == [("政府文件", "fail")]


def test_ten_stale_columns_in_total_fail(site: PortalWorld) -> None:
    fill_all(site, D(2026, 12, 1))
    # the 8 department columns under 部门动态 go stale: with their parent that is 9 columns
    for i in range(1, 9):
        col = site.column(f"bm-{i}")
        ArticlePage.objects.filter(path__startswith=col.path).delete()
        put(col, D(2026, 11, 1))
    found = health.findings(site.home, D(2026, 12, 1))
    assert len(rules(found, "news_stale")) == 9
    assert not rules(found, "stale_total")
    col = site.column("yaowen")
    ArticlePage.objects.filter(path__startswith=col.path).delete()
    put(col, D(2026, 11, 1))
    found = health.findings(site.home, D(2026, 12, 1))
    assert [f.severity for f in rules(found, "stale_total")] == ["fail"]


def test_blank_columns_warn_then_fail_at_five(site: PortalWorld) -> None:
    blank4 = ("xld", "bmdh", "zsyz", "ndbg")
    fill_all(site, D(2026, 12, 1), except_slugs=blank4)
    found = health.findings(site.home, D(2026, 12, 1))
    assert sorted(f.column_title for f in rules(found, "blank")) == sorted(
        ["县领导", "部门导航", "招商引资", "信息公开年报"]
    )
    assert {f.severity for f in rules(found, "blank")} == {"warn"}
    ArticlePage.objects.filter(path__startswith=site.column("bianmin").path).delete()
    found = health.findings(site.home, D(2026, 12, 1))
    assert len(rules(found, "blank")) == 5 and {f.severity for f in rules(found, "blank")} == {"fail"}
    # link columns (领导信箱, 行政审批 …) are never blank
    assert "领导信箱" not in {f.column_title for f in rules(found, "blank")}


def test_home_page_not_updated_for_two_weeks(site: PortalWorld) -> None:
    fill_all(site, D(2026, 9, 24))
    put(site.column("yaowen"), D(2026, 9, 28))
    assert not rules(health.findings(site.home, D(2026, 10, 12)), "home_stale")
    home = rules(health.findings(site.home, D(2026, 10, 13)), "home_stale")
    assert [(f.severity, f.due_on) for f in home] == [("fail", D(2026, 10, 12))]
    # a page without a date never makes the site fresh
    put(site.column("yaowen"), None)
    assert rules(health.findings(site.home, D(2026, 10, 13)), "home_stale")


def test_undated_pages_are_listed_and_count_as_not_updated(site: PortalWorld) -> None:
    fill_all(site, D(2026, 12, 1), except_slugs=("tupian",))
    page = put(site.column("tupian"), None, title="无日期的图片新闻")
    found = health.findings(site.home, D(2026, 12, 1))
    undated = rules(found, "undated")
    assert [(f.page_id, f.page_title, f.column_title, f.severity) for f in undated] == [
        (page.pk, "无日期的图片新闻", "图片新闻", "warn")
    ]
    assert undated[0].edit_url == reverse("wagtailadmin_pages:edit", args=[page.pk])
    stale = rules(found, "news_stale")
    assert [(f.column_title, f.due_on) for f in stale] == [("图片新闻", None)]
    assert not rules(found, "blank")


def _letter(site: PortalWorld, received: dt.date, status: str = "routed") -> Letter:
    mailbox = Mailbox.objects.create(county=site.world.county, kind="leader", name="县长信箱")
    return Letter.objects.create(
        county=site.world.county,
        mailbox=mailbox,
        tracking_code=f"XX{received:%Y%m%d}{status}"[:20],
        kind="consult",
        title="路灯不亮",
        content="请修路灯",
        writer_name="张明",
        phone="13800000001",
        status=status,
        received_on=received,
        due_on=received + dt.timedelta(days=5),
        routed_to=site.world.units["scj"],
    )


def test_letters_unanswered_for_more_than_three_months(site: PortalWorld) -> None:
    fill_all(site, D(2026, 9, 29))
    letter = _letter(site, D(2026, 7, 1))
    _letter(site, D(2026, 6, 1), status="answered")
    with clock.moved_to(D(2026, 9, 29)):  # 90 days after 07-01: not yet
        assert not rules(health.findings(site.home), "letters")
    with clock.moved_to(D(2026, 9, 30)):
        found = rules(health.findings(site.home), "letters")
    assert [(f.letter_code, f.severity, f.due_on, f.unit_name) for f in found] == [
        (letter.tracking_code, "fail", D(2026, 9, 29), "市场监管局")
    ]
    # asking about another day than the platform's today gives the same answer
    with clock.moved_to(D(2026, 12, 1)):
        assert not rules(health.findings(site.home, D(2026, 9, 29)), "letters")
        assert rules(health.findings(site.home, D(2026, 9, 30)), "letters")


def test_broken_internal_links(site: PortalWorld) -> None:
    fill_all(site, D(2026, 12, 1))
    gone = put(site.column("yaowen"), D(2026, 12, 1), title="将要撤下")
    gone_id = gone.pk
    live = put(site.column("yaowen"), D(2026, 12, 1), title="正常页面")
    doc = get_document_model().objects.create(title="附件")
    body = (
        f'<p><a linktype="page" id="{live.pk}">好</a> <a linktype="page" id="{gone_id}">撤下</a>'
        f' <a linktype="page" id="999999">不存在</a> <a linktype="document" id="{doc.pk}">文件</a>'
        ' <a linktype="document" id="999998">丢失文件</a>'
        ' <a href="/portal/search/?q=x">搜索</a> <a href="/portal/news/yaowen/">要闻</a>'
        ' <a href="/portal/news/nosuch/">坏链接</a> <a href="https://www.gov.cn/">外链</a></p>'
        '<embed embedtype="image" id="999997" format="fullwidth" alt="图"/>'
    )
    source = put(site.column("tongzhi"), D(2026, 12, 1), title="含链接的通知", body=body)
    ArticlePage.objects.filter(pk=gone_id).update(live=False)
    links = rules(health.findings(site.home, D(2026, 12, 1)), "broken_links")
    assert sorted(f.link for f in links) == sorted(
        [str(gone_id), "999999", "999998", "/portal/news/nosuch/", "999997"]
    )
    assert {(f.page_id, f.column_title, f.severity) for f in links} == {(source.pk, "通知公告", "fail")}


def test_links_of_reads_wagtail_storage_format() -> None:
    html = '<p><a id="5" linktype="page">x</a><a href="/portal/a/">y</a><embed alt="a" embedtype="image" id="7"/></p>'
    assert health.links_of(html) == [("page", "5"), ("path", "/portal/a/"), ("image", "7")]


# --- who sees what -----------------------------------------------------------------------------
def _client(client: Any, username: str) -> Any:
    from tongban.identity.models import User

    client.force_login(User.objects.get(username=username))
    return client


def test_portal_admin_sees_everything_column_owners_their_columns(site: PortalWorld, client: Any) -> None:
    fill_all(site, D(2026, 12, 1), except_slugs=("bm-1", "tupian"))  # bm-1: 市场监管局; tupian: 融媒体中心
    with clock.moved_to(D(2026, 12, 1)):
        scope, rep = health.report_for(site.world.users["portaladmin"])
        assert scope.is_admin and {"bm-1", "tupian"} <= {
            ColumnPage.objects.get(pk=f.column_id).slug for f in rules(rep.findings, "blank")
        }
        scope, rep = health.report_for(site.world.users["editor"])
        assert not scope.is_admin
        assert [f.column_title for f in rep.findings] == ["市场监管局"]
        response = _client(client, "editor").get(reverse("portal_health:index"))
        html = response.content.decode()
        assert response.status_code == 200, html[-3000:]
        i = html.find('data-finding="blank"')
        assert f'data-column="{site.column("bm-1").pk}"' in html, html[i : i + 600]
        assert "图片新闻" not in html


@pytest.mark.parametrize("username", ["outsider", "mailbox", "scj_staff"])
def test_others_are_refused(site: PortalWorld, client: Any, username: str) -> None:
    assert _client(client, username).get(reverse("portal_health:index")).status_code == 403
    assert client.get("/api/v1/portal/health").status_code == 403


def test_anonymous_is_sent_to_login(site: PortalWorld, client: Any) -> None:
    response = client.get(reverse("portal_health:index"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/api/v1/portal/health").status_code == 401


def test_health_page_and_api(site: PortalWorld, client: Any, django_assert_max_num_queries: Any) -> None:
    fill_all(site, D(2026, 12, 1), except_slugs=("bianmin",))
    put(site.column("yaowen"), None, title="<script>alert(1)</script>")
    _client(client, "portaladmin")
    with clock.moved_to(D(2026, 12, 3)):
        client.get(reverse("portal_health:index"))
        with django_assert_max_num_queries(60):
            response = client.get(reverse("portal_health:index"))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-rule="blank" data-status="warn"' in html
        assert 'data-rule="undated" data-status="warn"' in html
        assert 'data-rule="home_stale" data-status="pass"' in html
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
        data = client.get("/api/v1/portal/health").json()
    assert data["admin"] is True and data["passed"] is True
    assert {r["code"]: r["status"] for r in data["rules"]}["blank"] == "warn"
    assert [f["column_title"] for f in data["findings"] if f["rule"] == "blank"] == ["便民服务"]


def test_query_count_does_not_grow_with_pages(site: PortalWorld, django_assert_max_num_queries: Any) -> None:
    fill_all(site, D(2026, 12, 1))
    put(site.column("yaowen"), D(2026, 11, 1), body='<p><a linktype="page" id="1">x</a></p>')
    with django_assert_max_num_queries(25) as small:
        health.findings(site.home, D(2026, 12, 1))
    for i in range(30):
        put(
            site.column("yaowen"),
            D(2026, 11, 1) + dt.timedelta(days=i),
            body=f'<p><a linktype="page" id="{i + 1}">x</a></p>',
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        health.findings(site.home, D(2026, 12, 1))


# --- reminders -----------------------------------------------------------------------------------
def test_reminders_before_and_when_a_limit_is_hit_each_once(site: PortalWorld) -> None:
    fill_all(site, D(2026, 9, 20), except_slugs=("bm-1",))
    col = site.column("bm-1")  # 市场监管局: editor and reviewer
    put(col, D(2026, 9, 28))  # due 2026-10-12
    ArticlePage.objects.filter(publish_date__date=D(2026, 9, 20)).update(publish_date=at(D(2026, 10, 20)))

    def mine() -> list[tuple[str, str]]:
        return sorted(
            Notification.objects.filter(event="portal.health_reminder").values_list(
                "user__username", "dedupe_key"
            )
        )

    assert health.send_reminders(D(2026, 10, 8)) == 0  # 4 days before: not yet
    assert health.send_reminders(D(2026, 10, 9)) == 1  # 3 days before
    sent = mine()
    assert [u for u, _k in sent] == ["editor", "reviewer"]
    assert health.send_reminders(D(2026, 10, 9)) == 0
    assert health.send_reminders(D(2026, 10, 12)) == 0  # still the same due date: once
    assert health.send_reminders(D(2026, 10, 13)) == 1  # hit
    assert health.send_reminders(D(2026, 10, 20)) == 0
    assert len(mine()) == 4
    assert set(HealthReminder.objects.values_list("rule", "limit_on")) == {
        ("news_stale:before", D(2026, 10, 12)),
        ("news_stale:hit", D(2026, 10, 12)),
    }
    # an update moves the due date: the reminders start again for the new one
    put(col, D(2026, 10, 20))
    health.send_reminders(D(2026, 10, 31))  # 3 days before 11-03
    assert HealthReminder.objects.filter(
        column=col, rule="news_stale:before", limit_on=D(2026, 11, 3)
    ).exists()


def test_notice_reminder_14_days_ahead_goes_to_the_units_people(site: PortalWorld) -> None:
    fill_all(site, D(2026, 7, 10), except_slugs=("tongzhi",))
    ArticlePage.objects.update(publish_date=at(D(2026, 7, 10)))
    put(site.column("tongzhi"), D(2026, 1, 10))  # 政府办 column, due 2026-07-12
    assert health.send_reminders(D(2026, 6, 27)) == 0
    assert health.send_reminders(D(2026, 6, 28)) == 1
    users = set(
        Notification.objects.filter(event="portal.health_reminder").values_list("user__username", flat=True)
    )
    assert users == {"zfb_editor", "zfb_reviewer"}


def test_the_daily_job_is_registered() -> None:
    from tongban.core import schedule

    job = {j.job_id: j for j in schedule.jobs()}["portal.health_reminders"]
    assert job.cron == "30 7 * * *"
