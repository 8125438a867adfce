"""The performance page in a real browser on a phone (375 px): the ranking table, the formula and
the ECharts trend chart (vendored, offline) drawn without script errors; the unit head sees the
own unit's line only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tongban.approvals import testing
from tongban.core import clock as tclock
from tongban.supervision.models import MonthlyScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def test_performance_page_table_formula_and_chart(phone_page, live_server):
    w = testing.build_world(with_item=False)
    now = timezone.now()
    for i, month in enumerate((date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1))):
        for rank, (key, score) in enumerate((("scj", 90.5 - i), ("zjj", 80.25 + 3 * i)), start=1):
            MonthlyScore.objects.create(
                county=w.county, unit=w.units[key], month=month, score=score, rank=rank,
                timeliness=score, formula="综合得分 = 示例公式", computed_at=now,
            )  # fmt: skip
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with tclock.moved_to(date(2025, 11, 20)):
        _login(page, live_server.url, "supervisor")
        page.goto(f"{live_server.url}/supervision/performance/?month=2025-11")
        assert page.locator("h1").inner_text() == "2025年11月部门绩效考核"
        assert page.locator("#pf-table tbody tr").count() == 2
        assert "示例公式" in page.locator("#pf-formula").inner_text()
        page.wait_for_selector("#pf-trend svg")
        assert page.locator("#pf-trend svg path").count() > 0
        assert errors == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run('#main', {resultTypes: ['violations']})")
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []

        page.context.clear_cookies()
        _login(page, live_server.url, "zj_leader")
        page.goto(f"{live_server.url}/supervision/performance/?month=2025-11")
        rows = page.locator("#pf-table tbody tr")
        assert rows.count() == 1 and "住房和城乡建设局" in rows.inner_text()
        assert page.locator("#pf-recompute").count() == 0
