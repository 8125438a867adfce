"""A live interview in two browsers: a citizen posts a question on the live page; the host, in a
second browser context, approves and answers it; the citizen's page shows the answer without a
reload (the htmx-polled fragment). The citizen's page also passes axe-core (no serious or
critical violations) on a phone-sized screen."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from tongban.core import clock
from tongban.interaction import interviews
from tongban.interaction.testing import PASSWORD, build_world

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


def _live_interview(w: Any) -> Any:
    start = clock.now() + timedelta(minutes=10)
    with clock.moved_to(start - timedelta(days=5)):
        iv = interviews.interview_create(
            actor=w.users["host"], county=w.county, title="优化营商环境在线访谈", summary="与网友交流。",
            host_unit=w.units["scj"], starts_at=start, ends_at=start + timedelta(minutes=60),
            guests=[{"name": "陈局长", "title": "市场监管局局长"}],
        )  # fmt: skip
        interviews.interview_announce(iv, actor=w.users["host"])
    return interviews.interview_start(iv, actor=w.users["host"])


def test_question_posted_in_one_browser_appears_answered_in_another(
    page, browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    iv = _live_interview(w)
    base = live_server.url

    # the citizen, on the live page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/portal/interviews/{iv.pk}/")
    assert page.locator("#tb-live").get_attribute("hx-trigger") == "every 3s"
    assert _serious_axe(page) == []
    page.fill("#id_nickname", "城东网友")
    page.fill("#id_content", "开一家小餐馆要办哪些证？")
    label = page.locator("label[for=id_challenge]").inner_text()
    a, b = re.search(r"(\d+) \+ (\d+)", label).groups()
    page.fill("#id_challenge", str(int(a) + int(b)))
    page.click("#iv-ask-submit")
    page.wait_for_url(re.compile(rf"/portal/interviews/{iv.pk}/"))
    assert "审核通过后" in page.content()
    marker = page.evaluate("() => { window.tbNoReload = 'still-here'; return window.tbNoReload; }")
    assert marker == "still-here"

    # the host, in another browser context
    host_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    host = host_ctx.new_page()
    host.set_default_timeout(15_000)
    try:
        host.goto(f"{base}/account/login/")
        host.fill("#id_username", "host")
        host.fill("#id_password", PASSWORD)
        host.click("#tb-login-submit")
        host.wait_for_load_state()
        host.goto(f"{base}/interaction/interviews/{iv.pk}/")
        host.wait_for_selector("text=开一家小餐馆要办哪些证？")
        qid = host.locator("[data-question]").first.get_attribute("data-question")
        host.click(f"#iv-approve-{qid}")
        host.wait_for_selector(f"#iv-answer-{qid}")
        # approved: the question already shows on the citizen's page, waiting for the answer
        page.wait_for_selector("#tb-live >> text=开一家小餐馆要办哪些证？", timeout=10_000)
        host.fill(f"#iv-answer-{qid}", "营业执照和食品经营许可，可在政务服务网一次申请。")
        host.click(f"#iv-answer-submit-{qid}")
        host.wait_for_load_state()
    finally:
        host_ctx.close()

    # the answer arrives by polling, without a reload
    page.wait_for_selector("#tb-live >> text=营业执照和食品经营许可", timeout=10_000)
    assert page.evaluate("() => window.tbNoReload") == "still-here"
    assert "陈局长" in page.locator("#tb-live").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
