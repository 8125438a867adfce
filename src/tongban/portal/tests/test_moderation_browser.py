"""An editor's article goes through moderation and appears on the site and in search (issue #5):
the 市场监管局 editor logs in with the platform login, writes an article in his column in /cms/ and
submits it to 审核流程; the unit's reviewer logs in, finds it on his dashboard and approves; an
anonymous visitor reads it at its /portal/ address and finds it with the site search."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache

from tongban.interaction.testing import PASSWORD
from tongban.portal.models import ArticlePage
from tongban.portal.testing import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "市场监管局开展秋季琥珀专项抽检"


def _login(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def _wait(predicate: Any, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached")


def test_editor_article_through_moderation_to_site_and_search(page: Any, live_server: Any) -> None:
    cache.clear()
    site = build_site()
    column = site.column("bm-1")  # 部门动态 / 市场监管局

    # the editor writes and submits
    _login(page, live_server, "editor")
    page.goto(f"{live_server.url}/cms/pages/add/portal/articlepage/{column.pk}/")
    page.fill("#id_title", TITLE)
    page.click(
        "#panel-child-content-child-body-section .public-DraftEditor-content, .public-DraftEditor-content >> nth=0"
    )
    page.keyboard.type("县市场监管局对全县农贸市场开展琥珀专项抽检，共抽检样品一百二十批次。")
    page.wait_for_function("document.querySelector('#id_body').value.includes('\u7425\u73c0')", timeout=10000)
    with page.expect_navigation():
        page.evaluate("document.querySelector(\"button[name='action-submit']\").click()")
    errors = page.locator(".error-message, .help-critical, .messages").all_inner_texts()
    errors += [
        e.get_attribute("data-field-wrapper") or e.get_attribute("id") or ""
        for e in page.locator(".w-field--error, [data-field].w-field--error, [aria-invalid='true']").all()
    ]
    assert ArticlePage.objects.filter(title=TITLE).exists(), (page.url, errors)
    article = ArticlePage.objects.get(title=TITLE)
    assert not article.live

    # the reviewer sees it on his dashboard and approves
    _login(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/cms/")
    assert TITLE in page.content()
    page.goto(f"{live_server.url}/cms/pages/{article.pk}/edit/")
    with page.expect_navigation():  # the approval posts and reloads; a goto during it is interrupted
        page.evaluate(
            "document.querySelector(\"button[data-workflow-action-name='approve']"
            ':not([data-workflow-action-modal-url])").click()'
        )
    _wait(lambda: ArticlePage.objects.get(pk=article.pk).live)

    # anonymous: on the site and in search
    page.context.clear_cookies()
    article.refresh_from_db()
    page.goto(f"{live_server.url}{article.get_url()}")
    assert TITLE in page.content()
    page.goto(f"{live_server.url}/portal/search/?q=琥珀专项抽检")
    assert TITLE in page.inner_text("body")
