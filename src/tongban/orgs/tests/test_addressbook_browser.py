"""The address book in a real browser at phone width: live search through htmx, tap-to-call links,
the tree loading a unit, no sideways scrolling, no serious accessibility violations."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tongban.core.tests.test_ui_browser import login
from tongban.orgs import demo
from tongban.orgs.services import seed_apply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def test_live_search_and_tree_on_a_phone(phone_page, live_server):
    seed_apply(plan=demo.build_plan(staff=80))
    from tongban.identity.models import User

    leader = User.objects.get(username="unitleader")
    page = phone_page
    login(page, live_server, "clerk", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/org/addressbook/")
    page.fill("#ab-q", leader.pinyin_initials)
    page.locator("#ab-results table").wait_for()
    page.get_by_text(leader.full_name).first.wait_for()
    tel = page.locator(f'#ab-results a[href="tel:{leader.mobile}"]')
    assert tel.count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    # browse: open the government's group, pick 财政局
    page.goto(f"{live_server.url}/org/addressbook/")
    page.locator("summary", has_text="县人民政府").click()
    page.get_by_role("link", name="财政局", exact=True).click()
    page.locator("#ab-results h2", has_text="青山县财政局").wait_for()
    assert page.get_by_text("预算股").count() >= 1
