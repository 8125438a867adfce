"""The demo hook: one integration client with its scoped token and roles, one disabled target;
idempotent; nothing is sent."""

from __future__ import annotations

import pytest

from tongban.approvals.testing import build_world
from tongban.core.demo import DemoContext
from tongban.exchange import demo, push
from tongban.exchange.models import ExchangeDelivery, ExchangeTarget
from tongban.identity.models import ApiToken, User
from tongban.orgs.models import RoleGrant

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_sends_nothing() -> None:
    build_world()  # has a 监察员 "supervisor"
    User.objects.create_user(username="secadmin", password="x", full_name="安全管理员", admin_role="security")
    first = demo.seed(DemoContext(usernames=[]))
    assert "令牌 tb_" in first
    second = demo.seed(DemoContext(usernames=[]))
    assert "令牌已存在" in second
    account = User.objects.get(username=demo.ACCOUNT)
    assert not account.has_usable_password()
    token = ApiToken.objects.get(user=account)
    assert token.scopes == ["approvals:read", "interaction:read"] and token.rate_per_minute == 60
    assert list(RoleGrant.objects.filter(user=account).values_list("role", flat=True)) == ["supervisor"]
    target = ExchangeTarget.objects.get()
    assert not target.enabled and target.url == demo.TARGET_URL
    assert push.run_all() == "no targets"
    assert not ExchangeDelivery.objects.exists()
