"""Parallel branches, countersign withdrawal, 加签 withdrawal, deadlines from case data and the
registrations made at start-up."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tongban.core import schedule
from tongban.core.errors import TongbanError
from tongban.notify import events
from tongban.workflow import selectors as wfs
from tongban.workflow import services as wf
from tongban.workflow.models import InstanceStatus, WorkItem, WorkItemStatus


def _open(inst: Any, step: str | None = None) -> list[WorkItem]:
    qs = WorkItem.objects.filter(instance=inst, status=WorkItemStatus.OPEN, kind="task")
    return list(qs.filter(step=step) if step else qs.order_by("pk"))


def test_parallel_branches_join_and_return_from_after_the_join(org: Any, start: Any) -> None:
    due = "2030-01-15"
    inst = start("test.parallel", a_due=due)
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    a, b = _open(inst, "a")[0], _open(inst, "b")[0]
    assert a.role == "office_head" and b.assignee == org.leader
    assert timezone.localtime(a.due_at).date().isoformat() == due  # due_workdays = data:a_due
    wf.item_complete(item=a, actor=org.head, opinion="同意")
    assert [i.step for i in _open(inst)] == ["b"]  # the join waits for the other branch
    wf.item_complete(item=b, actor=org.leader, opinion="同意")
    (final,) = _open(inst)
    assert final.step == "final"
    steps = [s for s, _n in wfs.returnable_steps(final)]
    assert "draft" in steps and ("a" in steps or "b" in steps)
    wf.item_return(item=final, actor=org.clerk, to_step="draft", opinion="重来")
    assert [(i.step, i.assignee_id) for i in _open(inst)] == [("draft", org.clerk.pk)]
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    assert sorted(i.step for i in _open(inst)) == ["a", "b"]


def test_withdraw_one_countersign_while_the_other_is_open(org: Any, start: Any) -> None:
    inst = start(amount=1, countersign_units=[])
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    wf.item_complete(
        item=_open(inst)[0],
        actor=org.head,
        opinion="",
        data={"countersign_units": [org.fin.pk, org.edu.pk], "next_assignees": [org.leader.pk]},
    )
    fin = next(i for i in _open(inst, "countersign") if i.unit_id == org.fin.pk)
    wf.item_complete(item=fin, actor=org.leader, opinion="会签同意")
    again = wf.item_withdraw(item=fin, actor=org.leader)
    assert again.assignee == org.leader and again.status == WorkItemStatus.OPEN
    assert sorted(i.unit_id or i.assignee_id for i in _open(inst, "countersign")) == sorted(
        [org.edu.pk, org.leader.pk]
    )
    for i in _open(inst, "countersign"):
        wf.item_complete(item=i, actor=org.leader if i.assignee_id else org.edu_leader, opinion="同意")
    assert [i.step for i in _open(inst)] == ["sign"]


def test_withdraw_while_waiting_for_a_signer(org: Any, start: Any) -> None:
    inst = start(amount=1, countersign_units=[])
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    review = _open(inst)[0]
    signer = wf.item_add_signer(item=review, actor=org.head, signer=org.other)
    wf.item_complete(item=review, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]})
    reopened = wf.item_withdraw(item=review, actor=org.head)
    assert {i.pk for i in _open(inst)} == {signer.pk, reopened.pk}
    wf.item_complete(item=signer, actor=org.other, opinion="无意见")
    assert [i.pk for i in _open(inst)] == [reopened.pk]  # still waits for the original handler
    wf.item_complete(item=reopened, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]})
    assert [i.step for i in _open(inst)] == ["sign"]


def test_delegated_item_shows_both_names_on_the_route(org: Any, start: Any) -> None:
    today = timezone.localdate()
    wf.delegation_create(actor=org.clerk, delegate=org.other, starts_on=today, ends_on=today)
    inst = start()
    (draft,) = _open(inst)
    assert draft.assignee == org.other and draft.delegated_from == org.clerk
    wf.item_complete(item=draft, actor=org.other, opinion="代为提交")
    (row,) = [r for r in wfs.route(inst) if r.step == "draft"]
    assert (row.completed_by, row.delegated_from) == (org.other, org.clerk)


def test_unknown_variable_in_a_gateway_marks_the_instance(org: Any, start: Any) -> None:
    inst = start(amount=1)  # no countersign_units: the condition names an unknown variable
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    with pytest.raises(wf.EngineFailure):
        wf.item_complete(
            item=_open(inst)[0], actor=org.head, opinion="", data={"next_assignees": [org.leader.pk]}
        )
    inst.refresh_from_db()
    assert inst.status == InstanceStatus.ERROR and "unknown variable" in inst.error
    wf.instance_recover(instance=inst, actor=org.sysadmin)
    inst.refresh_from_db()
    assert inst.status == InstanceStatus.RUNNING
    wf.item_complete(
        item=_open(inst)[0],
        actor=org.head,
        opinion="",
        data={"countersign_units": [], "next_assignees": [org.leader.pk]},
    )
    assert [i.step for i in _open(inst)] == ["sign"]


def test_bad_data_refused(org: Any, start: Any) -> None:
    with pytest.raises(TongbanError):
        start(_private=1)
    with pytest.raises(TongbanError):
        start(big="x" * 30_000)


def test_instance_update_keeps_items_in_step(org: Any, start: Any) -> None:
    inst = start()
    wf.instance_update(instance=inst, actor=org.clerk, title="新标题", urgency="加急")
    assert _open(inst)[0].title == "新标题" and _open(inst)[0].urgency == "加急"


def test_startup_registrations() -> None:
    assert any(j.job_id == "workflow.remind_due_items" for j in schedule.jobs())
    assert events.get("workflow.urge") is not None and "sms" in events.get("workflow.urge").default_channels
