"""Authorization matrix for every restricted identity page (三员分立): anonymous, ordinary staff and
each wrong administrator role are refused and nothing changes; the right role is allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.core.errors import PermissionDenied
from tongban.core.models import AuditRecord
from tongban.identity import services
from tongban.identity.models import ApiToken, EnrolmentCode, SecurityPolicy, User, WebAuthnCredential

from .conftest import events

pytestmark = pytest.mark.django_db


@dataclass
class World:
    victim: User
    token: ApiToken


@pytest.fixture
def world(make_user, staff) -> World:
    victim = make_user("victim", full_name="李四")
    WebAuthnCredential.objects.create(user=victim, name="k", credential_id="abc", public_key=b"x")
    AccessAttempt.objects.create(
        username="victim",
        ip_address="10.0.0.1",
        user_agent="ua",
        failures_since_start=5,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/account/login/",
    )
    token, _ = services.api_token_create(actor=None, user=victim, name="集成")
    return World(victim=victim, token=token)


def _state(w: World) -> dict[str, Any]:
    w.victim.refresh_from_db()
    w.token.refresh_from_db()
    policy = SecurityPolicy.objects.filter(id=1).first()
    return {
        "policy": (policy.require_key, policy.version) if policy else None,
        "keys": WebAuthnCredential.objects.filter(user=w.victim).count(),
        "codes": EnrolmentCode.objects.count(),
        "attempts": AccessAttempt.objects.filter(username="victim").count(),
        "revoked": w.token.revoked_at,
        "active": w.victim.is_active,
        "password": w.victim.password,
        "audit_success": AuditRecord.objects.filter(
            event__in=[
                "identity.policy_changed",
                "identity.key_reset",
                "identity.unlocked",
                "identity.token_revoked",
                "identity.user_disabled",
                "identity.password_reset",
            ]
        ).count(),
    }


# (role allowed, method, url name, POST data builder, check on success)
Case = tuple[str, str, str, Callable[[World], dict[str, Any]] | None, Callable[[World], bool] | None]
POLICY_POST: Callable[[World], dict[str, Any]] = lambda w: {  # noqa: E731
    "require_key": "on",
    "idle_minutes": 30,
    "lockout_minutes": 30,
    "password_min_length": 10,
    "password_min_classes": 3,
    "enrolment_code_hours": 24,
    "version": SecurityPolicy.objects.get_or_create(id=1)[0].version,
}
CASES: list[Case] = [
    ("security", "get", "identity:security_policy", None, None),
    (
        "security",
        "post",
        "identity:security_policy",
        POLICY_POST,
        lambda w: SecurityPolicy.objects.get().require_key,
    ),
    ("security", "get", "identity:security_locked", None, None),
    (
        "security",
        "post",
        "identity:security_locked",
        lambda w: {"username": "victim"},
        lambda w: (
            not AccessAttempt.objects.filter(username="victim").exists() and bool(events("identity.unlocked"))
        ),
    ),
    ("security", "get", "identity:security_keys", None, None),
    (
        "security",
        "post",
        "identity:security_keys",
        lambda w: {"user_id": w.victim.pk},
        lambda w: (
            not WebAuthnCredential.objects.filter(user=w.victim).exists()
            and bool(events("identity.key_reset"))
        ),
    ),
    ("security", "get", "identity:security_admins", None, None),
    ("security", "get", "identity:security_tokens", None, None),
    (
        "security",
        "post",
        "identity:security_tokens",
        lambda w: {"token_id": w.token.pk},
        lambda w: ApiToken.objects.get(pk=w.token.pk).revoked_at is not None,
    ),
    ("system", "get", "identity:users", None, None),
    (
        "system",
        "post",
        "identity:users",
        lambda w: {"user_id": w.victim.pk, "action": "disable"},
        lambda w: not User.objects.get(pk=w.victim.pk).is_active and bool(events("identity.user_disabled")),
    ),
    (
        "system",
        "post",
        "identity:users",
        lambda w: {"user_id": w.victim.pk, "action": "reset_password"},
        lambda w: User.objects.get(pk=w.victim.pk).must_change_password,
    ),
]
ROLES = ["anonymous", "staff", "system", "security", "audit"]


def _client_for(role: str, request: Any) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    user = request.getfixturevalue(
        {"staff": "staff", "system": "system_admin", "security": "security_admin", "audit": "audit_admin"}[
            role
        ]
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize("case", CASES, ids=[f"{c[1]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(case: Case, role: str, world: World, request: Any) -> None:
    allowed_role, method, url_name, data, check = case
    client = _client_for(role, request)
    url = reverse(url_name)
    before = _state(world)
    payload = data(world) if data else None
    response = client.post(url, payload) if method == "post" else client.get(url)
    if role == allowed_role:
        assert response.status_code in (200, 302), response.status_code
        if check is not None:
            assert check(world)
        else:
            assert response.status_code == 200
    else:
        if role == "anonymous":
            assert response.status_code == 302 and reverse("identity:login") in response["Location"]
        else:
            assert response.status_code == 403
        assert _state(world) == before


def test_key_reset_shows_code_once(world, security_admin):
    client = Client()
    client.force_login(security_admin)
    response = client.post(reverse("identity:security_keys"), {"user_id": world.victim.pk})
    code = response.context["issued"]["code"]
    assert code in response.content.decode()
    assert EnrolmentCode.objects.get(user=world.victim).code_hash != code
    assert code not in client.get(reverse("identity:security_keys")).content.decode()
    rec = events("identity.key_reset")[-1]
    assert rec.old["keys"][0]["name"] == "k" and rec.actor_id == security_admin.pk


def test_temporary_password_shown_once_and_audited(world, system_admin):
    client = Client()
    client.force_login(system_admin)
    response = client.post(
        reverse("identity:users"), {"user_id": world.victim.pk, "action": "reset_password"}
    )
    password = response.context["temporary"]["password"]
    world.victim.refresh_from_db()
    assert world.victim.check_password(password) and world.victim.must_change_password
    assert events("identity.password_reset")[-1].object_id == str(world.victim.pk)


def test_system_admin_cannot_disable_self(system_admin):
    client = Client()
    client.force_login(system_admin)
    client.post(reverse("identity:users"), {"user_id": system_admin.pk, "action": "disable"})
    system_admin.refresh_from_db()
    assert system_admin.is_active


def test_user_search(system_admin, make_user):
    make_user("zhangsan", full_name="张三")
    make_user("lisi", full_name="李四")
    client = Client()
    client.force_login(system_admin)
    page = client.get(reverse("identity:users"), {"q": "zs"}).content.decode()
    assert "zhangsan" in page and "lisi" not in page


def test_locked_accounts_listed(world, security_admin):
    client = Client()
    client.force_login(security_admin)
    assert "victim" in client.get(reverse("identity:security_locked")).content.decode()


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("staff", set()),
        ("system", {"identity.users"}),
        (
            "security",
            {"identity.policy", "identity.locked", "identity.keys", "identity.tokens", "identity.admins"},
        ),
        ("audit", set()),
    ],
)
def test_nav_entries_by_role(role, visible, request):
    from tongban.core import nav

    user = request.getfixturevalue(
        {"staff": "staff", "system": "system_admin", "security": "security_admin", "audit": "audit_admin"}[
            role
        ]
    )
    keys = {item["key"] for item in nav.items_for(user) if item["key"].startswith("identity.")}
    assert keys == visible
    assert all(
        str(i["section"]) == "系统管理" for i in nav.items_for(user) if i["key"].startswith("identity.")
    )


@pytest.mark.parametrize("action", ["reset_password", "disable"])
def test_system_admin_cannot_take_over_or_switch_off_another_administrator(
    client, system_admin, audit_admin, security_admin, action
):
    """三员分立: resetting the audit administrator's password would let the system administrator
    read the audit log; switching the security administrator off would remove the other check."""
    client.force_login(system_admin)
    for target in (audit_admin, security_admin):
        before = (target.password, target.is_active, target.must_change_password)
        client.post(reverse("identity:users"), {"user_id": target.pk, "action": action})
        target.refresh_from_db()
        assert (target.password, target.is_active, target.must_change_password) == before
    assert not events("identity.password_reset") and not events("identity.user_disabled")
    with pytest.raises(PermissionDenied):
        services.password_reset_temporary(actor=system_admin, user=audit_admin)
    # the installer on the server still can (actor=None is the command line)
    assert services.password_reset_temporary(actor=None, user=audit_admin)
