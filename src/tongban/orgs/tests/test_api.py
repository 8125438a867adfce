from __future__ import annotations

import pytest

from tongban.orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_api_refuses_anonymous(client, county):
    for url in [
        "/api/v1/org/tree",
        f"/api/v1/org/units/{Unit.objects.first().pk}",
        "/api/v1/addressbook?q=zs",
    ]:
        assert client.get(url).status_code == 401


def test_org_tree(client, accounts):
    client.force_login(accounts["clerk"])
    data = client.get("/api/v1/org/tree").json()
    assert [n["short_name"] for n in data[:4]] == ["县委", "县人大", "县政府", "县政协"]
    gov = data[2]
    assert any(c["short_name"] == "财政局" and c["code"] == "财" for c in gov["children"])


def test_unit_detail_with_offices_and_people(client, accounts):
    client.force_login(accounts["clerk"])
    unit = Unit.objects.get(short_name="财政局")
    data = client.get(f"/api/v1/org/units/{unit.pk}").json()
    assert data["name"] == "青山县财政局" and data["code"] == "财"
    assert "预算股" in [o["name"] for o in data["offices"]]
    people = [p["name"] for o in data["offices"] for p in o["people"]]
    assert accounts["unitleader"].full_name in people
    assert data["leaders_in_charge"]
    assert client.get("/api/v1/org/units/999999").status_code == 404


def test_addressbook_search_paged(client, accounts):
    client.force_login(accounts["clerk"])
    leader = accounts["unitleader"]
    data = client.get("/api/v1/addressbook", {"q": leader.pinyin_initials, "per_page": 5}).json()
    assert data["page"] == 1 and len(data["items"]) <= 5 and data["count"] >= 1
    all_names = client.get("/api/v1/addressbook", {"q": leader.full_name, "per_page": 100}).json()
    assert leader.full_name in [i["name"] for i in all_names["items"]]
    unit = Unit.objects.get(short_name="财政局")
    data = client.get("/api/v1/addressbook", {"unit": unit.pk, "per_page": 100}).json()
    assert {i["unit"] for i in data["items"]} == {"青山县财政局"}
