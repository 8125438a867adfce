"""axe-core over the public site's main pages (home, a column, an article, the mailbox's letter
form, search): no serious or critical accessibility violation (rules.md §6, GB/T 37668)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tongban.portal.testing import build_site, publish_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    from wagtail.models import Collection

    # an earlier transactional test's flush drops the migrations' root collection
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def _serious(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages_have_no_serious_axe_violations(page: Any, live_server: Any) -> None:
    from tongban.interaction.models import Mailbox

    p = build_site()
    Mailbox.objects.get_or_create(county=p.world.county, kind="leader", name="县长信箱")
    article = publish_article(
        p.column("yaowen"), "县政府召开营商环境推进会", body="<p>会议研究了营商环境优化措施。</p>",
        source="县融媒体中心",
    )  # fmt: skip
    publish_article(p.column("tongzhi"), "关于春节放假的通知")
    base = live_server.url
    urls = {
        "home": p.home.url,
        "column": p.column("yaowen").url,
        "article": article.url,
        "mailbox": reverse("letters_public:write"),
        "search": reverse("portal_search:search") + "?q=营商环境",
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for name, path in urls.items():
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, (name, path)
        violations = _serious(page)
        if violations:
            found[name] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
