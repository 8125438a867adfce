"""In Chromium: the 考核管理员 logs in, adds an indicator to a draft scheme (weight 100), publishes
it, and opens a unit's scorecard, whose trend chart is drawn (an ECharts canvas with the data)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tongban.stats.models import AssessmentScheme, SchemeStatus
from tongban.stats.tests.test_assess_world import PASSWORD, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kaohe_creates_an_indicator_and_sees_the_scorecard(page: Any, live_server: Any) -> None:
    w = build(scheme=False)
    scheme = AssessmentScheme.objects.create(name="浏览器测试考核", year=2026, period="month")
    scheme.units.set([w.units["czj"], w.units["jyj"]])
    base = live_server.url
    page.set_default_timeout(60_000)  # a loaded CI machine: the first page compiles templates
    page.set_default_navigation_timeout(60_000)
    page.goto(base + "/account/login/")
    page.fill("#id_username", "kaohe")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#tb-login-submit")
    page.goto(f"{base}/stats/schemes/{scheme.pk}/")
    with page.expect_navigation():
        page.click("#add-indicator")
    expect(page.locator("aside")).to_contain_text("active_user_days")
    page.fill("#id_name", "登录活跃率")
    page.fill("#id_formula", "active_user_days / (staff * workdays)")
    page.fill("#id_weight", "100")
    page.fill("#id_target", "0.8")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存指标')")
    expect(page.locator("#weight-total")).to_contain_text("100", timeout=60_000)
    expect(page.locator("#main")).to_contain_text("活跃人日 ÷ （在岗人数 × 工作日数）")
    with page.expect_navigation():
        page.click("button:has-text('发布方案')")
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.PUBLISHED
    page.goto(f"{base}/stats/scorecards/?scheme={scheme.pk}&period=2026-11")
    expect(page.locator("#ranking")).to_contain_text("财政局")
    with page.expect_navigation():
        page.click("#ranking a:has-text('财政局')")
    expect(page.locator("#card-score")).to_have_text("100.00", timeout=60_000)
    expect(page.locator("#card-trend canvas")).to_have_count(1, timeout=60_000)
    assert int(page.get_attribute("#card-trend", "data-loaded") or "0") >= 1
