from __future__ import annotations

import pytest

from tongban.core.demo import DemoContext
from tongban.receiving import demo
from tongban.receiving.models import IncomingDocument

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_covers_the_states(accounts):
    summary = demo.seed(DemoContext(usernames=[]))
    assert "新增 8 件" in summary
    statuses = set(IncomingDocument.objects.values_list("status", flat=True))
    assert {"pending", "processing", "finished", "archived"} <= statuses
    steps = set(IncomingDocument.objects.filter(status="processing").values_list("step", flat=True))
    assert {"review", "handle", "circulate", "register"} <= steps
    zf = IncomingDocument.objects.filter(unit__short_name="政府办").values_list("step", flat=True)
    assert sorted(zf) == ["propose", "register"]
    n = IncomingDocument.objects.count()
    assert "新增 0 件" in demo.seed(DemoContext(usernames=[]))
    assert IncomingDocument.objects.count() == n
