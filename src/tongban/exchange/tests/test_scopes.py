"""Scoped integration tokens: read-only, per module, on top of the account's own access; legacy
full tokens unchanged; every API path belongs to a scope (or is deliberately unscoped)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tongban.approvals.models import Case, CaseStatus
from tongban.approvals.testing import ApprovalWorld, build_world, new_case
from tongban.core.errors import TongbanError
from tongban.core.models import AuditRecord
from tongban.exchange.scopes import API, UNSCOPED, scope_table
from tongban.identity import api_auth
from tongban.identity import services as identity_services
from tongban.identity.models import ApiToken, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> ApprovalWorld:
    return build_world()


def _issue(user: User, *scopes: str, rate: int = 0) -> dict[str, Any]:
    _t, raw = identity_services.api_token_issue(
        actor=None, user=user, name="省平台", scopes=list(scopes), rate_per_minute=rate
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_every_api_path_is_scoped_or_deliberately_unscoped(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    prefixes = [p for ps in scope_table().values() for p in ps] + [API + p for p in UNSCOPED]
    missing = []
    for path in paths:
        if not any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in prefixes):
            missing.append(path)
    assert missing == []
    assert set(api_auth.known_scopes()) >= set(scope_table())


def test_approvals_read_token_reads_cases_but_cannot_write_or_read_letters(
    client: Client, w: ApprovalWorld
) -> None:
    case = new_case(w)
    headers = _issue(w.users["handler"], "approvals:read")
    r = client.get("/api/v1/cases/", {"box": "all"}, **headers)
    assert r.status_code == 200, r.content
    assert [c["tracking_no"] for c in r.json()["items"]] == [case.tracking_no]
    assert client.get(f"/api/v1/cases/{case.pk}", **headers).status_code == 200
    assert client.get("/api/v1/me", **headers).json()["username"] == "handler"

    audit_before = AuditRecord.objects.count()
    r = client.post(
        f"/api/v1/cases/{case.pk}/accept", {"note": ""}, content_type="application/json", **headers
    )
    assert r.status_code == 403
    assert r.json() == {"detail": "该令牌无权访问此接口", "code": "api.scope"}
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.accepted_on is None
    assert AuditRecord.objects.count() == audit_before

    r = client.get("/api/v1/letters/", **headers)
    assert r.status_code == 403 and r.json()["code"] == "api.scope"
    r = client.get("/api/v1/exchange/targets", **headers)
    assert r.status_code == 403 and r.json()["code"] == "api.scope"


def test_scopes_only_narrow_the_accounts_own_access(client: Client, w: ApprovalWorld) -> None:
    new_case(w)
    headers = _issue(w.users["outsider"], "approvals:read")  # no role anywhere: sees no case
    r = client.get("/api/v1/cases/", {"box": "all"}, **headers)
    assert r.status_code == 403 and r.json()["code"] == "approvals.no_cases"


def test_legacy_full_token_is_unchanged(client: Client, w: ApprovalWorld) -> None:
    case = new_case(w)
    _t, raw = identity_services.api_token_create(actor=None, user=w.users["handler"], name="老系统")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.post(
        f"/api/v1/cases/{case.pk}/accept", {"note": ""}, content_type="application/json", **headers
    )
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    r = client.get("/api/v1/letters/", **headers)
    assert r.json().get("code") != "api.scope"


def test_revoked_or_unknown_token_is_401(client: Client, w: ApprovalWorld) -> None:
    headers = _issue(w.users["handler"], "approvals:read")
    token = ApiToken.objects.get()
    identity_services.api_token_withdraw(actor=None, token=token)
    assert client.get("/api/v1/cases/", **headers).status_code == 401
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer tb_nonsense").status_code == 401


def test_issue_refuses_unknown_scope_admins_and_no_scope(w: ApprovalWorld) -> None:
    with pytest.raises(TongbanError) as exc:
        identity_services.api_token_issue(
            actor=None, user=w.users["handler"], name="x", scopes=["approvals:write"]
        )
    assert exc.value.code == "identity.scope_unknown"
    with pytest.raises(TongbanError) as exc:
        identity_services.api_token_issue(actor=None, user=w.users["handler"], name="x", scopes=[])
    assert exc.value.code == "identity.scope_required"
    w.users["outsider"].admin_role = "security"
    w.users["outsider"].save()
    with pytest.raises(TongbanError):
        identity_services.api_token_issue(
            actor=None, user=w.users["outsider"], name="x", scopes=["orgs:read"]
        )
    with pytest.raises(TongbanError):  # only the system administrator (or the installer) issues
        identity_services.api_token_issue(
            actor=w.users["handler"], user=w.users["handler"], name="x", scopes=["orgs:read"]
        )
    assert not ApiToken.objects.exists()


def test_create_api_token_command_with_scopes(client: Client, w: ApprovalWorld) -> None:
    out = io.StringIO()
    call_command(
        "create_api_token",
        "--user",
        "handler",
        "--name",
        "省平台",
        "--scope",
        "approvals:read",
        "--rate",
        "30",
        stdout=out,
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.scopes == ["approvals:read"] and token.rate_per_minute == 30
    assert client.get("/api/v1/letters/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    assert Case.objects.count() == 0


def test_scope_allows_is_read_only_and_prefix_exact() -> None:
    assert api_auth.scope_allows(["approvals:read"], "GET", "/api/v1/cases/12")
    assert api_auth.scope_allows(["approvals:read"], "HEAD", "/api/v1/cases/")
    assert not api_auth.scope_allows(["approvals:read"], "DELETE", "/api/v1/cases/12")
    assert not api_auth.scope_allows(["approvals:read"], "GET", "/api/v1/casesx")
    assert api_auth.scope_allows(["approvals:read"], "GET", "/api/v1/public/lookup")
    assert not api_auth.scope_allows(["approvals:read"], "GET", "/api/v1/public/lookupx")
    assert not api_auth.scope_allows(["nothing:read"], "GET", "/api/v1/cases/")
