"""Authorization matrix for every organisation page: refused roles are refused AND nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.identity.models import User
from tongban.orgs.models import LeaderDuty, Office, Post, RoleGrant, Unit

pytestmark = pytest.mark.django_db


def _state() -> tuple[Any, ...]:
    return (
        list(Unit.objects.order_by("id").values_list("id", "name", "code", "is_active", "parent_id")),
        list(Office.objects.order_by("id").values_list("id", "name", "sort")),
        list(Post.objects.order_by("id").values_list("id", "user_id", "unit_id", "title", "is_primary")),
        list(LeaderDuty.objects.order_by("id").values_list("leader_id", "unit_id")),
        list(RoleGrant.objects.order_by("id").values_list("user_id", "unit_id", "role")),
        list(User.objects.order_by("id").values_list("id", "full_name", "mobile", "is_active")),
        AuditRecord.objects.filter(event__startswith="orgs.").count(),
    )


def _requests(county: Any) -> dict[str, Callable[[Any], Any]]:
    caizheng = Unit.objects.get(county=county, short_name="财政局")
    office = Office.objects.filter(unit=caizheng).first()
    person = (
        Post.objects.filter(unit=caizheng, is_primary=True).exclude(user__username="unitleader").first().user
    )
    concurrent = Post.objects.filter(is_primary=False).first()
    return {
        "unit_create": lambda c: c.post(
            reverse("orgs:unit_create"),
            {"unit_code": "X1", "name": "新单位", "kind": "gov_dept", "sort": 1, "is_active": "on"},
        ),
        "unit_edit": lambda c: c.post(
            reverse("orgs:unit_edit", args=[caizheng.pk]),
            {
                "unit_code": caizheng.unit_code,
                "name": "改名财政局",
                "kind": "gov_dept",
                "sort": 1,
                "is_active": "on",
            },
        ),
        "office_create": lambda c: c.post(
            reverse("orgs:office_create", args=[caizheng.pk]), {"name": "新股", "sort": 9}
        ),
        "office_edit": lambda c: c.post(
            reverse("orgs:office_edit", args=[office.pk]), {"name": "改名股", "sort": 9}
        ),
        "office_delete": lambda c: c.post(
            reverse("orgs:office_delete", args=[Office.objects.filter(posts=None).first().pk])
        ),
        "staff_create": lambda c: c.post(
            reverse("orgs:staff_create"),
            {"username": "newbie", "full_name": "新人", "unit": caizheng.pk, "title": "科员", "sort": 1},
        ),
        "staff_edit": lambda c: c.post(
            reverse("orgs:staff_edit", args=[person.pk]),
            {"full_name": "改名", "unit": caizheng.pk, "title": "科员", "sort": 1, "is_active": "on"},
        ),
        "post_add": lambda c: c.post(
            reverse("orgs:post_add", args=[person.pk]),
            {"unit": Unit.objects.get(short_name="审计局").pk, "title": "兼职", "sort": 1},
        ),
        "post_remove": lambda c: c.post(reverse("orgs:post_remove", args=[concurrent.pk])),
        "duties_set": lambda c: c.post(
            reverse("orgs:duties_set", args=[person.pk]), {"units": [caizheng.pk]}
        ),
        "import": lambda c: c.post(reverse("orgs:import"), {"csv_kind": "units", "file": _csv_file()}),
    }


def _csv_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("units.csv", "单位代码,单位名称,类型\nNEW1,新单位,事业单位\n".encode())


SYSTEM_VIEWS = ["unit_create", "unit_edit", "office_create", "office_edit", "office_delete", "staff_create",
                "staff_edit", "post_add", "post_remove", "duties_set", "import"]  # fmt: skip


@pytest.mark.parametrize("view", SYSTEM_VIEWS)
@pytest.mark.parametrize("who", ["anonymous", "staff", "auditadmin", "secadmin"])
def test_system_admin_writes_refused_for_others(client, county, accounts, view, who):
    if accounts[who] is not None:
        client.force_login(accounts[who])
    before = _state()
    response = _requests(county)[view](client)
    if who == "anonymous":
        assert response.status_code == 302 and reverse("identity:login") in response["Location"]
    else:
        assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize("view", SYSTEM_VIEWS)
def test_system_admin_writes_allowed(client, county, accounts, view):
    client.force_login(accounts["sysadmin"])
    before = _state()
    response = _requests(county)[view](client)
    assert response.status_code in (200, 302)
    assert _state() != before, response.content.decode()[:2000]


@pytest.mark.parametrize(
    "name", ["unit_list", "unit_create", "staff_list", "staff_create", "import", "export"]
)
@pytest.mark.parametrize("who", ["staff", "auditadmin", "secadmin"])
def test_system_admin_pages_refused(client, accounts, name, who):
    client.force_login(accounts[who])
    before = AuditRecord.objects.filter(event="orgs.exported").count()
    assert client.get(reverse(f"orgs:{name}")).status_code == 403
    assert AuditRecord.objects.filter(event="orgs.exported").count() == before


@pytest.mark.parametrize("name", ["unit_list", "unit_create", "staff_list", "staff_create", "import"])
def test_system_admin_pages_render(client, accounts, name):
    client.force_login(accounts["sysadmin"])
    response = client.get(reverse(f"orgs:{name}"))
    assert response.status_code == 200


def test_staff_and_unit_edit_pages_render(client, county, accounts):
    client.force_login(accounts["sysadmin"])
    unit = Unit.objects.get(short_name="财政局")
    assert "预算股" in client.get(reverse("orgs:unit_edit", args=[unit.pk])).content.decode()
    html = client.get(reverse("orgs:staff_edit", args=[accounts["countyleader"].pk])).content.decode()
    assert "分管单位" in html and "民政局" in html


def test_staff_create_through_the_page_makes_account_and_primary_post(client, county, accounts):
    client.force_login(accounts["sysadmin"])
    unit = Unit.objects.get(short_name="财政局")
    office = Office.objects.get(unit=unit, name="预算股")
    response = client.post(
        reverse("orgs:staff_create"),
        {
            "username": "lisi",
            "full_name": "李四",
            "mobile": "13800001111",
            "unit": unit.pk,
            "office": office.pk,
            "title": "科员",
            "sort": 5,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="lisi")
    assert (user.pinyin, user.pinyin_initials) == ("lisi", "ls") and not user.has_usable_password()
    post = Post.objects.get(user=user)
    assert post.is_primary and post.unit == unit and post.office == office
    assert AuditRecord.objects.filter(event="orgs.staff_created").exists()
    assert AuditRecord.objects.filter(event="identity.user_created", object_id=str(user.pk)).exists()


def test_staff_create_bad_mobile_shows_error_and_writes_nothing(client, county, accounts):
    client.force_login(accounts["sysadmin"])
    unit = Unit.objects.get(short_name="财政局")
    before = _state()
    response = client.post(
        reverse("orgs:staff_create"),
        {"username": "lisi", "full_name": "李四", "mobile": "12345", "unit": unit.pk, "sort": 0},
    )
    assert response.status_code == 200 and "手机号码格式不正确" in response.content.decode()
    assert _state() == before


def _role_requests(county: Any, accounts: Any) -> dict[str, Callable[[Any], Any]]:
    unit = Unit.objects.get(short_name="审计局")
    grant = RoleGrant.objects.get(user=accounts["clerk"], role="clerk")
    return {
        "grant": lambda c: c.post(
            reverse("orgs:roles"), {"username": "officehead", "unit": unit.pk, "role": "supervisor"}
        ),
        "revoke": lambda c: c.post(reverse("orgs:role_revoke", args=[grant.pk])),
    }


@pytest.mark.parametrize("action", ["grant", "revoke"])
@pytest.mark.parametrize("who", ["anonymous", "staff", "auditadmin", "sysadmin"])
def test_role_writes_refused_for_others(client, county, accounts, action, who):
    if accounts[who] is not None:
        client.force_login(accounts[who])
    before = _state()
    response = _role_requests(county, accounts)[action](client)
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert _state() == before


@pytest.mark.parametrize("who", ["staff", "auditadmin", "sysadmin"])
def test_roles_page_refused(client, accounts, who):
    client.force_login(accounts[who])
    assert client.get(reverse("orgs:roles")).status_code == 403


def test_security_admin_grants_and_revokes_with_audit(client, county, accounts):
    client.force_login(accounts["secadmin"])
    assert client.get(reverse("orgs:roles")).status_code == 200
    requests = _role_requests(county, accounts)
    assert requests["grant"](client).status_code == 302
    grant = RoleGrant.objects.get(user=accounts["officehead"], role="supervisor")
    rec = AuditRecord.objects.filter(event="orgs.role_granted").latest("seq")
    assert rec.old is None and rec.new["role"] == "supervisor" and rec.actor_name == "secadmin"
    assert requests["revoke"](client).status_code == 302
    assert not RoleGrant.objects.filter(user=accounts["clerk"], role="clerk").exists()
    rec = AuditRecord.objects.filter(event="orgs.role_revoked").latest("seq")
    assert rec.old["role"] == "clerk" and rec.new is None
    assert grant.pk


def test_nav_entries_by_role(client, accounts):
    client.force_login(accounts["sysadmin"])
    html = client.get(reverse("orgs:addressbook")).content.decode()
    assert "组织机构" in html and "系统管理" in html and reverse("orgs:roles") not in html
    client.force_login(accounts["secadmin"])
    html = client.get(reverse("orgs:addressbook")).content.decode()
    assert reverse("orgs:roles") in html and reverse("orgs:unit_list") not in html
    client.force_login(accounts["clerk"])
    html = client.get(reverse("orgs:addressbook")).content.decode()
    assert reverse("orgs:unit_list") not in html and reverse("orgs:roles") not in html and "通讯录" in html
