"""In Chromium: a citizen writes to the 县长信箱 (solving the challenge), the mailbox office routes
the letter to 市场监管局, its letter handler drafts and submits a reply, the office approves and
publishes it, and the citizen looks the letter up by 查询码 + phone, sees the reply and rates it.
The write form has no serious accessibility violations (axe-core)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from tongban.interaction.models import Letter, LetterStatus
from tongban.interaction.testing import PASSWORD, build_world
from tongban.interaction.tests.test_letters_support import mailboxes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _serious_axe(page: Any) -> list[Any]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def test_write_route_reply_publish_rate(page: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    w = build_world()
    leader, _dept = mailboxes(w)
    base = live_server.url

    # the citizen writes
    page.goto(f"{base}/portal/letters/write/?mailbox={leader.pk}")
    assert _serious_axe(page) == []
    page.get_by_label("投诉").check()
    page.fill("#id_title", "夜市油烟扰民")
    page.fill("#id_content", "人民路夜市烧烤油烟很大，晚上无法开窗。")
    page.fill("#id_writer_name", "赵小六")
    page.fill("#id_phone", "13811112222")
    question = page.locator("label[for=id_challenge] strong").inner_text()
    a, b = (int(x) for x in re.findall(r"\d+", question))
    page.fill("#id_challenge", str(a + b))
    page.click("#letter-submit")
    page.wait_for_load_state()
    code = page.locator("#letter-code").inner_text().strip()
    letter = Letter.objects.get()
    assert code == letter.tracking_code and letter.status == LetterStatus.RECEIVED

    # the office routes it
    _login(page, base, "mailbox")
    page.goto(f"{base}/interaction/letters/")
    page.get_by_role("link", name=code).click()
    page.wait_for_load_state()
    page.select_option("#form-route select[name=unit]", str(w.units["scj"].pk))
    page.click("#form-route button[type=submit]")
    page.wait_for_load_state()
    assert "办理中" in page.locator("#letter-status").inner_text()

    # the department replies
    _login(page, base, "scj_letters")
    page.goto(f"{base}/interaction/letters/?box=todo")
    page.get_by_role("link", name=code).click()
    page.wait_for_load_state()
    page.fill("#form-reply textarea", "经查，已责令夜市经营户安装油烟净化设施，城管部门每晚巡查。")
    page.click("#reply-submit")
    page.wait_for_load_state()
    assert "待审核" in page.locator("#letter-status").inner_text()

    # the office approves and publishes
    _login(page, base, "mailbox")
    page.goto(f"{base}/interaction/letters/{letter.pk}/")
    page.click("#form-review button[type=submit]")
    page.wait_for_load_state()
    assert "已答复" in page.locator("#letter-status").inner_text()
    page.click("#publish-submit")
    page.wait_for_load_state()
    letter.refresh_from_db()
    assert letter.is_published

    # the citizen looks it up and rates it
    page.context.clear_cookies()
    page.goto(f"{base}/portal/letters/lookup/")
    page.fill("#id_code", code)
    page.fill("#id_phone", "13811112222")
    page.click("#lookup-submit")
    page.wait_for_load_state()
    assert "已责令夜市经营户安装油烟净化设施" in page.content()
    page.get_by_label("满意", exact=True).check()
    page.click("#rate-submit")
    page.wait_for_load_state()
    assert "满意" in page.locator("#letter-rating").inner_text()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED and letter.rating == "satisfied"
    # and the published letter is on the public list
    page.goto(f"{base}/portal/letters/")
    assert page.get_by_role("link", name="夜市油烟扰民").count() == 1
