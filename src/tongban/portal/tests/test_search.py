"""Site search: segmentation, highlighting, escaping, filters, junk queries, the index following
publishing, private sections, query counts, the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from tongban.orgs.models import County
from tongban.portal import search
from tongban.portal.models import PolicyDocumentPage
from tongban.portal.structure import ensure_site
from tongban.portal.testing import PortalWorld, build_site, publish_article
from tongban.search import selectors as search_selectors
from tongban.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def when(y: int, m: int, d: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, 9, 0))


@pytest.fixture
def site() -> PortalWorld:
    return build_site()


def _titles(res: search.SiteResults) -> list[str]:
    return [h.title_text for h in res.hits]


def test_chinese_words_are_found_inside_longer_text_and_highlighted(site: PortalWorld) -> None:
    publish_article(
        site.column("yaowen"),
        "全县食品安全工作会议召开",
        body="<p>会议部署了校园周边食品安全专项整治行动。</p>",
        when=when(2026, 5, 6),
    )
    publish_article(site.column("yaowen"), "县长调研乡村振兴", body="<p>走访农业园区。</p>")
    res = search.search_site(site.home, "食品")
    assert _titles(res) == ["全县食品安全工作会议召开"]
    assert res.total == 1
    assert "<mark>食品</mark>" in res.hits[0].title
    assert "<mark>食品</mark>安全专项整治" in res.hits[0].snippet
    assert res.hits[0].column_title == "青山要闻"
    assert res.hits[0].url.startswith("/portal/news/yaowen/")
    # two words: both must be there (one in the title, one in the body is enough)
    assert _titles(search.search_site(site.home, "食品 整治")) == ["全县食品安全工作会议召开"]
    assert search.search_site(site.home, "食品 农业").total == 0
    # a long word is split into the words inside it: 乡村振兴 → 乡村, 振兴
    assert _titles(search.search_site(site.home, "乡村振兴")) == ["县长调研乡村振兴"]


def test_script_in_a_page_is_shown_escaped(site: PortalWorld, client: Any) -> None:
    publish_article(
        site.column("yaowen"),
        "<script>alert(1)</script>通报",
        body="<p>&lt;script&gt;alert(1)&lt;/script&gt;通报内容</p>",
    )
    res = search.search_site(site.home, "通报")
    assert "<script>" not in res.hits[0].title and "&lt;script&gt;" in res.hits[0].title
    assert "<script>" not in res.hits[0].snippet
    html = client.get(
        reverse("portal_search:search"), {"q": "<script>alert(1)</script>通报"}
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_policy_documents_are_found_by_number(site: PortalWorld) -> None:
    doc = PolicyDocumentPage(
        title="青山县人民政府关于印发优化营商环境若干措施的通知",
        slug="yhyshj",
        doc_number="青政发〔2026〕12号",
        issuing_organ="青山县人民政府",
        issued_on=dt.date(2026, 3, 2),
        body="<p>各乡镇人民政府，县政府各部门。</p>",
        publish_date=when(2026, 3, 3),
    )
    site.column("zfwj").add_child(instance=doc)
    doc.save_revision().publish()
    res = search.search_site(site.home, "青政发〔2026〕12号")
    assert _titles(res) == [doc.title]
    assert res.hits[0].number == "青政发〔2026〕12号"
    assert res.hits[0].doc_type == "policy"
    entry = SearchEntry.objects.get(kind=search.KIND, object_id=doc.pk)
    assert entry.unit_id == site.world.units["zfb"].pk  # the column's unit
    assert entry.county_id == site.world.county.pk
    assert entry.date == dt.date(2026, 3, 3)


def test_column_and_date_filters(site: PortalWorld) -> None:
    publish_article(site.column("yaowen"), "防汛工作部署一", when=when(2026, 6, 1))
    publish_article(site.column("tongzhi"), "防汛工作部署二", when=when(2026, 7, 1))
    publish_article(site.column("bm-1"), "防汛工作部署三", when=when(2026, 8, 1))
    assert _titles(search.search_site(site.home, "防汛")) == [
        "防汛工作部署三",
        "防汛工作部署二",
        "防汛工作部署一",
    ]
    assert _titles(search.search_site(site.home, "防汛", column_id=site.column("tongzhi").pk)) == [
        "防汛工作部署二"
    ]
    # a parent column includes its sub-columns; a channel includes its columns
    assert _titles(search.search_site(site.home, "防汛", column_id=site.column("bumen").pk)) == [
        "防汛工作部署三"
    ]
    news = Page.objects.get(slug="news")
    assert search.search_site(site.home, "防汛", column_id=news.pk).total == 3
    assert _titles(search.search_site(site.home, "防汛", start="2026-06-15", end="2026-07-31")) == [
        "防汛工作部署二"
    ]
    assert _titles(search.search_site(site.home, "防汛", start=dt.date(2026, 7, 1))) == [
        "防汛工作部署三",
        "防汛工作部署二",
    ]
    # start after end: swapped; garbage dates and columns ignored, never an error
    assert search.search_site(site.home, "防汛", start="2026-07-31", end="2026-06-15").total == 1
    assert search.search_site(site.home, "防汛", start="yesterday", column_id=999999).total == 3


@pytest.mark.parametrize(
    ("q", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("！？。，……", "junk"),
        ("的 了 和", "stop_words"),
        ("政" * 101, "too_long"),
    ],
)
def test_empty_and_junk_queries_get_a_helpful_page(
    site: PortalWorld, client: Any, q: str, problem: str
) -> None:
    res = search.search_site(site.home, q)
    assert res.problem == problem and res.hits == [] and res.total == 0
    response = client.get(reverse("portal_search:search"), {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-problem="{problem}"' in html
    assert "常用栏目" in html


def test_stop_words_are_dropped_from_a_query_with_other_words(site: PortalWorld) -> None:
    publish_article(site.column("yaowen"), "县城garden建设")
    assert search.query_problem("县城 的 建设") == ("", ["县城", "建设"])
    assert search.search_site(site.home, "县城的建设").total == 1


def test_no_result_page(site: PortalWorld, client: Any) -> None:
    html = client.get(reverse("portal_search:search"), {"q": "不存在的词语"}).content.decode()
    assert 'data-problem="none"' in html


def test_the_index_follows_publishing(site: PortalWorld) -> None:
    page = publish_article(site.column("yaowen"), "秋季征兵开始报名")
    assert search.search_site(site.home, "征兵").total == 1
    page.title = "秋季征兵报名延长"
    page.save_revision().publish()
    assert _titles(search.search_site(site.home, "延长")) == ["秋季征兵报名延长"]
    page.unpublish()
    assert search.search_site(site.home, "征兵").total == 0
    page.save_revision().publish()
    assert search.search_site(site.home, "征兵").total == 1
    Page.objects.get(pk=page.pk).delete()
    assert not SearchEntry.objects.filter(kind=search.KIND, object_id=page.pk).exists()


def test_a_draft_is_not_indexed(site: PortalWorld) -> None:
    from tongban.portal.models import ArticlePage

    draft = ArticlePage(title="内部草稿征求意见", slug="draft", body="<p>x</p>", live=False)
    site.column("yaowen").add_child(instance=draft)
    draft.save_revision()
    search.index_page(draft)
    assert search.search_site(site.home, "草稿").total == 0


def test_private_sections_are_never_indexed(site: PortalWorld) -> None:
    column = site.column("zwbg")
    publish_article(column, "机关内部值班安排")
    assert search.search_site(site.home, "值班").total == 1
    restriction = PageViewRestriction.objects.create(page=column, restriction_type="login")
    assert search.search_site(site.home, "值班").total == 0
    publish_article(column, "机关内部值班调整")
    assert search.search_site(site.home, "值班").total == 0
    assert search.reindex_site(site.home) >= 0
    assert search.search_site(site.home, "值班").total == 0
    restriction.delete()
    assert search.search_site(site.home, "值班").total == 2


def test_a_moved_page_takes_its_new_columns_unit(site: PortalWorld) -> None:
    page = publish_article(site.column("yaowen"), "图片新闻移动测试")
    entry = SearchEntry.objects.get(kind=search.KIND, object_id=page.pk)
    assert entry.unit_id == site.world.units["rmt"].pk
    Page.objects.get(pk=page.pk).move(site.column("bm-1"), pos="last-child")
    entry = SearchEntry.objects.get(kind=search.KIND, object_id=page.pk)
    assert entry.unit_id == site.world.units["scj"].pk


def test_reindex_site_rebuilds_in_bulk(site: PortalWorld) -> None:
    for i in range(5):
        publish_article(site.column("yaowen"), f"批量重建索引第{i}篇")
    SearchEntry.objects.filter(kind=search.KIND).delete()
    SearchEntry.objects.create(kind=search.KIND, object_id=987654, county=site.world.county, title="过期条目")
    count = search.reindex_site(site.home)
    assert count == 6  # five articles and the disclosure guide
    assert search.search_site(site.home, "批量").total == 5
    assert not SearchEntry.objects.filter(object_id=987654).exists()
    assert search.reindex_site(site.home) == count  # idempotent


def test_other_counties_pages_are_not_found(site: PortalWorld) -> None:
    other = ensure_site(County.objects.create(name="绿水县", code="990022"), hostname="lvshui.example")
    publish_article(other.get_children().get(slug="news").get_children().get(slug="yaowen"), "邻县旅游节开幕")
    assert search.search_site(site.home, "旅游节").total == 0
    assert search.search_site(other, "旅游节").total == 1


def test_staff_search_never_shows_portal_entries(site: PortalWorld) -> None:
    publish_article(site.column("yaowen"), "门户专有词汇甲乙")
    res = search_selectors.search(user=site.world.users["portaladmin"], q="甲乙")
    assert res.total == 0


def test_matching_without_terms_is_empty(site: PortalWorld) -> None:
    publish_article(site.column("yaowen"), "匹配测试")
    assert search_selectors.matching(SearchEntry.objects.all(), []).count() == 0
    assert search_selectors.matching(SearchEntry.objects.all(), ["匹配"]).count() == 1


def test_pagination(site: PortalWorld, client: Any) -> None:
    for i in range(23):
        publish_article(
            site.column("yaowen"), f"分页测试第{i}篇", when=when(2026, 1, 1) + dt.timedelta(days=i)
        )
    res = search.search_site(site.home, "分页", page=3)
    assert res.total == 23 and res.num_pages == 3 and len(res.hits) == 3
    assert res.hits[-1].title_text == "分页测试第0篇"
    assert search.search_site(site.home, "分页", page="x").page == 1
    html = client.get(reverse("portal_search:search"), {"q": "分页", "page": 2}).content.decode()
    assert "约 23 条结果" in html
    assert "page=3" in html and "page=1" in html


def test_search_page_query_count_does_not_grow(
    site: PortalWorld, client: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        publish_article(site.column("yaowen" if i % 2 else "tongzhi"), f"查询次数测试{i}")
    client.get(reverse("portal_search:search"), {"q": "查询"})  # warm the site root paths
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal_search:search"), {"q": "查询"})
    assert response.status_code == 200


def test_search_page_is_cacheable_for_anonymous_visitors(site: PortalWorld, client: Any) -> None:
    response = client.get(reverse("portal_search:search"), {"q": "县"})
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.content.decode()
    client.cookies["sessionid"] = "x"
    response = client.get(reverse("portal_search:search"), {"q": "县"})
    assert "private" in response["Cache-Control"]
    assert client.post(reverse("portal_search:search"), {"q": "县"}).status_code == 405


def test_public_search_api(site: PortalWorld, client: Any) -> None:
    publish_article(site.column("yaowen"), "<b>医保</b>报销新规", when=when(2026, 4, 1))
    response = client.get("/api/v1/public/portal/search", {"q": "医保", "start": "2026-01-01"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"] == 1 and data["problem"] == ""
    item = data["items"][0]
    assert item["title"] == "<b>医保</b>报销新规"
    assert item["title_html"] == "&lt;b&gt;<mark>医保</mark>&lt;/b&gt;报销新规"
    assert item["url"].startswith("/portal/") and item["date"] == "2026-04-01"
    junk = client.get("/api/v1/public/portal/search", {"q": "？？"}).json()
    assert junk["problem"] == "junk" and junk["items"] == []
    assert client.get("/api/v1/public/portal/search", {"q": "医保", "page": "abc"}).status_code in (200, 422)
