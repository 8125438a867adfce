"""Notify test fixtures: users made through the identity services, a test SMS centre."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tongban.identity import services as identity
from tongban.notify.tests.smsc import TestSmsc


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    def make(username: str, *, role: str = "", **extra: Any) -> Any:
        user = identity.user_create(
            actor=None,
            username=username,
            full_name=extra.pop("full_name", username),
            password="Tb-test-pass-2025",
            **extra,
        )
        if role:
            user = identity.admin_role_grant(actor=None, user=user, role=role)
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., Any]) -> Any:
    return make_user("alice", full_name="李丽", email="alice@example.gov.cn", mobile="13800138001")


@pytest.fixture
def bob(make_user: Callable[..., Any]) -> Any:
    return make_user("bob", full_name="王博", email="bob@example.gov.cn", mobile="13800138002")


@pytest.fixture
def sysadmin(make_user: Callable[..., Any]) -> Any:
    return make_user("sysadmin", role="system", full_name="系统管理员")


@pytest.fixture
def sms_file(settings: Any, tmp_path: Any) -> Any:
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    return settings.TONGBAN_SMS_FILE


@pytest.fixture
def smsc(settings: Any) -> Iterator[TestSmsc]:
    """A running test SMS centre, with the SMPP backend pointed at it."""
    with TestSmsc(system_id="tongban", password="s3cret") as centre:
        settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.SmppSmsBackend"
        settings.TONGBAN_SMPP = centre.settings()
        yield centre
