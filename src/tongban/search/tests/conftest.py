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
# The kind's objects are units (any model would do): ``visible_ids`` returns a QuerySet of the
# model's pks, as domains do.
GRANTS: dict[int, set[int]] = {}


def _visible(user: Any) -> Any:
    ids = [oid for oid, users in GRANTS.items() if user.pk in users]
    return Unit.objects.filter(pk__in=ids).values_list("pk", flat=True)


@pytest.fixture
def memo_kind() -> Iterator[dict[int, set[int]]]:
    GRANTS.clear()
    registry.register_kind(KIND, "测试文件", visible_ids=_visible, url=lambda pk: f"/memo/{pk}/")
    yield GRANTS
    registry.unregister_kind(KIND)
    GRANTS.clear()
