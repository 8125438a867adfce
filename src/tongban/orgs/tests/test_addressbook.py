from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.identity.models import User
from tongban.identity.services import user_create
from tongban.orgs import selectors
from tongban.orgs.models import Office, Post, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhangsan(county):
    unit = Unit.objects.get(county=county, short_name="教体局")
    office = Office.objects.get(unit=unit, name="人事股")
    user = user_create(actor=None, username="zhangsan_t", full_name="张三", mobile="13912345678")
    Post.objects.create(
        county=county, user=user, unit=unit, office=office, title="科长", office_phone="0797-8123456"
    )
    return user


def _names(page):
    return {p.user.full_name for p in page.object_list}


@pytest.mark.parametrize("q", ["张三", "zhangsan", "zhangs", "zs", "ZS", "12345678", "8123456", "0797-812"])
def test_search_finds_by_name_pinyin_initials_and_phone(county, zhangsan, q):
    page = selectors.addressbook_search(county=county, q=q, per_page=200)
    assert "张三" in _names(page)


def test_search_by_unit_name_lists_its_people(county, zhangsan):
    page = selectors.addressbook_search(county=county, q="教体局", per_page=500)
    assert "张三" in _names(page)
    assert all(
        p.unit.short_name == "教体局" or "教体局" in p.unit.name or (p.office and "教体局" in p.office.name)
        for p in page.object_list
    )


def test_search_does_not_match_unrelated_or_inactive(county, zhangsan):
    assert "张三" not in _names(selectors.addressbook_search(county=county, q="zz", per_page=500))
    zhangsan.is_active = False
    zhangsan.save(update_fields=["is_active"])
    assert "张三" not in _names(selectors.addressbook_search(county=county, q="zs", per_page=500))


def test_search_query_count_is_constant(
    county, zhangsan, django_assert_num_queries, django_assert_max_num_queries
):
    # one query per page (the total rides along as a window count), whatever the number of hits
    for q in ["z", "zs", "张", "局", "139"]:
        with django_assert_num_queries(1):
            page = selectors.addressbook_search(county=county, q=q, page=1, per_page=20)
            rows = [
                (p.user.full_name, p.user.mobile, p.unit.name, p.office and p.office.name)
                for p in page.object_list
            ]
        assert rows and page.paginator.count >= len(rows)
    # a page past the end: a count and the last page
    with django_assert_max_num_queries(3):
        page = selectors.addressbook_search(county=county, q="zs", page=999, per_page=5)
    assert page.number == page.paginator.num_pages and page.object_list


def test_search_pages_cover_all_hits(county, zhangsan):
    first = selectors.addressbook_search(county=county, q="局", page=1, per_page=7)
    seen = []
    for n in range(1, first.paginator.num_pages + 1):
        seen += [
            p.pk for p in selectors.addressbook_search(county=county, q="局", page=n, per_page=7).object_list
        ]
    assert len(seen) == len(set(seen)) == first.paginator.count


def test_unit_tree_is_one_query(county, django_assert_num_queries):
    with django_assert_num_queries(1):
        tree = selectors.unit_tree(county)
    assert [n.unit.short_name for n in tree[:4]] == ["县委", "县人大", "县政府", "县政协"]
    gov = tree[2]
    assert any(c.unit.short_name == "财政局" for c in gov.children)
    assert sum(1 for n in tree if n.unit.kind == "township") == 10


def test_addressbook_requires_login(client, county):
    response = client.get(reverse("orgs:addressbook"))
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]


def test_addressbook_page_and_htmx_results(client, county, zhangsan, accounts, django_assert_max_num_queries):
    client.force_login(accounts["clerk"])
    response = client.get(reverse("orgs:addressbook"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "通讯录" in html and "县人民政府" in html and "财政局" in html
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("orgs:addressbook"), {"q": "zs"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ab-results"
        )
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert "张三" in html and 'href="tel:13912345678"' in html and 'href="tel:0797-8123456"' in html


def test_addressbook_view_query_count_does_not_grow_with_results(
    client, county, zhangsan, accounts, django_assert_max_num_queries
):
    client.force_login(accounts["clerk"])
    with django_assert_max_num_queries(12):
        client.get(
            reverse("orgs:addressbook"), {"q": "z"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ab-results"
        )
    with django_assert_max_num_queries(12):
        client.get(
            reverse("orgs:addressbook"), {"q": "局"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ab-results"
        )


def test_addressbook_unit_browse_shows_offices_and_people(client, county, zhangsan, accounts):
    client.force_login(accounts["clerk"])
    unit = Unit.objects.get(county=county, short_name="教体局")
    response = client.get(
        reverse("orgs:addressbook"), {"unit": unit.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ab-results"
    )
    html = response.content.decode()
    assert "人事股" in html and "张三" in html and "分管县领导" in html


def test_user_text_is_escaped(client, county, accounts):
    unit = Unit.objects.get(county=county, short_name="财政局")
    user = user_create(actor=None, username="xss", full_name="<script>alert(1)</script>")
    Post.objects.create(county=county, user=user, unit=unit, title="科员")
    client.force_login(accounts["clerk"])
    html = client.get(reverse("orgs:addressbook"), {"q": "<script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_shell_shows_the_users_unit(client, accounts):
    client.force_login(accounts["unitleader"])
    html = client.get(reverse("orgs:addressbook")).content.decode()
    assert "青山县财政局" in html


def test_selectors_for_users(county, accounts):
    clerk = accounts["clerk"]
    assert selectors.user_primary_unit(clerk).short_name == "政府办"
    assert selectors.units_for_user(clerk)[0].short_name == "政府办"
    assert selectors.user_has_role(clerk, "clerk", selectors.user_primary_unit(clerk))
    assert not selectors.user_has_role(clerk, "clerk", Unit.objects.get(short_name="财政局"))
    assert not selectors.user_has_role(clerk, "unit_leader")
    assert not selectors.user_has_role(None, "clerk")
    nobody = User.objects.create(username="nobody", full_name="无名")
    assert selectors.user_primary_unit(nobody) is None and selectors.units_for_user(nobody) == []
