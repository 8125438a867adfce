"""Bulk demo documents (``manage.py seed_documents N`` / ``seed_demo --documents N``): numbers in
real series format, gapless and continuing the counters; routes, search entries, archive
records; top-up semantics; the progress bar."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from tongban.archive.models import ArchiveRecord
from tongban.documents.models import Document, NumberRecord, SeriesCounter
from tongban.identity.models import User
from tongban.orgs import demo
from tongban.orgs.models import County
from tongban.orgs.services import seed_apply
from tongban.search import selectors as search_selectors
from tongban.search.models import SearchEntry
from tongban.workflow.models import WorkItem

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"^青\S+(发|函)〔20\d\d〕[1-9]\d*号$")


@pytest.fixture
def demo_county(db: Any) -> County:
    seed_apply(plan=demo.build_plan(staff=150))
    return County.objects.get(code=demo.COUNTY_CODE)


def test_seed_documents_small(demo_county: County) -> None:
    out = io.StringIO()
    call_command("seed_documents", 300, "--batch", "120", stdout=out)
    text = out.getvalue()
    assert "\r" in text and "100.0%" in text and "件/秒" in text  # the progress bar
    docs = Document.objects.filter(county=demo_county)
    assert docs.count() == 300
    assert SearchEntry.objects.filter(kind="documents.document").count() == 300
    assert NumberRecord.objects.count() == 300
    archived = docs.filter(status="archived")
    assert ArchiveRecord.objects.count() == archived.count() > 0
    assert docs.filter(status="issued").exists()
    assert not docs.filter(instance__isnull=True).exists()
    assert WorkItem.objects.filter(status="done").count() >= 900
    assert WorkItem.objects.filter(status="open", kind="read", assignee__username="clerk").exists()
    for doc in docs[:50]:
        assert NUMBER.match(doc.doc_number), doc.doc_number
        assert f"〔{doc.number_year}〕{doc.number_serial}号" in doc.doc_number
        assert len(doc.body_html) >= 100
        assert doc.title.endswith(doc.doc_type) or doc.title.endswith("会议纪要"), doc.title
    # gapless from 1 in each series and year, counters moved on
    for row in docs.values("series_id", "number_year").annotate(
        n=Count("id"), lo=Min("number_serial"), hi=Max("number_serial")
    ):
        assert row["lo"] == 1 and row["hi"] == row["n"]
        counter = SeriesCounter.objects.get(series_id=row["series_id"], year=row["number_year"])
        assert counter.last == row["hi"]


def test_top_up_more_and_search(demo_county: County) -> None:
    call_command("seed_documents", 100, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_documents", 100, stdout=out)
    assert "不再新增" in out.getvalue() and Document.objects.count() == 100
    call_command("seed_documents", 50, "--more", stdout=io.StringIO())
    assert Document.objects.count() == 150
    # numbering continued: still unique and gapless
    for row in Document.objects.values("series_id", "number_year").annotate(
        n=Count("id"), hi=Max("number_serial")
    ):
        assert row["hi"] == row["n"]
    # the 政府办 clerk finds their unit's documents, never another unit's
    clerk = User.objects.get(username="clerk")
    res = search_selectors.search(user=clerk, q="工作")
    gov = Document.objects.filter(unit__short_name="政府办").values_list("pk", flat=True)
    assert res.hits and {h.object_id for h in res.hits} <= set(gov) | set(
        WorkItem.objects.filter(assignee=clerk).values_list("subject_id", flat=True)
    )


def test_seed_demo_option_and_missing_county(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_documents", 10, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--staff", "150", "--documents", "40", stdout=out)
    assert Document.objects.count() >= 40 and "检索条目" in out.getvalue()
