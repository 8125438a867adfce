"""The supervisor watches the lights change as simulated time passes (tests set the clock;
production never does): the dashboard's charts draw, the sweep button turns the case 黄牌, the
unit head answers the 整改通知 on a phone; no serious accessibility violations."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings

from tongban.approvals import testing
from tongban.approvals.models import EventKind
from tongban.core.clock import moved_to, set_test_now
from tongban.supervision.models import Rectification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def _serious_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def w():
    return testing.build_world()


def test_lights_change_as_time_passes(page, live_server, w):
    with moved_to(date(2026, 11, 2)):
        case = testing.new_case(w, received_at=datetime(2026, 11, 2, 9), handler=w.users["handler"])
        testing.event(case, EventKind.ACCEPTED, datetime(2026, 11, 2, 10))
    try:
        set_test_now(datetime(2026, 11, 4, 10))
        _login(page, live_server, "supervisor")
        page.goto(f"{live_server.url}/supervision/")
        page.click("text=立即巡检")
        assert page.locator('[data-sv="total_open"]').inner_text() == "1"
        assert page.locator('[data-sv="yellow"]').inner_text() == "0"
        page.wait_for_function("document.querySelector('#sv-pie canvas') !== null")
        assert _serious_axe(page) == []
        set_test_now(datetime(2026, 11, 5, 10))
        page.click("text=立即巡检")
        assert page.locator('[data-sv="warning"]').inner_text() == "1"
        set_test_now(datetime(2026, 11, 10, 10))
        page.click("text=立即巡检")
        assert page.locator('[data-sv="yellow"]').inner_text() == "1"
        page.goto(f"{live_server.url}/supervision/cases/?light=yellow")
        assert case.tracking_no in page.content()
    finally:
        set_test_now(None)
    assert Rectification.objects.filter(case=case, kind="yellow").exists()


def test_unit_head_replies_on_a_phone(phone_page, live_server, w):
    from tongban.supervision import rectify

    r = rectify.rectification_issue(
        actor=w.users["supervisor"],
        county=w.county,
        unit=w.units["scj"],
        text="请整改超期办件。",
        deadline_days=5,
    )
    page = phone_page
    _login(page, live_server, "scj_leader")
    page.goto(f"{live_server.url}/supervision/rectifications/")
    page.click(f"text={r.number}")
    page.fill("#id_reply", "已全部办结，并建立到期提醒。")
    page.click("#sv-reply")
    page.wait_for_load_state()
    assert "已回复整改情况" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _serious_axe(page) == []
    r.refresh_from_db()
    assert r.status == "replied"
