"""The public site's pages: every page type renders what a visitor needs, the meta tags of
rules.md §6 carry the right values, the footer its identity, lists are paginated and ordered, link
columns redirect, and page text is escaped."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from tongban.portal.models import ArticlePage, ColumnPage, PortalIdentity
from tongban.portal.testing import publish_article
from tongban.portal.tests.test_site_world import build_full_site, when

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta.setdefault(a["name"] or "", []).append(a.get("content") or "")


def meta_of(html: str) -> dict[str, str]:
    parser = _Meta()
    parser.feed(html)
    for name, values in parser.meta.items():
        assert len(values) == 1, f"meta {name} appears {len(values)} times"
    return {k: v[0] for k, v in parser.meta.items()}


def get(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


SITE_TAGS = {"SiteName", "SiteDomain", "SiteIDCode"}
COLUMN_TAGS = {"ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"}
ARTICLE_TAGS = {"ArticleTitle", "PubDate", "ContentSource"}


def test_meta_tags_on_every_kind_of_page(client: Any) -> None:
    w = build_full_site()
    identity = PortalIdentity.for_site(w.home.get_site())
    identity.site_name = "青山县人民政府门户网站"
    identity.site_domain = "www.qingshan.gov.cn"
    identity.site_idcode = "3311270001"
    identity.save()

    home = meta_of(get(client, w.home.url))
    assert home["SiteName"] == "青山县人民政府门户网站"
    assert home["SiteDomain"] == "www.qingshan.gov.cn"
    assert home["SiteIDCode"] == "3311270001"
    assert not (COLUMN_TAGS | ARTICLE_TAGS) & home.keys()

    column = w.column("yaowen")
    m = meta_of(get(client, column.url))
    assert m.keys() >= SITE_TAGS and not ARTICLE_TAGS & m.keys()
    assert m["ColumnName"] == "青山要闻"
    assert m["ColumnDescription"] == "县委、县政府重要会议和活动。"
    assert m["ColumnKeywords"] == "青山要闻"
    assert m["ColumnType"] == "信息发布"

    channel = meta_of(get(client, column.get_parent().url))
    assert channel["ColumnName"] == "新闻" and channel["ColumnType"] == "信息发布"

    article = meta_of(get(client, w.pages["headline"].url))
    assert article["ColumnName"] == "青山要闻" and article["ColumnType"] == "信息发布"
    assert article["ArticleTitle"] == "县政府召开第十次常务会议"
    assert article["PubDate"] == "2026-03-02 09:30"  # local time (Asia/Shanghai), YYYY-MM-DD HH:MM
    assert article["ContentSource"] == "县融媒体中心"
    assert article["SiteIDCode"] == "3311270001"

    policy = meta_of(get(client, w.pages["policy"].url))
    assert policy["ColumnName"] == "政府文件"
    assert policy["PubDate"] == "2026-02-11 10:05"
    assert policy["ContentSource"] == "青山县人民政府"  # no source given: the issuing organ

    interp = meta_of(get(client, w.pages["interpretation"].url))
    assert interp["ColumnName"] == "政策解读" and interp["ColumnType"] == "解读回应"

    leader = meta_of(get(client, w.pages["leader"].url))
    assert leader["ColumnName"] == "县领导" and leader["ArticleTitle"] == "县长 张明"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", leader["PubDate"])  # no publish date: first published


def test_a_utc_midnight_publish_date_is_shown_in_local_time(client: Any) -> None:
    w = build_full_site()
    page = publish_article(
        w.column("yaowen"), "深夜发布", slug="late", when=dt.datetime(2026, 5, 31, 16, 30, tzinfo=dt.UTC)
    )
    assert meta_of(get(client, page.url))["PubDate"] == "2026-06-01 00:30"


def test_footer_shows_the_identity_and_the_error_and_accessibility_entries(client: Any) -> None:
    w = build_full_site()
    identity = PortalIdentity.for_site(w.home.get_site())
    identity.icp_number = "浙ICP备12345678号"
    identity.police_number = "浙公网安备 33112702000123号"
    identity.sponsor = "青山县人民政府办公室"
    identity.organizer = "青山县大数据发展中心"
    identity.phone = "0578-6012345"
    identity.email = "web@qingshan.gov.cn"
    identity.save()
    html = get(client, w.pages["headline"].url)
    footer = html[html.index('<footer role="contentinfo"') :]
    for text in ("网站标识码", identity.site_idcode, "浙ICP备12345678号", "浙公网安备 33112702000123号",
                 "青山县人民政府办公室", "青山县大数据发展中心", "0578-6012345", "web@qingshan.gov.cn",
                 "无障碍浏览"):  # fmt: skip
        assert text in footer, text
    assert reverse("portal_large_text") + "?next=" in footer
    try:
        errors_url = reverse("portal_errors:new")
    except NoReverseMatch:
        errors_url = ""
    if errors_url:
        assert f'{errors_url}?url=/portal/news/yaowen/changwu-10/"' in footer
        assert "我要找错" in footer


def test_the_frame_has_the_channels_the_hall_and_a_get_search_box(client: Any) -> None:
    w = build_full_site()
    html = get(client, w.home.url)
    for title in ("首页", "新闻", "政务公开", "生活", "政民互动"):
        assert f">{title}</a>" in html, title
    assert 'href="/ban/"' in html
    assert "csrfmiddlewaretoken" not in html
    assert 'class="visually-hidden-focusable tb-skip" href="#main"' in html
    try:
        search_url = reverse("portal_search:search")
    except NoReverseMatch:
        search_url = ""
    if search_url:
        assert f'method="get" action="{search_url}"' in html
    # The news channel is marked as the current section on its article.
    article = get(client, w.pages["headline"].url)
    assert re.search(r'class="nav-link active" aria-current="true" href="/portal/news/"', article)


def test_home_page_blocks(client: Any) -> None:
    w = build_full_site()
    html = get(client, w.home.url)
    for text in ("信息公开", "政民互动", "在线访谈", "县政府召开第十次常务会议", "全县安全生产工作会议召开",
                 "关于清明节放假的通知", "青山县春耕补贴办法", "市场监管局开展食品安全检查",
                 "学习贯彻党的二十届四中全会精神"):  # fmt: skip
        assert text in html, text
    assert 'class="pt-slides" tabindex="0"' in html  # the carousel scrolls without JavaScript
    assert re.search(r'<img[^>]+src="/media/images/[^"]+\.fill-1200x500', html)
    assert w.pages["policy"].get_parent().url in html  # 更多 → 政府文件


def test_article_page(client: Any) -> None:
    w = build_full_site()
    html = get(client, w.pages["headline"].url)
    for text in ("县政府召开第十次常务会议", "研究部署春耕生产", "来源：县融媒体中心", "作者：王记者",
                 "2026-03-02 09:30", "会议研究部署了春耕生产工作。", "会议材料", "PDF", "相关文章",
                 "全县安全生产工作会议召开", "本栏目最新", "打印本页", "字号"):  # fmt: skip
        assert text in html, text
    assert "/cms-documents/" in html
    assert re.search(r"会议材料</a> <span[^>]*>（PDF，2\.\d\sKB）", html)


def test_policy_document_links_its_interpretation_and_back(client: Any) -> None:
    w = build_full_site()
    html = get(client, w.pages["policy"].url)
    for text in ("青政发〔2026〕3号", "青山县人民政府", "001122-2026-00003", "2026-02-10", "2026-03-01", "有效",
                 "第一条 为促进春耕生产", "附件一：实施细则", "政策解读"):  # fmt: skip
        assert text in html, text
    assert w.pages["interpretation"].url in html
    back = get(client, w.pages["interpretation"].url)
    assert "本文解读" in back and w.pages["policy"].url in back


def test_leader_department_procurement_project_and_topic_pages(client: Any) -> None:
    w = build_full_site()
    leaders = get(client, w.column("xld").url)
    assert leaders.index("张明") < leaders.index("李华")  # by sort order
    assert "县委副书记、县长" in leaders
    leader = get(client, w.pages["leader"].url)
    assert "主持县政府全面工作。" in leader and "1970年生" in leader

    depts = get(client, w.column("bmdh").url)
    assert "政府工作部门" in depts and "事业单位" in depts  # grouped by unit kind
    assert depts.index("政府工作部门") < depts.index("青山县市场监督管理局") < depts.index("事业单位")
    dept = get(client, w.pages["department"].url)
    for text in ("负责市场综合监督管理。", "陈局长", "分管食品安全", "青山县城关镇人民路 1 号", "0578-1234567",
                 "工作日 8:30-12:00"):  # fmt: skip
        assert text in dept, text

    proc_list = get(client, w.column("zfcg").url)
    assert "QSCG-2026-017" in proc_list and "采购公告" in proc_list
    proc = get(client, w.pages["procurement"].url)
    for text in ("QSCG-2026-017", "青山县第一中学", "公开招标", "860000.00", "2026-04-10 09:00"):
        assert text in proc, text

    project = get(client, w.pages["project"].url)
    for text in ("林产品加工", "青山县经济开发区", "50000.00", "独资、合资"):
        assert text in project, text

    topic = get(client, w.pages["topic"].url)
    assert "县委理论学习中心组专题学习" in topic and "青山县春耕补贴办法" in topic


def test_channel_page_lists_each_column_with_its_latest_items(client: Any) -> None:
    w = build_full_site()
    html = get(client, w.column("yaowen").get_parent().url)
    for text in (
        "青山要闻",
        "部门动态",
        "通知公告",
        "县政府召开第十次常务会议",
        "市场监管局开展食品安全检查",
    ):
        assert text in html, text
    gov = get(client, w.column("zfwj").get_parent().url)
    assert "政府信息公开指南" in gov and "政府信息公开目录" in gov and "青山县春耕补贴办法" in gov


def test_column_lists_newest_first_20_a_page(client: Any) -> None:
    w = build_full_site()
    column = w.column("xiangzhen")
    for i in range(25):
        publish_article(
            column, f"乡镇新闻{i:02d}", slug=f"xz{i}", when=when(2026, 1, 1) + dt.timedelta(days=i)
        )
    first = get(client, column.url)
    assert first.count(">乡镇新闻") == 20
    assert first.index("乡镇新闻24") < first.index("乡镇新闻23")
    assert "乡镇新闻04" not in first and "第 1 / 2 页" in first and "共 25 条" in first
    second = get(client, column.url + "?page=2")
    assert second.count(">乡镇新闻") == 5 and "乡镇新闻00" in second
    assert get(client, column.url + "?page=x").count(">乡镇新闻") == 20  # junk page number: the first


def test_a_parent_column_lists_the_items_of_its_sub_columns(client: Any) -> None:
    w = build_full_site()
    html = get(client, w.column("bumen").url)
    assert "市场监管局开展食品安全检查" in html
    assert 'aria-label="子栏目"' in html and "市场监管局</a>" in html


def test_a_link_column_redirects(client: Any) -> None:
    w = build_full_site()
    response = client.get(w.column("xinxiang").url)
    assert response.status_code == 302 and response["Location"] == "/portal/letters/"
    response = client.get(w.column("xzsp").url)
    assert response.status_code == 302 and response["Location"] == "/ban/"


def test_unpublished_pages_are_not_served(client: Any) -> None:
    w = build_full_site()
    page = w.pages["news2"]
    url = page.url
    page.unpublish()
    get(client, url, 404)
    assert "全县安全生产工作会议召开" not in get(client, w.column("yaowen").url)


def test_page_text_is_escaped(client: Any) -> None:
    w = build_full_site()
    evil = "<script>alert(1)</script>"
    page = publish_article(
        w.column("yaowen"), evil, slug="evil", source=evil, subtitle=evil, author=evil, summary=evil
    )
    for url in (page.url, w.column("yaowen").url, w.home.url):
        html = get(client, url)
        assert evil not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    m = meta_of(get(client, page.url))
    assert m["ArticleTitle"] == evil and m["ContentSource"] == evil  # stored as typed, shown escaped


def test_a_public_accounts_name_is_escaped_in_the_frame(client: Any) -> None:
    from tongban.identity import public

    w = build_full_site()
    account = w.p.world.citizen
    assert account is not None
    account.name = "<script>alert(1)</script>"
    account.save(update_fields=["name"])
    session = client.session
    session[public.SESSION_KEY] = account.pk
    session[public.SESSION_HASH] = public._hash(account)
    session.save()
    html = get(client, w.home.url)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)</script>" not in html


def test_a_draft_change_does_not_show_until_published(client: Any) -> None:
    w = build_full_site()
    page = ArticlePage.objects.get(pk=w.pages["news2"].pk)
    page.title = "草稿标题"
    page.save_revision()
    assert "草稿标题" not in get(client, page.url)
    ColumnPage.objects.get(pk=w.column("yaowen").pk).save_revision()  # a draft of the column changes nothing
    assert "全县安全生产工作会议召开" in get(client, w.column("yaowen").url)


def test_disclosure_pages_carry_the_meta_tags_and_breadcrumbs(client: Any) -> None:
    """政务公开's own pages (guide, catalogue, annual report) carry the same meta tags (rules.md §6)
    and breadcrumbs as every other page."""
    from django.utils import timezone

    from tongban.portal.models import AnnualReportPage, DisclosureCataloguePage, DisclosureGuidePage

    w = build_full_site()
    guide = DisclosureGuidePage.objects.get()
    guide.save_revision().publish()  # the structure's guide was made live without a revision
    html = get(client, guide.url)
    m = meta_of(html)
    assert m.keys() >= SITE_TAGS | COLUMN_TAGS | ARTICLE_TAGS
    assert m["ArticleTitle"] == guide.title and m["ColumnName"] == guide.get_parent().title
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", m["PubDate"])
    assert 'class="pt-breadcrumb"' in html

    catalogue = DisclosureCataloguePage.objects.get()
    html = get(client, catalogue.url)
    m = meta_of(html)
    assert m.keys() >= SITE_TAGS | COLUMN_TAGS and not ARTICLE_TAGS & m.keys()
    assert m["ColumnName"] == catalogue.title and m["ColumnType"] == "信息发布"
    assert 'class="pt-breadcrumb"' in html

    report = AnnualReportPage(
        title="青山县人民政府2025年政府信息公开工作年度报告", slug="ndbg2025", year=2025,
        overview="<p>总体情况</p>", organ=w.p.world.units["scj"],
        publish_date=timezone.make_aware(dt.datetime(2026, 3, 20, 9, 0)),
    )  # fmt: skip
    w.column("ndbg").add_child(instance=report)
    report.save_revision().publish()
    html = get(client, report.url)
    m = meta_of(html)
    assert m["ArticleTitle"] == report.title and m["ColumnName"] == w.column("ndbg").title
    assert m["PubDate"] == "2026-03-20 09:00"
    assert m["ContentSource"] == w.p.world.units["scj"].name
    assert 'class="pt-breadcrumb"' in html
