"""The disclosure guide (live facts) and the catalogue (政府信息公开目录: by 第二十条 category and by
department, counts, paging, query counts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongban.portal import disclosure_selectors as sel
from tongban.portal.models import DisclosureCataloguePage, DisclosureGuidePage, PolicyDocumentPage
from tongban.portal.testing import PortalWorld, build_site, publish_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def p() -> PortalWorld:
    return build_site()


def policy(p: PortalWorld, column: str, title: str, **kw: Any) -> PolicyDocumentPage:
    page = PolicyDocumentPage(
        title=title, slug=f"pd{PolicyDocumentPage.objects.count() + 1}", issuing_organ="县政府",
        issued_on=dt.date(2025, 3, 1), body="<p>正文</p>", publish_date=timezone.now(), **kw,
    )  # fmt: skip
    p.column(column).add_child(instance=page)
    page.save_revision().publish()
    return page


def test_guide_shows_the_text_organs_limits_and_fees(p: PortalWorld, client: Client) -> None:
    guide = DisclosureGuidePage.objects.get()
    r = client.get(guide.url)
    body = r.content.decode()
    assert r.status_code == 200
    assert "一、主动公开" in body  # the editable text
    assert (
        "青山县人民政府办公室" in body and "青山县市场监督管理局" in body
    )  # units with a disclosure officer
    assert "青山县财政局" not in body  # no disclosure officer there
    assert "20 个工作日内答复" in body and "7 个工作日内一次性告知补正" in body
    assert "按件计收" in body and "按量计收" in body and "每页 40 元" in body
    assert "第 15 件申请：100 元" in body  # computed by the fee rules


def test_catalogue_groups_by_category_falling_back_to_the_column(p: PortalWorld) -> None:
    policy(p, "zfwj", "关于印发某办法的通知", doc_number="青政发〔2025〕1号", index_number="001-2025-0001")
    publish_article(p.column("tjxx"), "2025年统计公报")  # the column's category: statistics
    publish_article(p.column("yaowen"), "要闻", disclosure_category="budgets")  # its own category
    publish_article(p.column("yaowen"), "没有类别的要闻")
    cat = sel.catalogue(p.home)
    counts = {g.key: g.count for g in cat.groups}
    assert counts["rules"] == 1 and counts["statistics"] == 1 and counts["budgets"] == 1
    assert counts[sel.UNSET] == 1
    assert cat.total == 4
    rules = sel.catalogue(p.home, group="rules")
    [item] = rules.page.object_list
    assert item.doc_number == "青政发〔2025〕1号" and item.index_number == "001-2025-0001"
    assert item.url == "/portal/gov/zfwj/" + item.url_path.rsplit("/", 2)[-2] + "/"


def test_catalogue_by_department_uses_the_page_unit_then_the_column_unit(p: PortalWorld) -> None:
    units = p.world.units
    publish_article(p.column("bm-1"), "市场监管动态")  # column unit: 市场监管局
    publish_article(p.column("yaowen"), "融媒体要闻")  # column unit: 融媒体中心
    publish_article(p.column("yaowen"), "财政局供稿", unit=units["czj"])
    cat = sel.catalogue(p.home, by="unit")
    counts = {g.key: g.count for g in cat.groups}
    assert counts[str(units["scj"].pk)] == 1
    assert counts[str(units["rmt"].pk)] == 1
    assert counts[str(units["czj"].pk)] == 1
    only = sel.catalogue(p.home, by="unit", group=str(units["czj"].pk))
    assert [i.title for i in only.page.object_list] == ["财政局供稿"]


def test_catalogue_leaves_out_drafts(p: PortalWorld) -> None:
    page = publish_article(p.column("yaowen"), "已撤下")
    page.unpublish()
    assert sel.catalogue(p.home).total == 0


def test_catalogue_page_paginates_and_filters(p: PortalWorld, client: Client) -> None:
    for i in range(25):
        publish_article(p.column("tjxx"), f"统计信息{i:02d}", when=timezone.now() - dt.timedelta(days=i))
    url = DisclosureCataloguePage.objects.get().url
    r = client.get(url, {"category": "statistics"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "统计信息00" in body and "统计信息19" in body and "统计信息20" not in body
    assert "1 / 2" in body
    r2 = client.get(url, {"category": "statistics", "page": 2})
    assert "统计信息24" in r2.content.decode()
    r3 = client.get(url, {"category": "<script>alert(1)</script>"})  # unknown group: everything, escaped
    assert r3.status_code == 200 and "<script>alert(1)</script>" not in r3.content.decode()


def test_catalogue_is_two_queries_whatever_the_size(
    p: PortalWorld, django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        publish_article(
            p.column("yaowen" if i % 2 else "tjxx"), f"文章{i}", unit=p.world.units["czj"] if i % 3 else None
        )
    for i in range(10):
        policy(p, "zfwj", f"文件{i}", doc_number=f"青政发〔2025〕{i}号")
    with django_assert_max_num_queries(2):
        cat = sel.catalogue(p.home, by="unit", page=2)
        assert cat.total == 50
    with django_assert_max_num_queries(2):
        sel.catalogue(p.home, group="rules")


def test_catalogue_page_query_count_does_not_grow(p: PortalWorld, client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = DisclosureCataloguePage.objects.get().url
    counts = []
    for _round in range(2):
        for i in range(15):
            publish_article(
                p.column("tjxx"), f"文章{_round}-{i}", unit=p.world.units["czj"] if i % 2 else None
            )
        client.get(url, {"by": "unit", "page": 2})  # warm the site caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"by": "unit", "page": 2}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert (
        counts[1] <= counts[0] <= 16
    )  # no growth with the size; Wagtail's routing and the site frame, plus the catalogue's two
