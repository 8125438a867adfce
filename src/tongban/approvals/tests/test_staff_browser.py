"""Case handling in a real browser at phone width: the handler finds the case in 待受理, accepts
it with the form, submits the review; the unit head grants it. No sideways scrolling and no
serious accessibility violations on the list and the case page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tongban.approvals import testing
from tongban.approvals.models import CaseStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


class NullSms:
    def send(self, phone: str, text: str) -> str:
        return "ok"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"


def _login(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def _serious_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_handler_accepts_reviews_and_the_head_grants_on_a_phone(phone_page, live_server):
    w = testing.build_world()
    case = testing.new_case(w)
    page = phone_page
    _login(page, live_server, "handler")
    page.goto(f"{live_server.url}/approvals/cases/")
    assert page.locator("#case-table").inner_text().count(case.tracking_no) == 1
    assert _no_sideways_scroll(page)
    assert _serious_axe(page) == []
    page.click(f"text={case.tracking_no}")
    page.wait_for_load_state()
    assert "clock-lines" in page.content()
    assert _serious_axe(page) == []
    page.click("#act-accept summary")
    page.click("#act-accept-submit")
    page.wait_for_load_state()
    assert "已受理" in page.content()
    page.click("#act-review summary")
    page.fill("#review-opinion", "材料齐全，符合条件，建议准予许可。")
    page.click("#act-review-submit")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.current_step == "decide"
    _login(page, live_server, "scj_leader")
    page.goto(f"{live_server.url}/approvals/cases/{case.pk}/")
    page.click("#act-decide summary")
    page.check("#decide-decision-2")  # 不予许可 without reasons: a clear error, nothing changed
    page.click("#act-decide-submit")
    page.wait_for_load_state()
    assert "应当说明理由" in page.content()
    page.check("#decide-decision-1")
    page.click("#act-decide-submit")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.decision == "grant"
    assert _no_sideways_scroll(page)
