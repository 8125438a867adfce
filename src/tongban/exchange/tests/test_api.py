"""/api/v1/exchange/: system administrator only; targets, push now, deliveries with attempts,
requeue, clients, scopes; the answers match the declared schemas (OpenAPI)."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.approvals.testing import ApprovalWorld, build_world, new_case
from tongban.exchange.models import DeliveryStatus, ExchangeDelivery, ExchangeTarget
from tongban.exchange.receiver import Receiver
from tongban.identity import services as identity_services
from tongban.identity.models import User

pytestmark = pytest.mark.django_db

SECRET = "api-secret-0123456789abcdef"


@pytest.fixture
def w() -> ApprovalWorld:
    return build_world()


@pytest.fixture
def admin() -> User:
    return User.objects.create_user(
        username="sysadm", password="x", full_name="系统管理员", admin_role="system"
    )


def test_admin_reads_pushes_and_requeues(client: Client, w: ApprovalWorld, admin: User) -> None:
    client.force_login(admin)
    new_case(w)
    with Receiver(SECRET, fail_first=1) as r:
        t = ExchangeTarget.objects.create(
            name="省平台", url=r.url, secret=SECRET, enabled=True, push_disclosure=False, max_attempts=1
        )
        body = client.get("/api/v1/exchange/targets").json()
        assert [x["name"] for x in body] == ["省平台"] and "secret" not in body[0]
        assert client.get(f"/api/v1/exchange/targets/{t.pk}").json()["watermarks"] == []
        assert client.post(f"/api/v1/exchange/targets/{t.pk}/test").json()["http_status"] == 503
        res = client.post(f"/api/v1/exchange/targets/{t.pk}/push").json()
        assert res == {"sent": 1, "failed": 0, "waiting": 0, "skipped": False}
    page = client.get("/api/v1/exchange/deliveries", {"status": "sent"}).json()
    assert page["count"] == 1
    d = page["items"][0]
    detail = client.get(f"/api/v1/exchange/deliveries/{d['id']}").json()
    assert detail["body"]["batch_id"] == d["batch_id"] and detail["attempts_log"][0]["http_status"] == 200
    resp = client.post(f"/api/v1/exchange/deliveries/{d['id']}/requeue")
    assert resp.status_code == 400 and resp.json()["code"] == "exchange.not_failed"
    ExchangeDelivery.objects.filter(pk=d["id"]).update(status=DeliveryStatus.FAILED)
    assert client.post(f"/api/v1/exchange/deliveries/{d['id']}/requeue").json()["status"] == "pending"
    assert client.get("/api/v1/exchange/deliveries/999999").status_code == 404
    assert client.get("/api/v1/exchange/deliveries", {"kind": "nope"}).status_code == 422
    scopes = {s["scope"]: s["prefixes"] for s in client.get("/api/v1/exchange/scopes").json()}
    assert "/api/v1/cases/" in scopes["approvals:read"]


def test_push_disabled_target_is_400(client: Client, admin: User) -> None:
    client.force_login(admin)
    t = ExchangeTarget.objects.create(name="省平台", url="http://127.0.0.1:9/", secret=SECRET, enabled=False)
    r = client.post(f"/api/v1/exchange/targets/{t.pk}/push")
    assert r.status_code == 400 and r.json()["code"] == "exchange.target_disabled"


def test_clients_listed_for_admin_refused_for_others(client: Client, w: ApprovalWorld, admin: User) -> None:
    identity_services.api_token_issue(
        actor=None, user=w.users["handler"], name="省平台", scopes=["approvals:read"]
    )
    client.force_login(admin)
    rows = client.get("/api/v1/exchange/clients").json()
    assert rows[0]["scopes"] == ["approvals:read"] and rows[0]["username"] == "handler"
    client.force_login(w.users["supervisor"])
    for url in (
        "/api/v1/exchange/clients",
        "/api/v1/exchange/targets",
        "/api/v1/exchange/deliveries",
        "/api/v1/exchange/scopes",
    ):
        r = client.get(url)
        assert r.status_code == 403 and r.json()["code"] == "exchange.forbidden"
    t = ExchangeTarget.objects.create(name="x", url="http://127.0.0.1:9/", secret=SECRET, enabled=True)
    assert client.post(f"/api/v1/exchange/targets/{t.pk}/push").status_code == 403
    assert not ExchangeDelivery.objects.exists()


def test_openapi_declares_the_exchange_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/exchange/targets",
        "/api/v1/exchange/targets/{target_id}/push",
        "/api/v1/exchange/deliveries",
        "/api/v1/exchange/deliveries/{delivery_id}",
        "/api/v1/exchange/deliveries/{delivery_id}/requeue",
        "/api/v1/exchange/clients",
        "/api/v1/exchange/scopes",
    ):
        assert path in paths
    assert {"200", "401", "403"} <= set(paths["/api/v1/exchange/targets"]["get"]["responses"])
