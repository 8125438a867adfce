"""The bell and the notification list in a real browser at phone width."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tongban.notify import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _login(page, live_server, client, user) -> None:
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_bell_list_and_read_all_on_a_phone(phone_page, live_server, client, alice, sms_file):
    services.notify(
        users=[alice],
        event="notify.test",
        title="第一条消息",
        body="内容一",
        url="/notifications/preferences/",
    )
    services.notify(users=[alice], event="notify.test", title="第二条消息")
    page = phone_page
    _login(page, live_server, client, alice)
    page.goto(f"{live_server.url}/notifications/")
    assert page.locator("#tb-bell-count").inner_text() == "2"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []

    # Opening one marks it read and follows its link.
    page.get_by_text("第一条消息").click()
    page.wait_for_url("**/notifications/preferences/")
    assert page.locator("#tb-bell-count").inner_text() == "1"

    # "全部标为已读" through htmx: the list is replaced and the bell count removed in place.
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_selector("#tb-bell-count", state="detached")
    assert page.locator("#tb-notify-list .badge.bg-danger").count() == 0
