"""In a real browser: a department's 事项管理员 drafts a change (a shorter committed limit),
submits it, the county approval office publishes it, and the public 办事指南 shows the new limit;
the guide pages are readable on a phone and have no serious accessibility violations."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tongban.approvals import testing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def _serious_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_department_drafts_office_publishes_public_guide_shows_the_new_limit(page, live_server):
    w = testing.build_world()
    item = w.item
    _login(page, live_server, "scj_catalogue")
    page.goto(f"{live_server.url}/approvals/catalogue/")
    page.get_by_role("link", name=item.name).click()
    page.get_by_role("button", name="新建修订草稿").click()
    page.wait_for_load_state()
    assert "编辑草稿" in page.locator("h1").inner_text()
    page.fill("#id_committed_limit", "4")
    page.fill("#id_note", "压缩承诺时限至 4 个工作日")
    page.fill("#id_s-0-limit", "2")  # 审查 2 + 决定 2 ≤ 4
    page.click("#c-submit")
    page.wait_for_load_state()
    assert page.get_by_text("已提交县行政审批局发布。").is_visible()

    _login(page, live_server, "catalogue")
    page.goto(f"{live_server.url}/approvals/catalogue/?status=pending")
    page.get_by_role("link", name=item.name).click()
    page.get_by_role("link", name="与现行版本对比").click()
    assert page.locator("td", has_text="4").first.is_visible()
    page.go_back()
    page.click("#c-publish")
    page.wait_for_load_state()
    assert page.get_by_text("已发布。").is_visible()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/ban/?q=食品经营")
    page.get_by_role("link", name=item.name).click()
    assert page.locator('[data-limit="committed"]').inner_text() == "4"
    assert page.locator('[data-limit="statutory"]').inner_text() == "20"
    assert page.locator('[data-step="review"]').inner_text().count("2 个工作日") == 1


def test_guide_pages_on_a_phone(phone_page, live_server):
    w = testing.build_world()
    testing.published_item(w, code="330100-ZJJ-XK-001", name="建筑工程施工许可", unit="zjj",
                           fees=[("证书工本费", "10", "某省物价局通知")])  # fmt: skip
    page = phone_page
    for path in ("/ban/", f"/ban/items/{w.item.code}/", "/ban/?q=许可"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        assert _serious_axe(page) == [], path
