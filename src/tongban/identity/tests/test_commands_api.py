from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tongban.identity import services
from tongban.identity.checks import superuser_not_in_use
from tongban.identity.models import ApiToken, User

from .conftest import events

pytestmark = pytest.mark.django_db


def test_grant_admin_role(staff):
    out = StringIO()
    call_command("grant_admin_role", "staff", "security", stdout=out)
    staff.refresh_from_db()
    assert staff.admin_role == "security" and "安全管理员" in out.getvalue()
    call_command("grant_admin_role", "staff", "audit", stdout=out)
    staff.refresh_from_db()
    assert staff.admin_role == "audit"  # one field: the security role is gone
    call_command("grant_admin_role", "staff", "none", stdout=out)
    staff.refresh_from_db()
    assert staff.admin_role == ""
    recs = events("identity.admin_role_changed")
    assert [(r.old["admin_role"], r.new["admin_role"]) for r in recs] == [
        ("", "security"),
        ("security", "audit"),
        ("audit", ""),
    ]


def test_grant_admin_role_refuses_superuser_and_unknown_user(django_user_model):
    django_user_model.objects.create_superuser(username="root", password="x", full_name="安装")
    with pytest.raises(CommandError, match="超级用户"):
        call_command("grant_admin_role", "root", "system")
    with pytest.raises(CommandError):
        call_command("grant_admin_role", "nobody", "system")
    assert User.objects.get(username="root").admin_role == ""


def test_web_actor_cannot_grant_roles(security_admin, staff):
    from tongban.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.admin_role_grant(actor=security_admin, user=staff, role="system")


def test_superuser_check_warns(django_user_model):
    assert superuser_not_in_use() == []
    root = django_user_model.objects.create_superuser(username="root", password="x", full_name="安装")
    warnings = superuser_not_in_use()
    assert [w.id for w in warnings] == ["tongban.W002"] and "超级用户仅用于安装" in warnings[0].msg
    root.is_active = False
    root.save()
    assert superuser_not_in_use() == []
    root.last_login = timezone.now()
    root.save()
    assert [w.id for w in superuser_not_in_use()] == ["tongban.W002"]


def test_create_api_token_prints_once_and_stores_hash(staff):
    out = StringIO()
    call_command("create_api_token", "--user", "staff", "--name", "省平台", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=staff)
    assert raw.startswith("tb_") and token.prefix == raw[:8] and token.name == "省平台"
    assert raw not in token.token_hash and token.token_hash == services.token_hash(raw)
    assert events("identity.token_created")[-1].new["prefix"] == raw[:8]
    with pytest.raises(CommandError):
        call_command("create_api_token", "--user", "nobody")


def test_api_me_needs_token_or_session(client, staff, security_admin):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer tb_not-a-token").status_code == 401
    token, raw = services.api_token_create(actor=None, user=staff, name="x")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["username"] == "staff"
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at == first_use  # at most once a minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at > first_use

    services.api_token_revoke(actor=security_admin, token=token)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert events("identity.token_revoked")[-1].actor_id == security_admin.pk

    client.force_login(staff)
    assert client.get("/api/v1/me").json()["username"] == "staff"


def test_token_of_disabled_user_refused(client, staff, system_admin):
    _, raw = services.api_token_create(actor=None, user=staff)
    services.user_set_active(actor=system_admin, user=staff, active=False)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_grant_admin_role_can_create_the_account_at_installation(monkeypatch):
    import io

    from tongban.core.models import AuditRecord
    from tongban.identity.models import User

    monkeypatch.setattr("sys.stdin", io.StringIO("Install-Pass-2026\n"))
    call_command("grant_admin_role", "sec1", "security", "--create", "李安全", stdout=StringIO())
    user = User.objects.get(username="sec1")
    assert user.full_name == "李安全" and user.admin_role == "security"
    assert user.check_password("Install-Pass-2026") and not user.is_superuser
    assert AuditRecord.objects.filter(event="identity.user_created", object_id=str(user.pk)).exists()


def test_grant_admin_role_create_refuses_a_weak_password_and_creates_nothing(monkeypatch):
    import io

    from tongban.identity.models import User

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError):
        call_command("grant_admin_role", "sec2", "security", "--create", "李安全", stdout=StringIO())
    assert not User.objects.filter(username="sec2").exists()


def test_deploy_check_warns_while_keys_are_optional(security_admin):
    from tongban.identity.checks import key_required_in_production

    assert [w.id for w in key_required_in_production()] == ["tongban.W003"]
    services.policy_update(actor=security_admin, require_key=True)
    assert key_required_in_production() == []
