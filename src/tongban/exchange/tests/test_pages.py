"""The data exchange pages: system administrator only (others 403, nothing changed); issuing a
scoped token shows it once and is audited; revoking; targets CRUD, test connection, push now;
the delivery log with filters and the detail; requeueing a failed batch; a fixed query count."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.approvals.testing import ApprovalWorld, build_world, new_case
from tongban.core.models import AuditRecord
from tongban.exchange.models import DeliveryStatus, ExchangeDelivery, ExchangeTarget
from tongban.exchange.receiver import Receiver
from tongban.identity.models import ApiToken, User

pytestmark = pytest.mark.django_db

SECRET = "page-secret-0123456789abcdef"


@pytest.fixture
def w() -> ApprovalWorld:
    return build_world()


@pytest.fixture
def admin(w: ApprovalWorld) -> User:
    return User.objects.create_user(
        username="sysadm", password="x", full_name="系统管理员", admin_role="system"
    )


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def _target(**kw: Any) -> ExchangeTarget:
    data = {"name": "省平台", "url": "http://127.0.0.1:9/push", "secret": SECRET, "enabled": True}
    data.update(kw)
    return ExchangeTarget.objects.create(**data)


@pytest.mark.parametrize("who", ["handler", "supervisor", "security", "audit"])
def test_others_are_refused_and_nothing_changes(client: Client, w: ApprovalWorld, who: str) -> None:
    if who in ("security", "audit"):
        user = User.objects.create_user(username=who, password="x", full_name=who, admin_role=who)
    else:
        user = w.users[who]
    client.force_login(user)
    target = _target()
    d = ExchangeDelivery.objects.create(
        target=target, kind="approval_cases", batch_id="tb-x-1-1-000000000000", sequence=1, body="{}",
        status=DeliveryStatus.FAILED,
    )  # fmt: skip
    before = AuditRecord.objects.count()
    for url in (
        "/exchange/",
        "/exchange/clients/",
        "/exchange/targets/new/",
        "/exchange/deliveries/",
        f"/exchange/deliveries/{d.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    posts = [
        (
            "/exchange/clients/",
            {"username": "handler", "name": "x", "scopes": ["orgs:read"], "rate_per_minute": 0},
        ),
        (f"/exchange/targets/{target.pk}/", {"name": "改", "url": "http://x.example/", "batch_size": 1}),
        (f"/exchange/targets/{target.pk}/delete/", {}),
        (f"/exchange/targets/{target.pk}/push/", {}),
        (f"/exchange/targets/{target.pk}/test/", {}),
        (f"/exchange/deliveries/{d.pk}/requeue/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    target.refresh_from_db()
    d.refresh_from_db()
    assert target.name == "省平台" and d.status == DeliveryStatus.FAILED
    assert not ApiToken.objects.exists()
    assert AuditRecord.objects.count() == before
    assert client.get("/api/v1/exchange/targets").status_code == 403


def test_anonymous_is_sent_to_login(client: Client) -> None:
    r = client.get("/exchange/clients/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_issue_token_shown_once_audited_and_revoke(admin_client: Client, w: ApprovalWorld) -> None:
    r = admin_client.post(
        "/exchange/clients/",
        {
            "username": "supervisor",
            "name": "省一体化平台",
            "scopes": ["approvals:read", "interaction:read"],
            "rate_per_minute": 60,
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    found = re.search(r'id="issued-token-text">(tb_[^<]+)<', html)
    assert found is not None
    raw = found.group(1)
    assert r["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.scopes == ["approvals:read", "interaction:read"] and token.rate_per_minute == 60
    assert token.user.username == "supervisor" and token.token_hash != raw
    rec = AuditRecord.objects.filter(event="identity.token_created").latest("seq")
    assert (
        rec.actor_name == "sysadm"
        and rec.new is not None
        and rec.new["scopes"] == ["approvals:read", "interaction:read"]
    )
    # the list shows the prefix, never the token again
    html = admin_client.get("/exchange/clients/").content.decode()
    assert token.prefix in html and raw not in html
    # the token works, read-only
    new_case(w)
    cache.clear()
    assert (
        admin_client.get("/api/v1/cases/", {"box": "all"}, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )
    r = admin_client.post(f"/exchange/clients/{token.pk}/revoke/")
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditRecord.objects.filter(event="identity.token_revoked").count() == 1


def test_issue_bad_input_changes_nothing(admin_client: Client, w: ApprovalWorld) -> None:
    for data in (
        {"username": "nobody", "name": "x", "scopes": ["orgs:read"], "rate_per_minute": 0},
        {"username": "handler", "name": "x", "scopes": [], "rate_per_minute": 0},
        {"username": "handler", "name": "x", "scopes": ["orgs:write"], "rate_per_minute": 0},
        {"username": "handler", "name": "x", "scopes": ["orgs:read"], "rate_per_minute": -1},
        {"username": "sysadm", "name": "x", "scopes": ["orgs:read"], "rate_per_minute": 0},
    ):
        r = admin_client.post("/exchange/clients/", data)
        assert r.status_code == 400, data
        assert "issued-token" not in r.content.decode()
    assert not ApiToken.objects.exists()


def test_full_tokens_listed_but_not_revocable_here(admin_client: Client, w: ApprovalWorld) -> None:
    from tongban.identity import services

    token, _raw = services.api_token_create(actor=None, user=w.users["handler"], name="老系统")
    assert "完整令牌" in admin_client.get("/exchange/clients/").content.decode()
    assert admin_client.post(f"/exchange/clients/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_target_crud_test_and_push_now(admin_client: Client, w: ApprovalWorld) -> None:
    new_case(w)
    with Receiver(SECRET) as r:
        data = {
            "name": "省一体化平台", "url": r.url, "secret": SECRET, "enabled": "on", "push_cases": "on",
            "batch_size": 100, "max_attempts": 3, "timeout_seconds": 5,
        }  # fmt: skip
        bad = admin_client.post("/exchange/targets/new/", {**data, "secret": "short"})
        assert bad.status_code == 400 and not ExchangeTarget.objects.exists()
        assert admin_client.post("/exchange/targets/new/", data).status_code == 302
        target = ExchangeTarget.objects.get()
        assert target.secret == SECRET and target.push_cases and not target.push_disclosure
        # editing with an empty secret keeps it
        assert (
            admin_client.post(
                f"/exchange/targets/{target.pk}/", {**data, "secret": "", "name": "省平台"}
            ).status_code
            == 302
        )
        target.refresh_from_db()
        assert target.name == "省平台" and target.secret == SECRET
        assert admin_client.post(f"/exchange/targets/{target.pk}/test/").status_code == 302
        target.refresh_from_db()
        assert target.last_test_ok is True
        r2 = admin_client.post(f"/exchange/targets/{target.pk}/push/")
        assert r2.status_code == 302 and f"target={target.pk}" in r2["Location"]
    assert [req.json()["kind"] for req in r.state.requests] == ["ping", "approval_cases"]
    d = ExchangeDelivery.objects.get()
    assert d.status == DeliveryStatus.SENT and d.manual
    events = set(AuditRecord.objects.values_list("event", flat=True))
    assert {"exchange.target_saved", "exchange.target_tested", "exchange.push_now"} <= events
    page = admin_client.get("/exchange/targets/").content.decode()
    assert "省平台" in page and SECRET not in page
    assert admin_client.post(f"/exchange/targets/{target.pk}/delete/").status_code == 302
    assert not ExchangeTarget.objects.exists()


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_delivery_log_filters_detail_and_requeue(admin_client: Client, w: ApprovalWorld) -> None:
    t1, t2 = _target(name="甲"), _target(name="乙")
    admin_client.get("/exchange/deliveries/")  # warm the per-process caches
    empty = _queries(admin_client, "/exchange/deliveries/")
    for i in range(30):
        ExchangeDelivery.objects.create(
            target=t1 if i % 2 else t2, kind="approval_cases" if i % 3 else "disclosure_stats",
            batch_id=f"tb-approval_cases-1-{i}-0000000000{i:02d}", sequence=i + 1, body='{"records": []}',
            status=DeliveryStatus.FAILED if i == 7 else DeliveryStatus.SENT,
        )  # fmt: skip
    assert _queries(admin_client, "/exchange/deliveries/") == empty + 1  # + the rows, whatever their number
    r = admin_client.get("/exchange/deliveries/")
    assert r.content.decode().count("data-delivery=") == 30
    html = admin_client.get(
        "/exchange/deliveries/", {"target": str(t1.pk), "status": "failed"}
    ).content.decode()
    assert html.count("data-delivery=") == 1
    html = admin_client.get("/exchange/deliveries/", {"kind": "disclosure_stats"}).content.decode()
    assert html.count("data-delivery=") == 10
    failed = ExchangeDelivery.objects.get(status="failed")
    detail = admin_client.get(f"/exchange/deliveries/{failed.pk}/").content.decode()
    assert failed.batch_id in detail and "重新投递" in detail
    assert admin_client.post(f"/exchange/deliveries/{failed.pk}/requeue/").status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING
    assert admin_client.get("/exchange/deliveries/999999/").status_code == 404


def test_nav_entry_only_for_the_system_admin(client: Client, w: ApprovalWorld, admin: User) -> None:
    from tongban.core import nav

    keys = [i["key"] for i in nav.items_for(admin)]
    assert "exchange" in keys
    assert "exchange" not in [i["key"] for i in nav.items_for(w.users["supervisor"])]
