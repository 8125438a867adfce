"""Query counts of the list pages: a fresh render (cache dropped) of the home page, a channel and a
column needs the same number of queries with 3 items as with 40 (pictures with renditions,
sub-columns and other content types included)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.portal import cache as page_cache
from tongban.portal.testing import publish_article
from tongban.portal.tests.test_site_world import SiteWorld, build_full_site, make_image, when

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def fresh_queries(client: Any, url: str) -> int:
    page_cache.invalidate("test")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow(w: SiteWorld, n: int, start: int) -> None:
    image = make_image(f"图{start}")
    for i in range(start, start + n):
        day = when(2026, 1, 1 + i % 28)
        publish_article(
            w.column("yaowen"), f"要闻{i}", slug=f"yw{i}", when=day, is_headline=True, cover=image
        )
        publish_article(w.column("tongzhi"), f"通知{i}", slug=f"tz{i}", when=day, is_notice=True)
        publish_article(w.column(f"bm-{1 + i % 3}"), f"部门{i}", slug=f"bm{i}", when=day)
        publish_article(w.column("tupian"), f"图片{i}", slug=f"tp{i}", when=day, cover=image)


def test_list_pages_do_not_grow_with_their_items(client: Any, django_assert_max_num_queries: Any) -> None:
    w = build_full_site()
    grow(w, 3, 0)
    urls = {
        "home": w.home.url,
        "channel": w.column("yaowen").get_parent().url,
        "column": w.column("yaowen").url,
        "pictures": w.column("tupian").url,
        "parent column": w.column("bumen").url,
        "policies": w.column("zfwj").url,
        "leaders": w.column("xld").url,
        "departments": w.column("bmdh").url,
        "article": w.pages["headline"].url,
    }
    for url in urls.values():
        client.get(url)  # renditions are generated files: make them once
    before = {name: fresh_queries(client, url) for name, url in urls.items()}
    grow(w, 40, 3)
    for url in urls.values():
        client.get(url)
    after = {name: fresh_queries(client, url) for name, url in urls.items()}
    assert after == before
    with django_assert_max_num_queries(40):
        fresh_queries(client, w.home.url)
    with django_assert_max_num_queries(25):
        fresh_queries(client, w.column("yaowen").url)
