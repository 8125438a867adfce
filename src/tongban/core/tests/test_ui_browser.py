"""The shell in a real browser: phone width, large-text mode, language switch, accessibility."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit], form button").last.click()
    page.wait_for_load_state()


def make_user():
    User = get_user_model()
    user = User(username="shell_user", full_name="张三", mobile="13800000000")
    user.set_password("Shell-pass-2026")
    user.save()
    return user


def test_login_page_has_no_serious_axe_violations(page, live_server):
    page.goto(f"{live_server.url}/account/login/")
    assert axe_violations(page) == []


def test_shell_on_a_phone_collapses_navigation_and_does_not_scroll_sideways(phone_page, live_server):
    make_user()
    page = phone_page
    login(page, live_server, "shell_user", "Shell-pass-2026")
    assert page.url.rstrip("/") == live_server.url
    # no horizontal scrolling at 375 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    nav = page.locator("#tb-nav")
    assert not nav.is_visible()
    page.get_by_label("打开导航").click()
    page.wait_for_timeout(400)
    assert nav.is_visible()
    assert axe_violations(page) == []


def test_large_text_mode_and_english_switch(page, live_server):
    make_user()
    login(page, live_server, "shell_user", "Shell-pass-2026")
    base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字").click()
    page.wait_for_load_state()
    large = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large > base * 1.2
    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="中文").is_visible()
