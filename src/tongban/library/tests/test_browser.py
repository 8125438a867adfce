"""A resource request and approval in a real browser: czclerk (财政局) asks for 统计局's restricted
enterprise directory, ziyuan approves it, czclerk downloads the file and the download is logged."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tongban.core.tests.test_ui_browser import login
from tongban.identity.models import User
from tongban.library.models import AccessRequest, DownloadLog, RequestStatus, SharingLevel
from tongban.library.tests.conftest import CSV, publish
from tongban.orgs import demo
from tongban.orgs.models import Unit
from tongban.orgs.services import seed_apply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_approve_download(page: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_apply(plan=demo.build_plan(staff=40))
    tjj = Unit.objects.get(short_name="统计局")
    cz_unit = Unit.objects.get(short_name="财政局")
    r = publish(
        User.objects.get(username="ziyuan"),
        tjj,
        title="规模以上企业名录",
        sharing=SharingLevel.RESTRICTED,
        shared=[cz_unit],
    )

    # czclerk finds it in the catalogue and requests it
    login(page, live_server, "czclerk", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/library/?q=企业名录")
    page.locator(f'[data-resource="{r.pk}"]').click()
    expect(page.locator("#lib-title")).to_have_text("规模以上企业名录")
    assert page.locator("#lib-download").count() == 0
    page.fill("#lib-reason", "编制2026年财源建设方案")
    with page.expect_navigation():
        page.click("#lib-request")
    expect(page.locator("#lib-my-requests [data-status]")).to_have_attribute(
        "data-status", "pending", timeout=15_000
    )
    req = AccessRequest.objects.get()

    # ziyuan approves from the incoming box
    page.context.clear_cookies()
    login(page, live_server, "ziyuan", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/library/requests/?box=incoming")
    item = page.locator(f'[data-request="{req.pk}"]')
    expect(item).to_contain_text("编制2026年财源建设方案")
    with page.expect_navigation():
        item.locator(".lib-approve").click()
    expect(page.locator(f'[data-request="{req.pk}"] .lib-status')).to_have_text("已同意", timeout=15_000)
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED

    # czclerk downloads
    page.context.clear_cookies()
    login(page, live_server, "czclerk", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/library/{r.pk}/")
    with page.expect_download() as dl:
        page.click("#lib-download")
    assert dl.value.suggested_filename == "指标.csv"
    with open(dl.value.path(), "rb") as fh:
        assert fh.read() == CSV
    assert DownloadLog.objects.filter(resource=r, user__username="czclerk", unit=cz_unit).count() == 1
