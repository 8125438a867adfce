from __future__ import annotations

from typing import Any

import pytest

from tongban.core.demo import DemoContext
from tongban.library import demo
from tongban.library.models import AccessRequest, RequestStatus, Resource, SharingLevel

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(accounts: dict[str, Any]) -> None:
    ctx = DemoContext(usernames=[])
    first = demo.seed(ctx)
    assert "4" in first
    demo.seed(ctx)
    assert Resource.objects.count() == 4
    people = Resource.objects.get(title="全县人口统计（分乡镇）")
    assert people.current_version is not None and people.current_version.ext == "xlsx"
    assert [c["type"] for c in people.current_version.schema] == [
        "text",
        "integer",
        "integer",
        "integer",
        "decimal",
    ]
    assert people.current_version.row_count == 10
    restricted = Resource.objects.get(sharing=SharingLevel.RESTRICTED)
    assert restricted.current_version is not None and restricted.current_version.encoding == "gb18030"
    req = AccessRequest.objects.get()
    assert req.resource == restricted and req.status == RequestStatus.PENDING
    assert req.requester.username == "czclerk"
