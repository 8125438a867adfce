"""The search page and GET /api/v1/search/: authorization matrix (anonymous / administrator /
staff) and results limited to what the user may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.search import services
from tongban.search.tests.conftest import KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(county, accounts, units, memo_kind) -> dict[str, Any]:
    clerk, czclerk = accounts["clerk"], accounts["czclerk"]
    a = units["政府办"].pk
    b = units["财政局"].pk
    services.index_upsert(
        kind=KIND,
        object_id=a,
        county=county,
        unit_id=a,
        title="关于防汛值班的通知",
        body="<b>汛期</b>值班安排",
    )
    services.index_upsert(kind=KIND, object_id=b, county=county, unit_id=b, title="关于防汛资金的请示")
    memo_kind.update({a: {clerk.pk}, b: {czclerk.pk}})
    return {"a": a, "b": b}


@pytest.mark.parametrize(
    ("login", "status"),
    [(None, 302), ("sysadmin", 403), ("secadmin", 403), ("auditadmin", 403), ("clerk", 200)],
)
def test_page_matrix(client: Client, accounts, indexed, login, status) -> None:
    if login:
        client.force_login(accounts[login])
    r = client.get("/search/", {"q": "防汛"})
    assert r.status_code == status
    if status == 302:
        assert "/account/login" in r["Location"] or "login" in r["Location"]
    body = r.content.decode()
    if status != 200:
        assert "关于防汛" not in body
    else:
        assert "值班的通知" in body and "资金的请示" not in body
        assert "<mark>防汛</mark>" in body
        assert "&lt;b&gt;" not in body and "<b>汛期" not in body


def test_page_without_query_and_htmx_fragment(client: Client, accounts, indexed) -> None:
    client.force_login(accounts["czclerk"])
    r = client.get("/search/")
    assert r.status_code == 200 and "全文检索" in r.content.decode()
    r = client.get("/search/", {"q": "防汛"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results")
    body = r.content.decode()
    assert "<html" not in body and "资金的请示" in body and "值班的通知" not in body


@pytest.mark.parametrize(
    ("login", "status"),
    [(None, 401), ("sysadmin", 403), ("auditadmin", 403), ("clerk", 200), ("czclerk", 200)],
)
def test_api_matrix(client: Client, accounts, indexed, login, status) -> None:
    if login:
        client.force_login(accounts[login])
    r = client.get("/api/v1/search/", {"q": "防汛"})
    assert r.status_code == status
    if status == 200:
        data = r.json()
        titles = [i["title"] for i in data["items"]]
        expected = {"clerk": ["关于防汛值班的通知"], "czclerk": ["关于防汛资金的请示"]}[login]
        assert titles == expected and data["total"] == 1 and data["capped"] is False
        assert data["items"][0]["url"].startswith("/memo/")
        assert "<mark>防汛</mark>" in data["items"][0]["title_html"]
    else:
        assert "items" not in r.json()


def test_api_filters_and_bad_params(client: Client, accounts, indexed) -> None:
    client.force_login(accounts["clerk"])
    assert client.get("/api/v1/search/", {"q": "防汛", "unit_id": indexed["b"]}).json()["total"] == 0
    assert client.get("/api/v1/search/", {"q": "防汛", "kind": KIND}).json()["total"] == 1
    assert client.get("/api/v1/search/", {"q": "防汛", "year": "abc"}).status_code == 422
    assert client.get("/api/v1/search/", {"q": ""}).json()["items"] == []


def test_navigation_entry_for_staff_only(client: Client, accounts) -> None:
    from tongban.core import nav

    assert any(i["key"] == "search" for i in nav.items_for(accounts["clerk"]))
    assert not any(i["key"] == "search" for i in nav.items_for(accounts["sysadmin"]))
