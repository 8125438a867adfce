"""In Chromium: the network administrator opens 网络监测 and the schematic map is drawn (an ECharts
canvas with one node per site) from the page's data; the site list shows the status badges."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tongban.netmon import services
from tongban.netmon.checks import Outcome
from tongban.netmon.models import Site
from tongban.netmon.testing import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overview_draws_the_county_map(page: Any, live_server: Any) -> None:
    w = build_world()
    actor = w.users["wangguan"]
    probes = []
    for key in ("zf", "xxzx", "czj", "qsz", "smx"):
        site = services.site_save(
            actor=actor,
            county=w.county,
            data={"unit_id": w.units[key].pk, "kind": "hall" if key == "zf" else None},
        )
        probes.append(
            services.probe_save(
                actor=actor,
                site=site,
                data={"kind": "tcp", "host": "127.0.0.1", "port": 9, "fail_threshold": 1},
            )
        )
    services.record_results(
        [
            (p, Outcome(i != 3, 4.0 if i != 3 else None, "" if i != 3 else "refused"))
            for i, p in enumerate(probes)
        ]
    )
    base = live_server.url
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", "wangguan")
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()
    page.goto(f"{base}/netmon/")
    expect(page.locator("#nm-map canvas")).to_have_count(1, timeout=10_000)
    expect(page.locator("#nm-map")).to_have_attribute("data-nm-nodes", "5", timeout=10_000)
    expect(page.locator('[data-nm-count="down"]')).to_have_text("1")
    expect(page.locator('[data-nm-count="up"]')).to_have_text("4")
    down = Site.objects.get(unit=w.units["qsz"])
    expect(page.locator(f'tr[data-site="{down.pk}"] [data-status]')).to_have_text("中断")
    # the site page draws its latency chart too
    page.goto(f"{base}/netmon/sites/{down.pk}/")
    expect(page.locator("#nm-history canvas")).to_have_count(1, timeout=10_000)
    expect(page.locator("#nm-history")).to_have_attribute("data-nm-points", "1", timeout=10_000)
