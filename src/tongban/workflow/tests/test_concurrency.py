"""Two countersigners submit at the same moment (PostgreSQL): the instance row lock serialises the
engine steps, so both opinions are kept and the next step opens exactly once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from tongban.workflow import services as wf
from tongban.workflow.models import WorkItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_countersign_submissions(org: Any, start: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    inst = start(amount=1, countersign_units=[])
    wf.item_complete(item=WorkItem.objects.get(instance=inst, step="draft"), actor=org.clerk)
    wf.item_complete(
        item=WorkItem.objects.get(instance=inst, step="review"),
        actor=org.head,
        data={"countersign_units": [org.fin.pk, org.edu.pk], "next_assignees": [org.clerk.pk]},
    )
    items = list(WorkItem.objects.filter(instance=inst, step="countersign", status="open"))
    barrier = threading.Barrier(len(items))
    errors: list[BaseException] = []

    def submit(item: WorkItem) -> None:
        try:
            barrier.wait(timeout=10)
            actor = org.leader if item.unit_id == org.fin.pk else org.edu_leader
            wf.item_complete(item=item, actor=actor, opinion="会签同意")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert WorkItem.objects.filter(instance=inst, step="countersign", status="done").count() == 2
    assert list(WorkItem.objects.filter(instance=inst, status="open").values_list("step", flat=True)) == [
        "sign"
    ]
