"""The public site on a phone (375 px): the navigation collapses into the toggler and opens, the
large-text switch works on a cached page (the class on <html> toggles at once and survives a
reload, which is then served from the cache's large-text variant), and the language switch turns
the site into English."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.portal.testing import build_site, publish_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    from wagtail.models import Collection

    # an earlier transactional test's flush drops the migrations' root collection
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def test_phone_nav_large_text_and_language(phone_page: Any, live_server: Any) -> None:
    p = build_site()
    publish_article(p.column("yaowen"), "县政府召开第十次常务会议", body="<p>会议研究了营商环境。</p>")
    publish_article(p.column("tongzhi"), "关于春节放假的通知")
    page = phone_page
    url = f"{live_server.url}{p.home.url}"

    # the navigation collapses into the toggler on a phone and opens on a tap
    first = page.goto(url)
    assert first is not None and first.status == 200, first and first.headers
    nav = page.locator("#pt-nav")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not nav.is_visible()
    toggler.click()
    nav.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    assert page.locator("#pt-nav .nav-link", has_text="首页").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    # large text on a page served from the cache (a reload asks the server again; a plain visit
    # within max-age may be answered by the browser's own cache)
    response = page.reload()
    assert response is not None and response.headers["x-portal-cache"] == "hit"
    html = page.locator("html")
    assert "tb-large" not in (html.get_attribute("class") or "")
    page.locator("#pt-large-toggle").click()
    page.wait_for_function("document.documentElement.classList.contains('tb-large')")
    assert page.locator("#pt-large-toggle").get_attribute("aria-pressed") == "true"
    response = page.reload()
    assert response is not None
    assert "tb-large" in (html.get_attribute("class") or "")  # the cookie's variant of the page
    assert page.locator("#pt-large-toggle").get_attribute("aria-pressed") == "true"
    response = page.reload()
    assert response is not None and response.headers["x-portal-cache"] == "hit"
    assert "tb-large" in (html.get_attribute("class") or "")
    page.locator("#pt-large-toggle").click()  # and back
    page.wait_for_function("!document.documentElement.classList.contains('tb-large')")
    page.reload()
    assert "tb-large" not in (html.get_attribute("class") or "")

    # the language switch
    page.locator("a[lang=en]", has_text="English").click()
    page.wait_for_load_state()
    assert html.get_attribute("lang") == "en"
    assert page.locator("a[lang=zh-CN]", has_text="中文").count() == 1
    page.locator("a[lang=zh-CN]", has_text="中文").click()
    page.wait_for_load_state()
    assert html.get_attribute("lang") == "zh-CN"
