from __future__ import annotations

from typing import Any

from tongban.workflow import selectors as wfs
from tongban.workflow import services as wf
from tongban.workflow.models import InstanceStatus, WorkItem, WorkItemStatus


def test_simple_route(org: Any, start: Any) -> None:
    inst = start(amount=5, countersign_units=[])
    draft = wfs.open_items_for(user=org.clerk, subject_type="test.subject", subject_id=inst.subject_id)
    assert [i.step for i in draft] == ["draft"]
    wf.item_complete(item=draft[0], actor=org.clerk, opinion="请审核")
    review = wfs.open_items_for(user=org.head2, subject_type="test.subject", subject_id=inst.subject_id)
    assert [i.step for i in review] == ["review"]
    assert review[0].role == "office_head" and review[0].assignee_id is None
    wf.item_complete(
        item=review[0],
        actor=org.head,
        opinion="同意",
        data={"countersign_units": [org.fin.pk, org.edu.pk], "next_assignees": [org.leader.pk]},
    )
    cs = WorkItem.objects.filter(instance=inst, step="countersign", status="open")
    assert sorted(i.unit_id for i in cs) == sorted([org.fin.pk, org.edu.pk])
    for i in cs:
        wf.item_complete(
            item=i, actor=org.leader if i.unit_id == org.fin.pk else org.edu_leader, opinion="会签同意"
        )
    sign = WorkItem.objects.get(instance=inst, step="sign", status="open")
    assert sign.assignee == org.leader
    wf.item_complete(item=sign, actor=org.leader, opinion="签发")
    inst.refresh_from_db()
    assert inst.status == InstanceStatus.COMPLETED
    assert [i.step for i in wfs.route(inst)] == ["draft", "review", "countersign", "countersign", "sign"]
    assert all(i.status == WorkItemStatus.DONE for i in wfs.route(inst))
