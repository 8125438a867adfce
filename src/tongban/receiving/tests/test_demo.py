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


def test_whole_demo_numbers_are_gapless_in_every_series():
    """The demo's issued documents take their numbers from the numbering service like any other:
    in every series and year the serials are 1..n, and no 发文字号 is given twice."""
    from collections import defaultdict

    from django.core.management import call_command

    from tongban.documents.models import Document, NumberRecord

    call_command("seed_demo", "--staff", "300", verbosity=0)
    serials = defaultdict(list)
    for series_id, year, serial in NumberRecord.objects.values_list("series_id", "year", "serial"):
        serials[(series_id, year)].append(serial)
    assert serials, "the demo numbers some documents"
    for key, got in serials.items():
        assert sorted(got) == list(range(1, len(got) + 1)), key
    numbered = dict(Document.objects.exclude(doc_number="").values_list("pk", "doc_number"))
    assert len(numbered) == len(set(numbered.values())) >= 7
    recorded = dict(NumberRecord.objects.filter(state="assigned").values_list("document_id", "text"))
    assert numbered == recorded  # every printed number was given by the numbering service
