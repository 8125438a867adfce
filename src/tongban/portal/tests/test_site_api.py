"""The public page read API (/api/v1/public/portal/pages/…, …/columns/…/pages): anonymous, only
live public pages of the portal."""

from __future__ import annotations

from typing import Any

import pytest
from wagtail.models import Page, PageViewRestriction

from tongban.portal.testing import publish_article
from tongban.portal.tests.test_site_world import SiteWorld, build_full_site, when

pytestmark = pytest.mark.django_db
API = "/api/v1/public/portal"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w() -> SiteWorld:
    return build_full_site()


def test_an_article_with_its_fields_and_attachments(client: Any, w: SiteWorld) -> None:
    page = w.pages["headline"]
    response = client.get(f"{API}/pages/{page.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == page.pk and data["title"] == "县政府召开第十次常务会议"
    assert data["type"] == "ArticlePage" and data["type_label"] == "文章"
    assert data["url"] == "/portal/news/yaowen/changwu-10/"
    assert data["publish_date"].startswith("2026-03-02T01:30:00")  # UTC in the API
    assert data["source"] == "县融媒体中心"
    assert data["body"] == "<p>会议研究部署了春耕生产工作。</p>"
    assert data["parent_id"] == w.column("yaowen").pk
    assert data["attachments"][0]["title"] == "会议材料" and data["attachments"][0]["extension"] == "PDF"
    assert data["attachments"][0]["url"].startswith("/cms-documents/")
    assert data["attachments"][0]["size"] > 2000
    assert data["fields"]["subtitle"] == "研究部署春耕生产" and data["fields"]["is_headline"] is True


def test_a_policy_document_gives_its_document_fields(client: Any, w: SiteWorld) -> None:
    data = client.get(f"{API}/pages/{w.pages['policy'].pk}").json()
    assert data["type"] == "PolicyDocumentPage"
    assert data["fields"]["doc_number"] == "青政发〔2026〕3号"
    assert data["fields"]["issued_on"] == "2026-02-10"
    assert data["fields"]["interpretation_id"] == w.pages["interpretation"].pk
    assert data["disclosure_category"] == "rules"


def test_unpublished_private_and_foreign_pages_answer_404(client: Any, w: SiteWorld) -> None:
    page = w.pages["news2"]
    page.unpublish()
    for pk in (page.pk, 999999, Page.get_first_root_node().pk):
        response = client.get(f"{API}/pages/{pk}")
        assert response.status_code == 404 and response.json()["code"] == "portal.page_not_found"
    PageViewRestriction.objects.create(page=w.column("zfwj"), restriction_type=PageViewRestriction.LOGIN)
    assert client.get(f"{API}/pages/{w.pages['policy'].pk}").status_code == 404
    assert client.get(f"{API}/columns/{w.column('zfwj').pk}/pages").status_code == 404


def test_a_columns_pages_newest_first_20_a_page(client: Any, w: SiteWorld) -> None:
    column = w.column("xiangzhen")
    for i in range(23):
        publish_article(column, f"乡镇新闻{i:02d}", slug=f"xz{i}", when=when(2026, 2, 1 + i))
    first = client.get(f"{API}/columns/{column.pk}/pages").json()
    assert first["count"] == 23 and first["pages"] == 2 and first["page"] == 1
    assert [x["title"] for x in first["items"][:2]] == ["乡镇新闻22", "乡镇新闻21"]
    assert len(first["items"]) == 20
    second = client.get(f"{API}/columns/{column.pk}/pages", {"page": 2}).json()
    assert second["page"] == 2 and [x["title"] for x in second["items"]] == [
        "乡镇新闻02",
        "乡镇新闻01",
        "乡镇新闻00",
    ]
    assert second["items"][0]["url"] == "/portal/news/xiangzhen/xz2/"


def test_leaders_come_by_sort_and_a_non_column_is_refused(client: Any, w: SiteWorld) -> None:
    data = client.get(f"{API}/columns/{w.column('xld').pk}/pages").json()
    assert [x["title"] for x in data["items"]] == ["县长 张明", "副县长 李华"]
    response = client.get(f"{API}/columns/{w.pages['headline'].pk}/pages")
    assert response.status_code == 404 and response.json()["code"] == "portal.column_not_found"
    assert client.get(f"{API}/columns/{w.column('yaowen').pk}/pages", {"page": "x"}).status_code == 422


def test_no_login_is_needed_and_nothing_is_written(client: Any, w: SiteWorld) -> None:
    before = Page.objects.count()
    assert client.get(f"{API}/pages/{w.home.pk}").json()["type"] == "HomePage"
    assert client.post(f"{API}/pages/{w.home.pk}").status_code == 405
    assert Page.objects.count() == before
