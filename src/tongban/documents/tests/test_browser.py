"""An outgoing document from draft to 核发 in a real browser, across four users in two units:
clerk and officehead (政府办), unitleader (财政局) countersigns, countyleader signs; the office head
returns it once to the drafter; it ends with 核发 to 财政局."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.core.tests.test_ui_browser import axe_violations, login
from tongban.documents.models import Document, NumberSeries
from tongban.identity.models import User
from tongban.notify.models import Notification
from tongban.orgs import demo
from tongban.orgs.models import Unit
from tongban.orgs.services import seed_apply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "关于做好2026年春节期间安全生产工作的通知"


def _as(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, live_server, username, demo.DEMO_PASSWORD)


def _open(page: Any, live_server: Any, doc: Document) -> None:
    page.goto(f"{live_server.url}/documents/{doc.pk}/")


def _step(page: Any, step: str) -> Any:
    return page.locator(f"form[data-step='{step}']")


def test_outgoing_document_from_draft_to_issue(page: Any, live_server: Any) -> None:
    seed_apply(plan=demo.build_plan(staff=80))
    doc = outgoing_to_issue(page, live_server)
    # 核发 reached 财政局's clerk (through the receiving listener) when receiving is installed
    from tongban.documents import hooks

    if hooks.issued_listeners():
        assert Notification.objects.filter(user__username="czclerk").exists()
    assert doc.status == "issued"


def outgoing_to_issue(page: Any, live_server: Any, title: str = TITLE) -> Document:
    """Drive one outgoing document from draft to 核发 to 财政局 in the browser (the demo county must
    be seeded); receiving's browser test continues from here at 财政局."""
    from tongban.seals import models as seal_models
    from tongban.seals import selectors as seal_selectors
    from tongban.seals import services as seal_services

    zfb = Unit.objects.get(short_name="政府办")
    cz = Unit.objects.get(short_name="财政局")
    if not seal_models.CertificateAuthority.objects.filter(county=zfb.county).exists():
        seal_services.ca_init(county=zfb.county)
    if seal_selectors.seal_image_png(zfb) is None:
        seal_services.certificate_issue(unit=zfb)
    NumberSeries.objects.get_or_create(county=zfb.county, prefix="青政办发", defaults={"unit": zfb})
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["clerk", "officehead", "unitleader", "countyleader", "czclerk"]
        )
    }

    # 1. the clerk drafts: title, body in the editor, 主送 财政局
    _as(page, live_server, "clerk")
    page.goto(f"{live_server.url}/documents/new/")
    page.fill("#id_title", title)
    page.select_option("#id_main_units", label=cz.name)
    page.locator("#doc-editor .ql-editor").click()
    page.keyboard.type("各单位：春节将至，请切实做好安全生产工作。")
    page.click("#doc-save")
    page.locator("#doc-title").wait_for()
    doc = Document.objects.get(title=title)
    assert "春节将至" in doc.body_html and doc.recipients.get().unit == cz
    # 拟稿 → 部门负责人审核: choose the office head
    _step(page, "draft").locator("select[name=next_assignees]").select_option(str(users["officehead"].pk))
    _step(page, "draft").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()
    assert Document.objects.get(pk=doc.pk).status == "review"

    # 2. the office head returns it to the drafter once
    _as(page, live_server, "officehead")
    _open(page, live_server, doc)
    page.locator("summary", has_text="退回").first.click()
    page.locator("select[name=to_step]").first.select_option("draft")
    page.locator("textarea[name=opinion][required]").first.fill("请补充值班安排。")
    page.locator("button", has_text="确认退回").first.click()
    page.wait_for_load_state()

    # 3. the clerk adds the duty arrangements and submits again
    _as(page, live_server, "clerk")
    _open(page, live_server, doc)
    page.click("#doc-edit")
    page.locator("#doc-editor .ql-editor").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("节日期间实行24小时值班。")
    page.click("#doc-save")
    page.locator("#doc-title").wait_for()
    assert "24小时值班" in Document.objects.get(pk=doc.pk).body_html
    _step(page, "draft").locator("select[name=next_assignees]").select_option(str(users["officehead"].pk))
    _step(page, "draft").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()

    # 4. the office head reviews, then (核稿) asks 财政局 to countersign and the county leader to sign
    _as(page, live_server, "officehead")
    _open(page, live_server, doc)
    _step(page, "dept_review").locator("textarea[name=opinion]").fill("同意。")
    _step(page, "dept_review").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()
    form = _step(page, "office_review")
    form.locator("select[name=countersign_units]").select_option(str(cz.pk))
    form.locator("select[name=next_assignees]").select_option(str(users["countyleader"].pk))
    form.locator("textarea[name=opinion]").fill("请财政局会签后呈县领导签发。")
    form.locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()

    # 5. 财政局's leader countersigns (on a phone-sized page too)
    _as(page, live_server, "unitleader")
    _open(page, live_server, doc)
    _step(page, "countersign").locator("textarea[name=opinion]").fill("同意会签。")
    _step(page, "countersign").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()

    # 6. the county leader signs
    _as(page, live_server, "countyleader")
    _open(page, live_server, doc)
    _step(page, "sign").locator("textarea[name=opinion]").fill("同意印发。")
    _step(page, "sign").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()
    doc.refresh_from_db()
    assert doc.status == "signed" and doc.signers_text == users["countyleader"].full_name and doc.written_date

    # 7. the office head rechecks
    _as(page, live_server, "officehead")
    _open(page, live_server, doc)
    _step(page, "recheck").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()

    # 8. the clerk numbers, seals and issues
    _as(page, live_server, "clerk")
    _open(page, live_server, doc)
    _step(page, "register").locator("button[type=submit]").click()
    page.locator("#doc-number").wait_for()
    assert page.locator("#doc-number").inner_text().startswith("青政办发〔")
    _step(page, "seal").locator("button[type=submit]").click()
    page.locator("#doc-sealed").wait_for()
    _step(page, "issue").locator("button[type=submit]").click()
    page.locator("#doc-status").wait_for()
    doc.refresh_from_db()
    assert doc.status == "issued" and doc.sealed_pdf and doc.issued_at
    assert page.locator("#doc-status").inner_text() == "已核发"
    route = page.locator("#wf-route").inner_text()
    for text in ("请补充值班安排。", "同意会签。", "同意印发。"):
        assert text in route
    return doc


def test_clerk_drafts_on_a_phone(phone_page: Any, live_server: Any) -> None:
    seed_apply(plan=demo.build_plan(staff=40))
    page = phone_page
    _as(page, live_server, "clerk")
    page.goto(f"{live_server.url}/documents/new/")
    v = axe_violations(page)
    assert v == [], [n["html"] for x in v for n in x["nodes"]]
    page.fill("#id_title", "关于召开全县财政工作会议的通知")
    assert not page.locator("#id_flag_text").is_visible()  # rare elements stay under 更多要素
    page.locator("#doc-more summary").click()
    page.select_option("#id_urgency", "加急")
    page.fill("#id_note", "联系人：张三，电话：1234567")
    page.locator("#doc-editor .ql-editor").click()
    page.keyboard.type("定于下周一召开全县财政工作会议。")
    page.click("#doc-save")
    page.locator("#doc-title").wait_for()
    doc = Document.objects.get(title="关于召开全县财政工作会议的通知")
    assert doc.urgency == "加急" and doc.note.startswith("联系人") and "财政工作会议" in doc.body_html
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # no sideways scrolling on a 375 px phone
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/docs_detail_phone.png", full_page=True)
    page.goto(f"{live_server.url}/documents/")
    assert axe_violations(page) == []
    assert page.locator("#doc-table").inner_text().count("关于召开全县财政工作会议的通知") == 1
