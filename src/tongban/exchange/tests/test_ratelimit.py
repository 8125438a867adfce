"""The API rate limit: per token, per session user, per anonymous address; 429 with Retry-After
and the Chinese message before the view runs (nothing changes); X-RateLimit headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.approvals.models import CaseStatus
from tongban.approvals.testing import ApprovalWorld, build_world, new_case
from tongban.identity import api_auth
from tongban.identity import services as identity_services

pytestmark = pytest.mark.django_db

MW = "tongban.identity.api_auth.ApiRateLimitMiddleware"


@pytest.fixture(autouse=True)
def _middleware(settings: Any) -> None:
    if MW not in settings.MIDDLEWARE:
        mw = list(settings.MIDDLEWARE)
        mw.insert(mw.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MW)
        settings.MIDDLEWARE = mw
    settings.TONGBAN_API_RATE_PER_MINUTE = 100
    settings.TONGBAN_API_SESSION_RATE_PER_MINUTE = 100
    settings.TONGBAN_API_ANON_RATE_PER_MINUTE = 100


@pytest.fixture
def w() -> ApprovalWorld:
    return build_world()


def test_token_limit_429_retry_after_and_nothing_changed(client: Client, w: ApprovalWorld) -> None:
    case = new_case(w)
    _t, raw = identity_services.api_token_create(actor=None, user=w.users["handler"], name="x")
    token = _t
    token.rate_per_minute = 3
    token.save()
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    seen = []
    for _i in range(3):
        r = client.get(f"/api/v1/cases/{case.pk}", **headers)
        assert r.status_code == 200
        seen.append((r["X-RateLimit-Limit"], r["X-RateLimit-Remaining"]))
    assert seen == [("3", "2"), ("3", "1"), ("3", "0")]
    r = client.post(
        f"/api/v1/cases/{case.pk}/accept", {"note": ""}, content_type="application/json", **headers
    )
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "api.rate_limited"
    retry = int(r["Retry-After"])
    assert 1 <= retry <= 60
    assert body["detail"] == f"请求过于频繁，请 {retry} 秒后再试"
    assert r["X-RateLimit-Remaining"] == "0"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED  # the refused request changed nothing


def test_default_token_rate_from_settings(client: Client, w: ApprovalWorld, settings: Any) -> None:
    settings.TONGBAN_API_RATE_PER_MINUTE = 2
    _t, raw = identity_services.api_token_create(actor=None, user=w.users["handler"], name="x")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    codes = [client.get("/api/v1/me", **headers).status_code for _i in range(3)]
    assert codes == [200, 200, 429]
    # another token has its own budget
    _t2, raw2 = identity_services.api_token_create(actor=None, user=w.users["handler"], name="y")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 200


def test_session_user_limit(client: Client, w: ApprovalWorld, settings: Any) -> None:
    settings.TONGBAN_API_SESSION_RATE_PER_MINUTE = 2
    client.force_login(w.users["handler"])
    codes = [client.get("/api/v1/me").status_code for _i in range(3)]
    assert codes == [200, 200, 429]
    # pages outside /api/v1/ are not counted
    assert client.get("/").status_code != 429


def test_anonymous_limit_per_address(client: Client, settings: Any) -> None:
    settings.TONGBAN_API_ANON_RATE_PER_MINUTE = 1
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/api/v1/me")
    assert r.status_code == 429 and r["Retry-After"]
    assert client.get("/api/v1/me", REMOTE_ADDR="10.0.0.9").status_code == 401


def test_zero_switches_the_limit_off(client: Client, w: ApprovalWorld, settings: Any) -> None:
    settings.TONGBAN_API_SESSION_RATE_PER_MINUTE = 0
    client.force_login(w.users["handler"])
    for _i in range(5):
        r = client.get("/api/v1/me")
        assert r.status_code == 200 and "X-RateLimit-Limit" not in r


def test_fixed_window_resets() -> None:
    key = "unit-test"
    states = [api_auth.hit(key, 2, now=120.5) for _i in range(3)]
    assert [s.count for s in states] == [1, 2, 3] and states[2].exceeded
    assert states[0].reset_in == 60  # ceil(180 - 120.5)
    assert api_auth.hit(key, 2, now=180.0).count == 1  # next minute, new window
