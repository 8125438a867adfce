from __future__ import annotations

from typing import Any

import pytest

from tongban.identity.models import User
from tongban.orgs import demo
from tongban.orgs.models import County
from tongban.orgs.services import seed_apply


@pytest.fixture
def county(db: Any) -> County:
    """A scaled-down demo county: all 134 units and their offices, 171 staff (enough that the units
    the tests use — 财政局, 人社局 … — have their head, office head and clerk), the demo accounts."""
    seed_apply(plan=demo.build_plan(staff=171))
    return County.objects.get(code=demo.COUNTY_CODE)


@pytest.fixture
def accounts(county: County) -> dict[str, User]:
    users = {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}
    users["staff"] = users["clerk"]
    users["anonymous"] = None  # type: ignore[assignment]
    return users
