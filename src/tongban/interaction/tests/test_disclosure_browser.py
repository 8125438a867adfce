"""A citizen applies online on 中秋 (2026-09-25); the officer confirms and sends a 补正 notice on
2026-10-09; the citizen supplements on 2026-10-16 (the clock restarts); the officer extends by 20
working days on 2026-10-19 and answers on 2026-12-10; the citizen sees the answer with the dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from tongban.core.clock import set_test_now
from tongban.interaction.models import DisclosureRequest
from tongban.interaction.testing import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _serious_axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _at(y: int, m: int, d: int) -> None:
    set_test_now(datetime(y, m, d, 10, 0))


def test_request_with_supplement_and_extension_reaches_its_answer(
    page, browser, live_server, settings, tmp_path
):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world()
    base = live_server.url
    page.set_default_timeout(60_000)  # a loaded CI machine: the first page compiles the templates
    try:
        _at(2026, 9, 25)
        page.goto(f"{base}/portal/disclosure-requests/apply/")
        page.fill("#id_name", "张明")
        page.fill("#id_id_number", "33010219800101123X")
        page.fill("#id_phone", "13800000001")
        page.select_option("#id_organ", str(w.units["scj"].pk))
        page.fill("#id_description", "2025年第三季度食品安全监督抽检结果")
        q = page.locator("label[for=id_challenge] .fw-bold").inner_text()
        a, b = q.split(" = ")[0].split(" + ")
        page.fill("#id_challenge", str(int(a) + int(b)))
        page.click("#dr-submit")
        code = page.locator("#dr-code").inner_text()
        assert page.locator("[data-clock=received_on]").inner_text() == "2026-09-25"
        assert page.locator("[data-clock=due_on]").inner_text() == "2026-10-29"
        assert _serious_axe(page) == []
        req = DisclosureRequest.objects.get(tracking_code=code)

        staff = Client()
        staff.force_login(w.users["scj_disclosure"])
        officer = browser.new_context(locale="zh-CN")
        officer.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": staff.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": base,
                }
            ]
        )
        op = officer.new_page()
        op.set_default_timeout(60_000)
        detail = f"{base}/interaction/disclosure/{req.pk}/"
        op.goto(detail)
        op.click("button[data-bs-target='#act-confirm']")
        op.click("#do-confirm")
        _at(2026, 10, 9)
        op.goto(detail)
        op.click("button[data-bs-target='#act-supplement_ask']")
        op.fill("[name='supplement_ask-text']", "请写明抽检批次")
        op.click("#do-supplement_ask")
        # the form posts and the page reloads: wait for the new page's text, not the old one's
        expect(op.locator("[data-clock=due_on]")).to_have_text("暂停计时", timeout=60_000)

        _at(2026, 10, 16)
        page.goto(f"{base}/portal/disclosure-requests/r/{code}/")
        assert "请写明抽检批次" in page.content()
        page.fill("#id_text", "第三季度第2批次")
        page.click("#dr-supplement")
        assert page.locator("[data-clock=clock_start_on]").inner_text() == "2026-10-16"
        assert page.locator("[data-clock=due_on]").inner_text() == "2026-11-13"

        _at(2026, 10, 19)
        op.goto(detail)
        op.click("button[data-bs-target='#act-extend']")
        op.fill("[name='extend-days']", "20")
        op.fill("[name='extend-reason']", "需要调取检验报告")
        op.click("#do-extend")
        expect(op.locator("[data-clock=due_on]")).to_have_text("2026-12-11", timeout=60_000)

        _at(2026, 12, 10)
        op.goto(detail)
        op.click("button[data-bs-target='#act-answer']")
        op.select_option("[name='answer-outcome']", "disclosed")
        op.fill("[name='answer-text']", "予以公开：抽检结果见附件公告。")
        op.click("#do-answer")
        officer.close()

        page.goto(f"{base}/portal/disclosure-requests/r/{code}/")
        assert "予以公开：抽检结果见附件公告。" in page.locator("#dr-answer").inner_text()
        assert page.locator("#dr-answer [data-clock=answered_on]").inner_text() == "2026-12-10"
        assert page.locator(".tb-clock [data-clock=received_on]").inner_text() == "2026-09-25"
        assert page.locator(".tb-clock [data-clock=supplement_due_on]").inner_text().startswith("2026-10-12")
        assert page.locator(".tb-clock [data-clock=due_on]").inner_text() == "2026-12-11"
        assert _serious_axe(page) == []
    finally:
        set_test_now(None)
