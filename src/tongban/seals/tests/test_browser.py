from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _axe(page) -> list[dict]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_verify_page_upload_and_accessibility(
    page, phone_page, live_server, sealed_unit, simple_pdf, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from tongban.seals import services

    signed = tmp_path / "sealed.pdf"
    signed.write_bytes(services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None))
    page.goto(f"{live_server.url}/seals/verify/")
    assert _axe(page) == []
    page.get_by_label("PDF 文件").set_input_files(str(signed))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    assert page.locator("#tb-verify-status").get_attribute("data-status") == "valid"
    assert sealed_unit.name in page.locator("#tb-verify-status").inner_text()
    assert _axe(page) == []
    phone_page.goto(f"{live_server.url}/seals/verify/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_manage_page_accessibility(page, live_server, people, small_county) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from tongban.seals import services

    services.ca_init(county=small_county)
    client = Client()
    client.force_login(people["secadmin"])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/seals/manage/")
    assert page.get_by_role("heading", name="电子印章管理").is_visible()
    page.get_by_label("为单位签发印章证书").select_option(label="青山县财政局")
    page.get_by_role("button", name="签发").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="青山县财政局").is_visible()
    assert _axe(page) == []
