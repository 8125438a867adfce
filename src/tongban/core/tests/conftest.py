"""Core test fixtures. Core may not import identity, so users come from get_user_model()."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tongban.core import calendar as workcal


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Each test starts and ends with the in-process calendar rebuilt from the database (a test's
    overrides are rolled back with its transaction)."""
    workcal.invalidate()
    yield
    workcal.invalidate()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    def make(username: str, admin_role: str = "", **extra: Any) -> Any:
        return get_user_model().objects.create_user(
            username=username,
            password="Tb-test-pass-2025",
            full_name=extra.pop("full_name", username),
            admin_role=admin_role,
            **extra,
        )

    return make


@pytest.fixture
def system_admin(make_user: Callable[..., Any]) -> Any:
    return make_user("sysadmin", "system", full_name="系统管理员")


@pytest.fixture
def security_admin(make_user: Callable[..., Any]) -> Any:
    return make_user("secadmin", "security", full_name="安全管理员")


@pytest.fixture
def audit_admin(make_user: Callable[..., Any]) -> Any:
    return make_user("auditadmin", "audit", full_name="审计管理员")


@pytest.fixture
def staff(make_user: Callable[..., Any]) -> Any:
    return make_user("zhangsan", full_name="张三")
