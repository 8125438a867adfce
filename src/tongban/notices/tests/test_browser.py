"""A notice published and read, in a real browser: officehead publishes with an attachment to 财政局
(and another to the whole county); unitleader opens it on a phone and confirms; officehead sees who
has not read it and reminds them."""

from __future__ import annotations

import pytest

from tongban.core.tests.test_ui_browser import axe_violations, login
from tongban.identity.models import User
from tongban.notices.models import Notice, NoticeReceipt
from tongban.notices.tests.conftest import PDF
from tongban.notify.models import Notification
from tongban.orgs import demo
from tongban.orgs.services import seed_apply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_read_confirm_and_remind(page, phone_page, live_server):
    seed_apply(plan=demo.build_plan(staff=80))
    leader = User.objects.get(username="unitleader")
    czclerk = User.objects.get(username="czclerk")

    # 1. officehead publishes to 财政局 with an attachment
    login(page, live_server, "officehead", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/notices/new/")
    assert axe_violations(page) == []
    page.fill("#nt-title", "关于报送<预算>执行情况的通知")
    page.fill("#nt-body", "财政局：\n\n请于周五前报送。")
    page.get_by_label("重要", exact=True).check()
    page.fill("#nt-unit-filter", "财政")
    page.get_by_label("财政局", exact=True).check()
    page.set_input_files(
        "#nt-files", files=[{"name": "执行情况表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#nt-publish")
    page.locator("#nt-summary").wait_for()
    notice = Notice.objects.get(title="关于报送<预算>执行情况的通知")
    assert notice.attachments.count() == 1
    # 2. … and another to the whole county
    page.goto(f"{live_server.url}/notices/new/")
    page.fill("#nt-title", "关于国庆节值班安排的通知")
    page.get_by_label("全县", exact=True).check()
    assert page.locator("#nt-units").is_hidden()
    page.click("#nt-publish")
    page.locator("#nt-summary").wait_for()
    county_notice = Notice.objects.get(title="关于国庆节值班安排的通知")
    assert county_notice.whole_county and NoticeReceipt.objects.filter(notice=county_notice).count() > 20

    # 3. unitleader on a phone: the list shows both unread; open, download, confirm
    ph = phone_page
    login(ph, live_server, "unitleader", demo.DEMO_PASSWORD)
    ph.goto(f"{live_server.url}/notices/")
    assert ph.locator(".badge", has_text="未读").count() == 2
    assert axe_violations(ph) == []
    ph.get_by_text("关于报送<预算>执行情况的通知").click()
    ph.locator("h1", has_text="关于报送<预算>执行情况的通知").wait_for()
    assert ph.get_by_role("link", name="执行情况表.pdf").count() == 1
    with ph.expect_download() as dl:
        ph.get_by_role("link", name="执行情况表.pdf").click()
    assert dl.value.suggested_filename == "执行情况表.pdf"
    assert axe_violations(ph) == []
    button = ph.locator("#nt-confirm")
    box = button.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] >= 44  # a big button on a phone
    button.click()
    ph.get_by_text("确认已读。", exact=False).first.wait_for()
    assert ph.evaluate("document.documentElement.scrollWidth") <= 375
    receipt = NoticeReceipt.objects.get(notice=notice, user=leader)
    assert receipt.read_at and receipt.confirmed_at

    # 4. officehead: unitleader has read, the others not; remind them
    page.goto(f"{live_server.url}/notices/{notice.pk}/status/")
    row = page.locator(f'tr[data-unit="{leader.posts.get(is_primary=True).unit_id}"]')
    not_read = row.locator(".nt-not-read").inner_text()
    assert leader.full_name not in not_read and czclerk.full_name in not_read
    assert "1/" in row.inner_text()
    assert axe_violations(page) == []
    page.click("#nt-remind")
    page.get_by_text("已提醒", exact=False).first.wait_for()
    assert Notification.objects.filter(event="notices.reminder", user=czclerk).exists()
    assert not Notification.objects.filter(event="notices.reminder", user=leader).exists()
