from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tongban.archive import registry
from tongban.identity.models import User
from tongban.orgs import demo
from tongban.orgs.models import County, Unit
from tongban.orgs.services import seed_apply

KIND = "tests.file"
GRANTS: dict[int, set[int]] = {}


@pytest.fixture
def county(db: Any) -> County:
    seed_apply(plan=demo.build_plan(staff=150))
    return County.objects.get(code=demo.COUNTY_CODE)


@pytest.fixture
def accounts(county: County) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}


@pytest.fixture
def units(county: County) -> dict[str, Unit]:
    return {u.short_name: u for u in Unit.objects.filter(county=county)}


def _visible(user: Any) -> Any:
    # a plain list of subject ids (domains return a QuerySet of pks; both work in ``__in``)
    return [o for o, users in GRANTS.items() if user.pk in users]


@pytest.fixture
def file_kind() -> Iterator[dict[int, set[int]]]:
    GRANTS.clear()
    registry.register_kind(KIND, "测试文件", visible_ids=_visible, url=lambda pk: f"/files/{pk}/")
    yield GRANTS
    registry.unregister_kind(KIND)
    GRANTS.clear()
