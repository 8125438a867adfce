from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tongban.identity.models import User
from tongban.orgs import demo
from tongban.orgs.models import County, Unit
from tongban.orgs.services import seed_apply
from tongban.search import registry

KIND = "tests.memo"


@pytest.fixture
def county(db: Any) -> County:
    """A scaled-down demo county: all units, 150 staff, the demo accounts."""
    seed_apply(plan=demo.build_plan(staff=150))
    return County.objects.get(code=demo.COUNTY_CODE)


@pytest.fixture
def accounts(county: County) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}


@pytest.fixture
def units(county: County) -> dict[str, Unit]:
    return {u.short_name: u for u in Unit.objects.filter(county=county)}


# Visibility of the test kind: who may see which object ids (object ids are set by each test).
# A plain set here (object ids need not exist anywhere); domains return a QuerySet of pks —
# that path is tested with ``unit_kind`` and through the documents (test_bulk_seed).
GRANTS: dict[int, set[int]] = {}


def _visible(user: Any) -> Any:
    return {oid for oid, users in GRANTS.items() if user.pk in users}


@pytest.fixture
def memo_kind() -> Iterator[dict[int, set[int]]]:
    GRANTS.clear()
    registry.register_kind(KIND, "测试文件", visible_ids=_visible, url=lambda pk: f"/memo/{pk}/")
    yield GRANTS
    registry.unregister_kind(KIND)
    GRANTS.clear()


UNIT_KIND = "tests.unit"


@pytest.fixture
def unit_kind() -> Iterator[dict[int, set[int]]]:
    """A kind whose objects are units and whose visible_ids is a QuerySet of their pks."""
    grants: dict[int, set[int]] = {}

    def visible(user: Any) -> Any:
        return Unit.objects.filter(pk__in=[o for o, users in grants.items() if user.pk in users]).values("pk")

    registry.register_kind(UNIT_KIND, "单位", visible_ids=visible, url=lambda pk: f"/units/{pk}/")
    yield grants
    registry.unregister_kind(UNIT_KIND)
