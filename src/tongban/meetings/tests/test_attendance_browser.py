"""In Chromium on a phone-sized screen (390×844): a participant opens the QR code's link, logs in,
lands back on the sign-in page, taps 签到 and sees 签到成功; the organiser's console then shows
them present, and the venue screen shows the QR code and the count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.meetings import attendance as att
from tongban.meetings.models import Attendee
from tongban.meetings.testing import PASSWORD, build_world, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def iphone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _login_form(page: Any, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def test_phone_sign_in_then_console(iphone: Any, live_server: Any) -> None:
    w = build_world()
    start = timezone.localtime(timezone.now() + timedelta(minutes=15)).replace(second=0, microsecond=0)
    m = make_meeting(w, starts_at=start, confirm={"scj": ("scj_head",), "czj": ("cz_head",)})
    base = live_server.url
    page = iphone

    # the QR code's link, not logged in: the login page, then back here
    page.goto(base + att.signin_path(m))
    assert "/account/login/" in page.url
    _login_form(page, "scj_head")
    assert page.url == base + att.signin_path(m)
    assert m.title in page.inner_text("h1")
    button = page.locator("#att-signin-btn")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 60 and box["width"] >= 300  # big enough to tap
    button.click()
    page.wait_for_load_state()
    assert page.inner_text("#att-title") == "签到成功"
    assert "签到成功" in page.inner_text("#att-result")
    a = Attendee.objects.get(meeting=m, user=w.users["scj_head"])
    assert a.signed_in_at is not None and a.sign_method == "qr"
    # nothing overflows sideways on the phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # the organiser's console on the same phone
    page.context.clear_cookies()
    page.goto(base + f"/meetings/{m.pk}/signin/")
    _login_form(page, "organiser")
    row = page.locator(f"#att-row-{a.pk}")
    assert row.get_attribute("data-status") == "present"
    assert row.locator("[data-att-status]").inner_text() == "到会"
    other = Attendee.objects.get(meeting=m, user=w.users["cz_head"])
    assert page.locator(f"#att-row-{other.pk}").get_attribute("data-status") == "expected"
    # sign 冯局长 in from the console
    page.locator(f"#att-row-{other.pk} [data-action=signin]").click()
    page.wait_for_load_state()
    assert page.locator(f"#att-row-{other.pk}").get_attribute("data-status") == "present"
    assert Attendee.objects.get(pk=other.pk).sign_method == "organiser"

    # the venue screen: the QR code and 已签到 2 / 应到 3
    page.goto(base + f"/meetings/{m.pk}/signin/qr/")
    assert page.locator("#att-qr svg").count() == 1
    assert page.inner_text("#att-signed") == "2" and page.inner_text("#att-expected") == "3"
