"""A citizen on a phone (375 px): registers with the SMS code (read from the SMS backend's file),
applies for 食品经营许可 with uploads, sees the tracking number and finds the case in 我的办件;
then, logged out, looks the case up by tracking number + phone. No sideways scrolling, no serious
accessibility violations (axe-core)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from tongban.approvals import testing
from tongban.approvals.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _serious_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _code(path: Path, phone: str) -> str:
    for _ in range(50):
        if path.exists():
            lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
            texts = [x["text"] for x in lines if x["to"] == phone]
            if texts:
                return re.search(r"验证码为(\d{6})", texts[-1]).group(1)
        time.sleep(0.1)
    raise AssertionError("no SMS code")


def test_citizen_registers_applies_and_looks_up_on_a_phone(phone_page, live_server, settings, tmp_path):
    cache.clear()  # the SMS-code and lookup limits per client address
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    w = testing.build_world()
    page = phone_page
    base = live_server.url

    # register
    page.goto(f"{base}/ban/register/")
    page.fill("#id_name", "陈新")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_phone", "13912345678")
    page.click("#ban-send-code")
    page.wait_for_function("document.getElementById('ban-code-status').textContent.length > 0")
    page.fill("#id_code", _code(settings.TONGBAN_SMS_FILE, "13912345678"))
    page.fill("#id_password", "Qingshan#2026")
    page.fill("#id_password2", "Qingshan#2026")
    _fits(page)
    assert _serious_axe(page) == []
    page.click("#ban-register-submit")
    page.wait_for_url(f"{base}/ban/my/")
    assert "还没有办件" in page.content()

    # apply
    page.goto(f"{base}/ban/apply/{w.item.code}/")
    _fits(page)
    assert _serious_axe(page) == []
    page.fill("#id_form_business_name", "陈新小吃店")
    page.fill("#id_form_address", "青山县城关镇解放路 8 号")
    page.select_option("#id_form_scope", "热食类食品制售")
    for m in w.item.current.materials.filter(required=True):
        page.set_input_files(
            f"#id_material_{m.pk}",
            files=[{"name": f"{m.name}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
    page.click("#ban-apply-submit")
    page.wait_for_selector("#tracking-no")
    case = Case.objects.get()
    assert page.inner_text("#tracking-no") == case.tracking_no
    assert case.applicant_name == "陈新" and case.materials.count() == 3

    # my cases
    page.click("text=我的办件 >> nth=-1")
    page.wait_for_url(f"{base}/ban/my/")
    assert case.tracking_no in page.inner_text("#my-cases")
    _fits(page)
    assert _serious_axe(page) == []
    page.click(f"#my-cases a[href='/ban/my/{case.tracking_no}/']")
    page.wait_for_selector("#case-status")
    assert "待受理" in page.inner_text("#case-status")
    assert "收件回执" in page.inner_text("#case-notices")
    _fits(page)
    assert _serious_axe(page) == []
    # large-text mode (适老化): bigger type, still no sideways scrolling
    page.click(".navbar-toggler")
    page.click("button[title='适老化大字模式']")
    page.wait_for_selector("html.tb-large")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 19
    _fits(page)

    # lookup without login, in a fresh context
    ctx = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True
    )
    anon = ctx.new_page()
    anon.goto(f"{base}/ban/lookup/")
    anon.fill("#id_tracking_no", case.tracking_no)
    anon.fill("#id_who", "13912345678")
    anon.click("#ban-lookup-submit")
    anon.wait_for_selector("#lookup-result")
    text = anon.inner_text("#lookup-result")
    assert w.item.name in text and "待受理" in text and "陈新" not in text
    assert anon.evaluate("document.documentElement.scrollWidth") <= 375
    assert _serious_axe(anon) == []
    ctx.close()
