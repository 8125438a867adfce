from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.core.models import AuditRecord
from tongban.identity import services
from tongban.identity.models import User
from tongban.identity.testing import SoftAuthenticator

PASSWORD = "Passw0rd!2024"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # The security policy is cached; never let one test's policy leak into another (or another app's).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(username: str | None = None, *, role: str = "", password: str = PASSWORD, **kw: Any) -> User:
        counter["n"] += 1
        user = services.user_create(
            actor=None,
            username=username or f"user{counter['n']}",
            full_name=kw.pop("full_name", "张三"),
            password=password,
            **kw,
        )
        if role:
            services.admin_role_grant(actor=None, user=user, role=role)
        return user

    return make


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user("staff", full_name="王小明")


@pytest.fixture
def system_admin(make_user: Callable[..., User]) -> User:
    return make_user("sysadmin", role="system", full_name="系统管理员")


@pytest.fixture
def security_admin(make_user: Callable[..., User]) -> User:
    return make_user("secadmin", role="security", full_name="安全管理员")


@pytest.fixture
def audit_admin(make_user: Callable[..., User]) -> User:
    return make_user("auditadmin", role="audit", full_name="审计管理员")


@pytest.fixture
def lclient() -> Client:
    """A test client on host ``localhost`` (the RP ID), so WebAuthn origins match."""
    return Client(HTTP_HOST="localhost")


def json_post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=body or {}, content_type="application/json", HTTP_ACCEPT="application/json")


def register_key(client: Client, authenticator: SoftAuthenticator, name: str = "办公室钥匙") -> Any:
    """Register ``authenticator`` for the user logged in on ``client`` through the account endpoints."""
    options = json_post(client, "/account/keys/options/").json()["options"]
    return json_post(
        client, "/account/keys/verify/", {"name": name, "credential": authenticator.register(options)}
    )


def events(name: str, **filters: Any) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(event=name, **filters).order_by("seq"))
