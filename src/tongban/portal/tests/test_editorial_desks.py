"""The staff pages /portal-admin/desks/: who sees which desks, nav entries, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.core import nav
from tongban.portal.testing import PortalWorld, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> PortalWorld:
    return build_site()


def test_admin_sees_every_desk(client, site: PortalWorld, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(site.world.users["portaladmin"])
    with django_assert_max_num_queries(40):
        response = client.get(reverse("portal_desks:index"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("市场监管局", "财政局", "政府办", "林编辑", "何审核", "角色管理"):
        assert name in html


def test_editor_sees_own_desk_only(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    client.force_login(site.world.users["editor"])
    html = client.get(reverse("portal_desks:index")).content.decode()
    assert "市场监管局" in html and "林编辑" in html
    assert "罗编辑" not in html  # 财政局's editor
    scj, czj = site.world.units["scj"], site.world.units["czj"]
    assert client.get(reverse("portal_desks:detail", args=[scj.pk])).status_code == 200
    assert client.get(reverse("portal_desks:detail", args=[czj.pk])).status_code == 404


@pytest.mark.parametrize("key", ["outsider", "mailbox", "host"])
def test_desks_refused_to_others(client, site: PortalWorld, key: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(site.world.users[key])
    assert client.get(reverse("portal_desks:index")).status_code == 403
    assert client.get(reverse("portal_desks:detail", args=[site.world.units["scj"].pk])).status_code == 403


def test_nav_entries_for_portal_roles_only(site: PortalWorld) -> None:
    keys = {item["key"] for item in nav.items_for(site.world.users["reviewer"])}
    assert {"portal_cms", "portal_desks"} <= keys
    keys = {item["key"] for item in nav.items_for(site.world.users["mailbox"])}
    assert not {"portal_cms", "portal_desks"} & keys


def test_demo_hook_is_idempotent(site: PortalWorld, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from wagtail.models import GroupPagePermission

    from tongban.portal import setup_editorial

    monkeypatch.setattr("tongban.orgs.demo.COUNTY_CODE", site.world.county.code)
    first = setup_editorial.seed_demo(None)
    count = GroupPagePermission.objects.count()
    assert "单位编辑部" in setup_editorial.seed_demo(None) and "单位编辑部" in first
    assert GroupPagePermission.objects.count() == count
