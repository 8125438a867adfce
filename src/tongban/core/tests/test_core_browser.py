"""The calendar and audit pages in a real browser at phone width (375 px): readable, no sideways
scrolling, no serious accessibility violations; an administrator adds an override with the form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tongban.core import audit
from tongban.core import calendar as workcal
from tongban.core.models import CalendarOverride

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PASSWORD = "Core-browser-2026"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workcal.invalidate()
    yield
    workcal.invalidate()


def _user(username: str, admin_role: str) -> None:
    user = get_user_model()(username=username, full_name=username, admin_role=admin_role)
    user.set_password(PASSWORD)
    user.save()


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form button").last.click()
    page.wait_for_load_state()


def _serious_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_calendar_on_a_phone_and_adding_an_override(phone_page, live_server):
    _user("cal_admin", "system")
    page = phone_page
    _login(page, live_server, "cal_admin")
    page.goto(f"{live_server.url}/calendar/?year=2026")
    assert page.locator("h1").inner_text().startswith("2026")
    assert page.locator('td[data-date="2026-10-01"]').get_attribute("data-kind") == "holiday"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _serious_axe(page) == []
    page.fill("input[name=date]", "2026-03-02")
    page.select_option("select[name=kind]", "holiday")
    page.fill("input[name=reason]", "县城停电")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.locator('td[data-date="2026-03-02"]').get_attribute("data-kind") == "override_holiday"
    assert CalendarOverride.objects.get(date=date(2026, 3, 2)).reason == "县城停电"


def test_audit_page_on_a_phone(phone_page, live_server):
    _user("auditor", "audit")
    audit.record("identity.login", actor_name="zhangsan", message="测试")
    page = phone_page
    _login(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/")
    assert page.locator("h1").inner_text() == "审计日志"
    assert page.locator("td code", has_text="identity.login").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _serious_axe(page) == []
