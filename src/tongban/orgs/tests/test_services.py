from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.orgs import selectors, services
from tongban.orgs.models import LeaderDuty, Office, Post, RoleGrant, Unit

pytestmark = pytest.mark.django_db


def test_one_primary_post_per_user_is_enforced_by_the_database(county, accounts):
    unit = Unit.objects.get(short_name="审计局")
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(county=county, user=accounts["clerk"], unit=unit, is_primary=True)
    Post.objects.create(
        county=county, user=accounts["clerk"], unit=unit, is_primary=False
    )  # concurrent is fine


def test_agency_code_unique_among_active_units(county, accounts):
    admin = accounts["sysadmin"]
    with pytest.raises(TongbanError) as exc:
        services.unit_create(
            actor=admin, county=county, unit_code="N1", name="另一个财政局", kind="gov_dept", code="财"
        )
    assert exc.value.code == "orgs.agency_code_taken"
    old = Unit.objects.get(short_name="财政局")
    services.unit_update(actor=admin, unit=old, is_active=False)
    unit = services.unit_create(
        actor=admin, county=county, unit_code="N1", name="新财政局", kind="gov_dept", code="财"
    )
    assert unit.code == "财"
    rec = AuditRecord.objects.filter(event="orgs.unit_updated").latest("seq")
    assert rec.old["is_active"] is True and rec.new["is_active"] is False


def test_unit_parent_cycle_refused(county, accounts):
    gov = Unit.objects.get(short_name="县政府")
    child = Unit.objects.get(short_name="财政局")
    with pytest.raises(TongbanError) as exc:
        services.unit_update(actor=accounts["sysadmin"], unit=gov, parent=child)
    assert exc.value.code == "orgs.parent_cycle"
    gov.refresh_from_db()
    assert gov.parent_id is None


@pytest.mark.parametrize("who", ["clerk", "auditadmin", "secadmin"])
def test_org_services_refuse_non_system_admins(county, accounts, who):
    before = Unit.objects.count()
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=accounts[who], county=county, unit_code="N2", name="新单位", kind="gov_dept"
        )
    assert Unit.objects.count() == before


@pytest.mark.parametrize("who", ["clerk", "auditadmin", "sysadmin"])
def test_role_services_refuse_non_security_admins(county, accounts, who):
    unit = Unit.objects.get(short_name="审计局")
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=accounts[who], user=accounts["clerk"], unit=unit, role="clerk")
    assert not RoleGrant.objects.filter(user=accounts["clerk"], unit=unit).exists()


def test_role_grant_refuses_admins_and_duplicates(county, accounts):
    unit = Unit.objects.get(short_name="审计局")
    sec = accounts["secadmin"]
    with pytest.raises(TongbanError) as exc:
        services.role_grant(actor=sec, user=accounts["sysadmin"], unit=unit, role="clerk")
    assert exc.value.code == "orgs.admin_no_business_role"
    services.role_grant(actor=sec, user=accounts["clerk"], unit=unit, role="clerk")
    with pytest.raises(TongbanError):
        services.role_grant(actor=sec, user=accounts["clerk"], unit=unit, role="clerk")
    assert selectors.user_has_role(accounts["clerk"], "clerk", unit)


def test_posts_and_duties(county, accounts):
    admin = accounts["sysadmin"]
    clerk = accounts["clerk"]
    audit_unit = Unit.objects.get(short_name="审计局")
    post = services.post_add(actor=admin, user=clerk, unit=audit_unit, title="联络员")
    assert {u.short_name for u in selectors.units_for_user(clerk)} >= {"政府办", "审计局"}
    with pytest.raises(TongbanError):
        services.post_add(actor=admin, user=clerk, unit=audit_unit, title="联络员")
    primary = selectors.user_primary_post(clerk)
    with pytest.raises(TongbanError) as exc:
        services.post_remove(actor=admin, post=primary)
    assert exc.value.code == "orgs.cannot_remove_primary"
    services.post_remove(actor=admin, post=post)
    assert not Post.objects.filter(pk=post.pk).exists()

    leader = accounts["countyleader"]
    units = list(Unit.objects.filter(short_name__in=["审计局", "统计局"]))
    services.leader_duties_set(actor=admin, leader=leader, units=units)
    assert set(LeaderDuty.objects.filter(leader=leader).values_list("unit__short_name", flat=True)) == {
        "审计局",
        "统计局",
    }
    assert leader in selectors.leaders_in_charge_of(units[0])
    rec = AuditRecord.objects.filter(event="orgs.leader_duties_set").latest("seq")
    assert sorted(rec.new["units"]) == sorted(u.pk for u in units) and len(rec.old["units"]) == 4


def test_staff_update_changes_account_and_primary_post(county, accounts):
    admin = accounts["sysadmin"]
    clerk = accounts["clerk"]
    unit = Unit.objects.get(short_name="审计局")
    office = Office.objects.filter(unit=unit).first()
    services.staff_update(
        actor=admin,
        user=clerk,
        full_name="张三丰",
        unit=unit,
        office=office,
        title="科长",
        mobile="13700000000",
        office_phone="0797-8000000",
    )
    clerk.refresh_from_db()
    assert (clerk.full_name, clerk.pinyin_initials, clerk.mobile) == ("张三丰", "zsf", "13700000000")
    post = selectors.user_primary_post(clerk)
    assert (post.unit, post.office, post.title) == (unit, office, "科长")
    rec = AuditRecord.objects.filter(event="orgs.post_updated").latest("seq")
    assert rec.old["unit_id"] != rec.new["unit_id"]
    other_office = Office.objects.exclude(unit=unit).first()
    with pytest.raises(TongbanError) as exc:
        services.staff_update(actor=admin, user=clerk, full_name="张三丰", unit=unit, office=other_office)
    assert exc.value.code == "orgs.office_not_in_unit"


def test_office_delete_refused_while_people_in_it(county, accounts):
    office = Office.objects.filter(posts__isnull=False).first()
    with pytest.raises(TongbanError):
        services.office_delete(actor=accounts["sysadmin"], office=office)
    assert Office.objects.filter(pk=office.pk).exists()


def test_audit_records_without_a_unit_are_filed_under_the_actors_primary_unit(county, accounts):
    from tongban.core import audit
    from tongban.orgs.models import Post

    post = Post.objects.filter(is_primary=True).select_related("user").first()
    assert post is not None
    rec = audit.record("test.unit_of_actor", actor=post.user)
    assert rec.unit_id == post.unit_id
    assert audit.record("test.no_actor", actor_name="cli").unit_id is None
