"""收文 in a real browser at 财政局: czclerk signs for a document issued by 政府办 and registers it,
the office head reviews and proposes, unitleader instructs, it is handled, circulated (a reader
reads it), finished and archived; the 办理单 PDF carries every opinion."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tongban.receiving.models import IncomingDocument
from tongban.receiving.tests.conftest import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _login(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_issued_document_is_received_handled_and_archived(page, live_server, units, people):
    """The issue's whole chain: 政府办 drafts, returns once, 财政局 countersigns, the county leader
    signs, it is numbered, sealed and issued (documents' browser flow); then 财政局 receives,
    handles and archives it here."""
    from tongban.documents.tests.test_browser import outgoing_to_issue

    title = "关于做好2026年春节期间安全生产工作的通知"
    doc = outgoing_to_issue(page, live_server, title=title)
    incoming = IncomingDocument.objects.get(source=doc, unit=units["财政局"])
    base = live_server.url
    detail = f"{base}/incoming/{incoming.pk}/"

    # 文书 signs for it from the 待签收 list and registers it
    _login(page, live_server, people["czclerk"])
    page.goto(f"{base}/incoming/?tab=pending")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(detail)
    assert "春节将至" in page.locator("#rc-source").inner_text()
    assert doc.doc_number in page.locator("body").inner_text()
    page.fill("#rc-sign input[name=copies]", "2")
    page.click("#rc-sign-btn")
    page.wait_for_selector("#rc-step-register")
    assert "2 份" in page.locator("#rc-signed").inner_text()
    page.select_option("#rc-step-register select[name=handling]", "handle")
    page.click("#rc-submit-register")
    page.wait_for_selector("#rc-register-no:has-text('收文〔')")

    # 办公室主任: 初审 and 拟办
    _login(page, live_server, people["czhead"])
    page.goto(detail)
    page.check("#rc-step-review input[value=pass]")
    page.fill("#rc-step-review textarea[name=opinion]", "符合收文要求")
    page.click("#rc-submit-review")
    page.wait_for_selector("#rc-step-propose")
    page.fill("#rc-step-propose textarea[name=proposal]", "拟请预算股牵头办理")
    page.click("#rc-submit-propose")
    page.wait_for_selector("#rc-status:has-text('领导批示')")

    # 局长 instructs with a deadline in working days
    _login(page, live_server, people["unitleader"])
    page.goto(detail)
    page.fill("#rc-step-instruct textarea[name=instruction]", "同意，请预算股抓紧落实")
    page.fill("#rc-step-instruct input[name=deadline_workdays]", "5")
    page.click("#rc-submit-instruct")
    page.wait_for_selector("#rc-status:has-text('承办')")

    # 文书 reports the handling, sends it for reading (传阅)
    _login(page, live_server, people["czclerk"])
    page.goto(detail)
    page.fill("#rc-step-handle textarea[name=opinion]", "已按要求落实并报送材料")
    page.click("#rc-submit-handle")
    page.wait_for_selector("#rc-step-circulate")
    page.select_option(
        "#rc-circulate-form select[name=readers]", [str(people["unitleader"].pk), str(people["czhead"].pk)]
    )
    page.click("#rc-circulate-form button")
    page.wait_for_selector("#rc-circulation:has-text('未阅')")

    # the reader reads it
    _login(page, live_server, people["unitleader"])
    page.goto(detail)
    page.click("#rc-read-btn")
    page.wait_for_selector("#rc-circulation:has-text('已阅')")
    circulation = page.locator("#rc-circulation").inner_text()
    assert "未阅" in circulation  # the office head has not read it yet

    # 文书 ends circulation, finishes with a result and archives
    _login(page, live_server, people["czclerk"])
    page.goto(detail)
    page.click("#rc-submit-circulate")
    page.wait_for_selector("#rc-step-finish")
    page.fill("#rc-step-finish textarea[name=result]", "已办结，预算执行正常")
    page.click("#rc-submit-finish")
    page.wait_for_selector("#rc-step-archive")
    page.select_option("#rc-step-archive select[name=retention]", "30y")
    page.click("#rc-submit-archive")
    page.wait_for_selector("#rc-status:has-text('已归档')")
    incoming.refresh_from_db()
    assert incoming.status == "archived" and incoming.retention == "30y"

    # the 办理单 PDF, read back
    response = page.request.get(f"{detail}slip.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    for expected in (
        "收文办理单",
        incoming.register_no,
        "符合收文要求",
        "拟请预算股牵头办理",
        "同意，请预算股抓紧落实",
        "已按要求落实并报送材料",
        "已办结，预算执行正常",
        people["unitleader"].full_name,
        people["czclerk"].full_name,
    ):
        assert expected in text, expected


def _axe_serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_incoming_pages_fit_a_phone(phone_page, live_server, issue, units, people):
    doc = issue(title="关于做好年度预算执行工作的通知")
    incoming = IncomingDocument.objects.get(source=doc, unit=units["财政局"])
    _login(phone_page, live_server, people["czclerk"])
    for path in ("/incoming/?tab=pending", f"/incoming/{incoming.pk}/", "/incoming/new/"):
        phone_page.goto(f"{live_server.url}{path}")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, path
        assert _axe_serious(phone_page) == [], path
