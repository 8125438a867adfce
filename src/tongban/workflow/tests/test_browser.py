"""In a real browser: the clerk submits a step, the office head sees it in 待办 and returns it,
the clerk sees it back; and the inbox works on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.workflow.models import WorkItem
from tongban.workflow.tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form button").last.click()
    page.wait_for_load_state()


def test_submit_then_return_then_back_in_todo(page: Any, live_server: Any, org: Any, start: Any) -> None:
    inst = start(amount=5, countersign_units=[])
    title = inst.title
    base = live_server.url

    _login(page, live_server, org.clerk.username)
    page.goto(f"{base}/workflow/inbox/todo/")
    row = page.locator("#wf-inbox tbody tr", has_text=title)
    row.get_by_role("link", name="拟稿").click()
    page.fill("textarea[name=opinion]", "请审核")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{base}/workflow/inbox/todo/")
    assert title not in page.locator("#wf-inbox").inner_text()
    page.goto(f"{base}/workflow/inbox/done/")
    assert title in page.locator("#wf-inbox").inner_text()

    _login(page, live_server, org.head.username)
    page.goto(f"{base}/workflow/inbox/todo/")
    row = page.locator("#wf-inbox tbody tr", has_text=title)
    assert "办公室核稿" in row.inner_text() and "王文书" in row.inner_text()
    assert page.locator("#wf-count-todo").inner_text() == "1"
    row.get_by_role("link", name="办公室核稿").click()
    page.get_by_text("退回", exact=True).click()
    page.select_option("select[name=to_step]", "draft")
    page.fill("form[action$='/return/'] textarea[name=opinion]", "标题不规范，请修改")
    page.get_by_role("button", name="确认退回").click()
    page.wait_for_url(f"{base}/workflow/inbox/todo/")
    assert title not in page.locator("#wf-inbox").inner_text()

    _login(page, live_server, org.clerk.username)
    page.goto(f"{base}/workflow/inbox/todo/")
    row = page.locator("#wf-inbox tbody tr", has_text=title)
    assert "拟稿" in row.inner_text() and "李主任" in row.inner_text()
    row.get_by_role("link", name="拟稿").click()
    assert "标题不规范，请修改" in page.locator("#wf-route").inner_text()
    assert (
        WorkItem.objects.filter(instance=inst, step="draft", status="open", assignee=org.clerk).count() == 1
    )


def test_inbox_on_a_phone(phone_page: Any, live_server: Any, org: Any, start: Any) -> None:
    for i in range(3):
        start(urgency="特急" if i == 0 else "")
    page = phone_page
    _login(page, live_server, org.clerk.username)
    page.goto(f"{live_server.url}/workflow/inbox/todo/")
    assert page.locator("#wf-inbox tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.locator("#wf-inbox tbody tr.tb-wf-row-urgent-1").count() == 1
    # the item page with its operations fits the phone too
    item = WorkItem.objects.filter(assignee=org.clerk, status="open").first()
    page.goto(f"{live_server.url}/workflow/items/{item.pk}/")
    page.get_by_role("button", name="提交").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
