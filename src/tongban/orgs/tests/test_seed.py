from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tongban.core.models import AuditRecord
from tongban.identity.models import User
from tongban.orgs import demo
from tongban.orgs.models import LeaderDuty, Office, Post, RoleGrant, Unit, UnitKind
from tongban.orgs.services import seed_apply

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "bodies": Unit.objects.filter(kind=UnitKind.LEADING_BODY).count(),
        "units": Unit.objects.exclude(kind__in=[UnitKind.LEADING_BODY, UnitKind.TOWNSHIP]).count(),
        "townships": Unit.objects.filter(kind=UnitKind.TOWNSHIP).count(),
        "offices": Office.objects.count(),
        "posts": Post.objects.count(),
        "duties": LeaderDuty.objects.count(),
        "grants": RoleGrant.objects.count(),
    }


def test_seed_twice_scaled_down_creates_nothing_the_second_time():
    out = StringIO()
    call_command("seed_demo", "--staff", "200", stdout=out)
    first = _counts()
    # The meetings demo adds one account per township video room (the room's big screen, not a person).
    demo_logins = [a[1] for a in demo.DEMO_ACCOUNTS]
    rooms = User.objects.filter(terminal_venues__isnull=False).exclude(username__in=demo_logins).distinct()
    # The data-exchange demo adds one integration account (the provincial platform's, not a person).
    systems = (
        User.objects.filter(integration_tokens__isnull=False).exclude(username__in=demo_logins).distinct()
    )
    assert first["users"] - rooms.count() - systems.count() == 200
    assert (first["bodies"], first["units"], first["townships"]) == (4, 120, 10)
    assert "sysadmin" in out.getvalue() and "Tongban@2026" in out.getvalue()
    audits = AuditRecord.objects.filter(event="orgs.seeded").count()
    assert audits == 1

    out = StringIO()
    call_command("seed_demo", "--staff", "200", stdout=out)
    assert _counts() == first
    assert "共新增 0 项" in out.getvalue()
    assert AuditRecord.objects.filter(event="orgs.seeded").count() == audits


def test_demo_accounts_log_in_and_hold_their_roles():
    seed_apply(plan=demo.build_plan(staff=100))
    users = {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}
    assert (
        users["sysadmin"].is_system_admin
        and users["secadmin"].is_security_admin
        and users["auditadmin"].is_audit_admin
    )
    for user in users.values():
        assert user.check_password(demo.DEMO_PASSWORD)
    other = User.objects.exclude(username__in=list(users)).first()
    assert other is not None and not other.has_usable_password()
    from tongban.orgs.selectors import leaders_in_charge_of, user_has_role, user_primary_unit

    assert user_primary_unit(users["unitleader"]).short_name == "财政局"
    assert user_has_role(users["unitleader"], "unit_leader", user_primary_unit(users["unitleader"]))
    assert user_has_role(users["clerk"], "clerk")
    assert user_has_role(users["supervisor"], "supervisor")
    assert user_has_role(users["countyleader"], "county_leader")
    minzheng = Unit.objects.get(short_name="民政局")
    assert users["countyleader"] in leaders_in_charge_of(minzheng)


def test_plan_is_deterministic_with_unique_mobiles_and_some_duplicate_names():
    a, b = demo.build_plan(), demo.build_plan()
    assert [(s.username, s.full_name, s.mobile) for s in a.table.staff] == [
        (s.username, s.full_name, s.mobile) for s in b.table.staff
    ]
    primaries = [s for s in a.table.staff if s.is_primary]
    assert len(primaries) == demo.TOTAL_STAFF
    mobiles = [s.mobile for s in primaries if s.mobile]
    assert len(mobiles) == len(set(mobiles))
    names = [s.full_name for s in primaries]
    assert 0 < len(names) - len(set(names)) < 200  # a few namesakes, like real life
    assert any(not s.is_primary for s in a.table.staff)  # concurrent posts


def test_full_scale_seed_twice():
    seed_apply(plan=demo.build_plan())
    first = _counts()
    assert first["users"] == 2018
    assert (first["bodies"], first["units"], first["townships"]) == (4, 120, 10)
    second = seed_apply(plan=demo.build_plan())
    assert second.created == 0 and second.apply.updated == 0
    assert _counts() == first
