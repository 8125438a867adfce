"""In the browser: the overview draws its charts with data, the big screen draws and refreshes
from the API without reloading, and a staff member sends feedback from a page that kaohe answers."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongban.stats import testing_dash as t
from tongban.stats.models import Feedback, Snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", t.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def _shot(page: Any, name: str) -> None:
    """Screenshots for a person to look at, when DASH_SHOTS names a folder."""
    folder = os.environ.get("DASH_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _series_len(page: Any, el_id: str) -> int:
    return page.evaluate(
        """(id) => { const i = echarts.getInstanceByDom(document.getElementById(id));
                 if (!i) return -1; const s = i.getOption().series; return s && s.length ? s[0].data.length : 0; }""",
        el_id,
    )


@pytest.fixture
def w() -> t.DashWorld:
    w = t.build_world()
    today = timezone.localdate()
    for i in range(30):
        d = today - timedelta(days=i)
        t.unit_day(
            w.units["czj"], d, staff=10, active_users=6, logins=9, docs_sent=1, copies_sent=4, pages_sent=12
        )
        t.unit_day(w.units["cgz"], d, staff=20, active_users=5, logins=7)
    t.snapshot()
    return w


def test_overview_and_screen(page: Any, live_server: Any, w: t.DashWorld) -> None:
    _login(page, live_server, "kaohe")
    page.goto(f"{live_server.url}/stats/")
    page.wait_for_function("document.querySelector('#sd-trend canvas') !== null")
    for el_id in ("sd-pie", "sd-letters", "sd-trend", "sd-top"):
        assert page.locator(f"#{el_id} canvas").count() >= 1, el_id
    assert _series_len(page, "sd-trend") == 30
    assert _series_len(page, "sd-pie") == 3
    assert _series_len(page, "sd-letters") == 3
    assert _series_len(page, "sd-top") == 2  # 政府办 has no figures: not ranked
    expect(page.locator('[data-sd="docs_in_motion"]')).to_have_text("318")
    _shot(page, "overview")
    # the big screen: drawn, then refreshed from the API without reloading the page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/stats/screen/")
    page.wait_for_function("window.sdRefreshes >= 1", timeout=15000)
    assert _series_len(page, "sd-effect") >= 1 and _series_len(page, "sd-trend") == 30
    page.evaluate("window.sdMarker = 'same page'")
    figures = dict(t.FIGURES, docs_in_motion=777)
    Snapshot.objects.create(at=timezone.now(), figures=figures)
    page.evaluate("window.sdRefresh()")
    expect(page.locator('[data-sd="docs_in_motion"]')).to_have_text("777", timeout=10000)
    assert page.evaluate("window.sdMarker") == "same page"
    assert page.locator("#sd-clock").inner_text() != "--:--:--"
    _shot(page, "screen-1366")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/stats/effect/")
    page.wait_for_function("document.querySelector('#sd-effect canvas') !== null")
    assert page.evaluate("document.documentElement.scrollWidth") <= 380  # no sideways scrolling on a phone
    _shot(page, "effect-phone")


def test_feedback_from_a_page_answered(page: Any, live_server: Any, w: t.DashWorld) -> None:
    _login(page, live_server, "czclerk")
    page.goto(f"{live_server.url}/stats/changelog/")
    with page.expect_navigation():
        page.click("#tb-feedback-link")
    assert page.locator("#id_page_url").input_value() == "/stats/changelog/"
    assert page.locator("#id_page_title").input_value() == "更新日志"
    page.check("text=问题报告")
    page.fill("#id_title", "更新日志页看不到日期")
    page.fill("#id_body", "手机上日期被挤掉了。")
    with page.expect_navigation():
        page.click("#sd-feedback-submit")
    expect(page.locator("#sd-mine")).to_contain_text("更新日志页看不到日期")
    fb = Feedback.objects.get()
    assert fb.page_url == "/stats/changelog/" and fb.kind == "bug"
    page.context.clear_cookies()
    _login(page, live_server, "kaohe")
    page.goto(f"{live_server.url}/stats/feedback/manage/")
    card = page.locator(f"#fb-{fb.pk}")
    card.locator("select[name=status]").select_option("accepted")
    card.locator("textarea[name=answer]").fill("已采纳，下周修复。")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(page.locator(f"#fb-{fb.pk}")).to_contain_text("已采纳，下周修复。")
    page.context.clear_cookies()
    _login(page, live_server, "czclerk")
    page.goto(f"{live_server.url}/stats/feedback/")
    expect(page.locator(f"#fb-{fb.pk} .sd-answer")).to_contain_text("已采纳，下周修复。")
