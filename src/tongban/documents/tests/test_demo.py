from __future__ import annotations

from typing import Any

import pytest

from tongban.core.demo import DemoContext
from tongban.documents import demo, services
from tongban.documents.models import Document, NumberSeries
from tongban.identity.models import User
from tongban.orgs import demo as orgs_demo
from tongban.orgs.services import seed_apply
from tongban.workflow import selectors as wfs


@pytest.fixture
def demo_county(db: Any) -> None:
    seed_apply(plan=orgs_demo.build_plan(staff=150))


def test_demo_documents_fill_the_inboxes_and_are_idempotent(demo_county: None) -> None:
    from tongban.seals import demo as seals_demo

    ctx = DemoContext(usernames=[a[1] for a in orgs_demo.DEMO_ACCOUNTS])
    seals_demo.seed_seals(ctx)
    demo.seed_documents(ctx)
    prefixes = set(NumberSeries.objects.values_list("prefix", flat=True))
    assert {"青政发", "青政办发", "青政办函", "青财发"} <= prefixes
    assert NumberSeries.objects.values("unit").distinct().count() > 100  # a default for every unit
    docs = {d.title: d for d in Document.objects.filter(unit__short_name="政府办")}
    assert len(docs) == len(demo.DOCUMENTS)
    for username in ("clerk", "officehead", "unitleader", "countyleader"):
        user = User.objects.get(username=username)
        open_docs = [
            d
            for d in docs.values()
            if wfs.open_items_for(user=user, subject_type=services.SUBJECT_TYPE, subject_id=d.pk)
        ]
        assert open_docs, username
    issued = docs["关于公布2026年县级行政许可事项清单的通知"]
    assert issued.status == "issued" and issued.doc_number.startswith("青政办发〔")
    count = Document.objects.count()
    demo.seed_documents(ctx)
    assert Document.objects.count() == count
