"""The engine's operations: route, return, transfer, withdraw, add signer, cc, urge, delegation,
cancel, deadlines, listeners and failures."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.notify.models import Notification
from tongban.workflow import registry
from tongban.workflow import selectors as wfs
from tongban.workflow import services as wf
from tongban.workflow.models import (
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

BPMN = Path(__file__).parent / "bpmn"


def _open(inst: Any, step: str | None = None) -> list[WorkItem]:
    qs = WorkItem.objects.filter(instance=inst, status=WorkItemStatus.OPEN, kind=WorkItemKind.TASK)
    if step:
        qs = qs.filter(step=step)
    return list(qs.order_by("pk"))


def _to_review(org: Any, start: Any, **data: Any) -> tuple[Any, WorkItem]:
    inst = start(amount=5, countersign_units=[], **data)
    wf.item_complete(item=_open(inst, "draft")[0], actor=org.clerk, opinion="请审核")
    return inst, _open(inst, "review")[0]


def test_start_opens_first_step_and_audits(org: Any, start: Any) -> None:
    inst = start(urgency="特急")
    assert inst.status == InstanceStatus.RUNNING
    (item,) = _open(inst)
    assert (item.step, item.step_name, item.assignee, item.urgency) == ("draft", "拟稿", org.clerk, "特急")
    assert item.title == inst.title and item.subject_type == "test.subject"
    assert AuditRecord.objects.filter(event="workflow.instance_started").count() == 1
    assert ProcessDefinition.objects.filter(key="test.simple", is_active=True).count() == 1


def test_pooled_item_any_holder_completes_and_deadline_set(org: Any, start: Any) -> None:
    inst, review = _to_review(org, start)
    assert review.assignee is None and (review.unit, review.role) == (org.gov, "office_head")
    assert review.due_at is not None and review.due_at > timezone.now()
    assert review.source_item is not None and review.source_item.step == "draft"
    with pytest.raises(PermissionDenied):
        wf.item_complete(item=review, actor=org.other, opinion="x")
    wf.item_complete(item=review, actor=org.head2, opinion="同意", data={"next_assignees": [org.leader.pk]})
    review.refresh_from_db()
    assert review.completed_by == org.head2 and review.status == WorkItemStatus.DONE
    assert [i.step for i in _open(inst)] == ["sign"]


def test_chosen_step_needs_a_choice_and_nothing_changes(org: Any, start: Any) -> None:
    inst, review = _to_review(org, start)
    with pytest.raises(TongbanError) as exc:
        wf.item_complete(item=review, actor=org.head, opinion="同意")
    assert exc.value.code == "workflow.choose_next"
    review.refresh_from_db()
    assert review.status == WorkItemStatus.OPEN
    assert [i.step for i in _open(inst)] == ["review"]


def test_return_to_earlier_step_goes_back_to_its_completer(org: Any, start: Any) -> None:
    inst, review = _to_review(org, start)
    assert wfs.returnable_steps(review) == [("draft", "拟稿")]
    with pytest.raises(TongbanError):
        wf.item_return(item=review, actor=org.head, to_step="draft", opinion="")
    with pytest.raises(TongbanError):
        wf.item_return(item=review, actor=org.head, to_step="sign", opinion="x")
    wf.item_return(item=review, actor=org.head, to_step="draft", opinion="请修改标题")
    review.refresh_from_db()
    assert (review.status, review.action, review.opinion) == ("done", "return", "请修改标题")
    (draft,) = _open(inst)
    assert draft.step == "draft" and draft.assignee == org.clerk and draft.source_item == review
    # and forward again
    wf.item_complete(item=draft, actor=org.clerk, opinion="已修改")
    assert [i.step for i in _open(inst)] == ["review"]


def test_return_from_countersign_cancels_the_other_countersigners(org: Any, start: Any) -> None:
    inst, review = _to_review(org, start)
    wf.item_complete(
        item=review,
        actor=org.head,
        opinion="会签",
        data={"countersign_units": [org.fin.pk, org.edu.pk], "next_assignees": [org.leader.pk]},
    )
    fin_item, edu_item = sorted(_open(inst, "countersign"), key=lambda i: i.unit_id != org.fin.pk)
    assert {s for s, _n in wfs.returnable_steps(fin_item)} == {"review", "draft"}
    wf.item_return(item=fin_item, actor=org.leader, to_step="review", opinion="预算不足")
    edu_item.refresh_from_db()
    assert edu_item.status == WorkItemStatus.CANCELLED
    (again,) = _open(inst)
    assert again.step == "review" and again.assignee == org.head  # who completed it last time


def test_transfer(org: Any, start: Any) -> None:
    inst, review = _to_review(org, start)
    new = wf.item_transfer(item=review, actor=org.head, to_user=org.other, opinion="请刘科员办理")
    review.refresh_from_db()
    assert (review.status, review.action) == ("done", "transfer")
    assert new.assignee == org.other and new.sender == org.head and new.task_id == review.task_id
    assert wfs.inbox(user=org.other, box="todo").rows[0].pk == new.pk
    wf.item_complete(item=new, actor=org.other, opinion="同意", data={"next_assignees": [org.leader.pk]})
    assert [i.step for i in _open(inst)] == ["sign"]
    with pytest.raises(TongbanError):  # the draft step does not allow transfer
        inst2 = start()
        wf.item_transfer(item=_open(inst2)[0], actor=org.clerk, to_user=org.other)


def test_withdraw_before_next_step_acts(org: Any, start: Any) -> None:
    inst = start(amount=1, countersign_units=[])
    draft = _open(inst)[0]
    wf.item_complete(item=draft, actor=org.clerk, opinion="请审核")
    with pytest.raises(PermissionDenied):
        wf.item_withdraw(item=draft, actor=org.head)
    reopened = wf.item_withdraw(item=draft, actor=org.clerk)
    draft.refresh_from_db()
    assert draft.status == WorkItemStatus.WITHDRAWN
    assert [(i.step, i.assignee_id) for i in _open(inst)] == [("draft", org.clerk.pk)]
    assert reopened.task_id == draft.task_id
    assert WorkItem.objects.filter(instance=inst, step="review", status=WorkItemStatus.WITHDRAWN).count() == 1
    # once the next step has read it, withdrawing is refused
    wf.item_complete(item=reopened, actor=org.clerk, opinion="请审核")
    review = _open(inst, "review")[0]
    wf.item_mark_read(item=review, actor=org.head)
    with pytest.raises(TongbanError) as exc:
        wf.item_withdraw(item=reopened, actor=org.clerk)
    assert exc.value.code == "workflow.already_acted"


def test_add_signer_must_complete_before_the_step_moves(org: Any, start: Any) -> None:
    inst, review = _to_review(org, start)
    signer_item = wf.item_add_signer(item=review, actor=org.head, signer=org.other, opinion="请一并把关")
    assert signer_item.parent == review and signer_item.assignee == org.other
    wf.item_complete(item=review, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]})
    assert [i.step for i in _open(inst)] == ["review"]  # waits for the signer
    with pytest.raises(PermissionDenied):
        wf.item_return(item=signer_item, actor=org.other, to_step="draft", opinion="x")
    wf.item_complete(item=signer_item, actor=org.other, opinion="无意见")
    assert [(i.step, i.assignee_id) for i in _open(inst)] == [("sign", org.leader.pk)]


def test_competing_holders_first_wins(org: Any, start: Any) -> None:
    inst = start(countersign_units=[], reviewers=[org.head.pk, org.head2.pk])
    # data_user rule with a list → one item each; simulate with the rule directly
    ctx = registry.RuleContext(
        arg="reviewers", instance=inst, data={"reviewers": [org.head.pk, org.head2.pk]}, step="x"
    )
    assert [a.user for a in registry.rule("data_user")(ctx)] == [org.head, org.head2]


def test_copy_for_reading_and_mark_read(org: Any, start: Any) -> None:
    inst, _review = _to_review(org, start)
    with pytest.raises(PermissionDenied):
        wf.copy_for_reading(instance=inst, actor=org.leader, users=[org.other])
    items = wf.copy_for_reading(instance=inst, actor=org.head, users=[org.other, org.leader], note="请阅")
    assert {i.assignee_id for i in items} == {org.other.pk, org.leader.pk}
    assert wf.copy_for_reading(instance=inst, actor=org.head, users=[org.other]) == []  # already unread
    toread = wfs.inbox(user=org.other, box="toread")
    assert [r.kind for r in toread.rows] == ["read"]
    with pytest.raises(PermissionDenied):
        wf.item_mark_read(item=toread.rows[0], actor=org.leader)
    wf.item_mark_read(item=toread.rows[0], actor=org.other)
    assert wfs.inbox(user=org.other, box="toread").rows == []
    assert len(wfs.inbox(user=org.other, box="read").rows) == 1
    assert org.other.pk in wfs.participant_user_ids(subject_type="test.subject", subject_id=inst.subject_id)


def test_urge_once_an_hour_with_sms(org: Any, start: Any) -> None:
    _inst, review = _to_review(org, start)
    with pytest.raises(PermissionDenied):
        wf.item_urge(item=review, actor=org.other)
    wf.item_urge(item=review, actor=org.clerk, message="请尽快")
    notes = Notification.objects.filter(event="workflow.urge")
    assert {n.user_id for n in notes} == {org.head.pk, org.head2.pk}
    assert notes.get(user=org.head).deliveries.filter(channel="sms").exists()
    with pytest.raises(TongbanError) as exc:
        wf.item_urge(item=review, actor=org.clerk)
    assert exc.value.code == "workflow.urged_recently"
    WorkItem.objects.filter(pk=review.pk).update(last_urged_at=timezone.now() - timedelta(hours=2))
    wf.item_urge(item=review, actor=org.clerk)


def test_delegation_routes_new_items_to_the_delegate(org: Any, start: Any) -> None:
    today = timezone.localdate()
    d = wf.delegation_create(
        actor=org.leader, delegate=org.edu_leader, starts_on=today, ends_on=today + timedelta(days=3)
    )
    with pytest.raises(TongbanError):
        wf.delegation_create(actor=org.leader, delegate=org.edu_leader, starts_on=today, ends_on=today)
    with pytest.raises(TongbanError):
        wf.delegation_create(actor=org.head, delegate=org.head, starts_on=today, ends_on=today)
    inst, review = _to_review(org, start)
    wf.item_complete(item=review, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]})
    (sign,) = _open(inst)
    assert sign.assignee == org.edu_leader and sign.delegated_from == org.leader
    assert wfs.access_item(sign.pk, org.leader) == sign  # the away user can still see it
    wf.delegation_revoke(delegation=d, actor=org.leader)
    inst2, review2 = _to_review(org, start)
    wf.item_complete(item=review2, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]})
    assert _open(inst2)[0].assignee == org.leader


def test_cancel(org: Any, start: Any) -> None:
    seen: list[str] = []
    registry.register_listener("test.subject", lambda event, instance, item: seen.append(event))
    inst = start()
    with pytest.raises(PermissionDenied):
        wf.instance_cancel(instance=inst, actor=org.head)
    wf.instance_cancel(instance=inst, actor=org.clerk, reason="不再需要")
    inst.refresh_from_db()
    assert inst.status == InstanceStatus.CANCELLED
    assert _open(inst) == []
    assert "item_opened" in seen and seen[-1] == "instance_cancelled"


def test_listeners_see_events_in_order(org: Any, start: Any) -> None:
    seen: list[tuple[str, str]] = []
    registry.register_listener(
        "test.simple", lambda e, inst, item: seen.append((e, item.step if item else ""))
    )
    inst, review = _to_review(org, start)
    wf.item_complete(item=review, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]})
    wf.item_complete(item=_open(inst)[0], actor=org.leader, opinion="签发")
    mine = [s for s in seen]
    assert mine[:2] == [("item_opened", "draft"), ("item_done", "draft")]
    assert mine[-1] == ("instance_completed", "")


def test_deadline_reminders_once_before_and_once_overdue(org: Any, start: Any) -> None:
    _inst, review = _to_review(org, start)
    from tongban.core.calendar import add_workdays

    now = timezone.now()
    # due tomorrow (a working day away) → "before" reminder, once
    due = timezone.make_aware(
        timezone.datetime.combine(add_workdays(timezone.localdate(), 1), timezone.datetime.min.time())
    ) + timedelta(hours=23)
    WorkItem.objects.filter(pk=review.pk).update(due_at=due)
    assert wf.items_remind_due(now=now) == 1
    assert wf.items_remind_due(now=now) == 0
    WorkItem.objects.filter(pk=review.pk).update(due_at=now - timedelta(hours=1))
    assert wf.items_remind_due(now=now) == 1
    assert wf.items_remind_due(now=now) == 0
    assert Notification.objects.filter(event="workflow.due", user=org.head).count() == 2


def _bad_definition(org: Any, condition: str) -> ProcessDefinition:
    xml = (BPMN / "simple.bpmn").read_text().replace("len(countersign_units) &gt; 0", condition)
    return ProcessDefinition.objects.create(
        key="test.evil",
        version=1,
        name="恶意",
        process_id="wf_test",
        bpmn_xml=xml,
        sha256=hashlib.sha256(xml.encode()).hexdigest(),
    )


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('touch /tmp/tongban_pwned') or amount &gt; 1",
        "().__class__.__base__.__subclasses__()",
        "'{0.__class__}'.format(amount)",
    ],
)
def test_malicious_gateway_is_refused_and_marks_the_instance(org: Any, condition: str, tmp_path: Any) -> None:
    marker = Path("/tmp/tongban_pwned")
    marker.unlink(missing_ok=True)
    _bad_definition(org, condition)
    inst = wf.instance_start(
        key="test.evil",
        subject_type="test.subject",
        subject_id=99,
        title="恶意",
        actor=org.clerk,
        unit=org.gov,
        data={"amount": 5, "countersign_units": []},
    )
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    review = _open(inst)[0]
    with pytest.raises(wf.EngineFailure):
        wf.item_complete(
            item=review, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]}
        )
    assert not marker.exists()
    inst.refresh_from_db()
    review.refresh_from_db()
    assert inst.status == InstanceStatus.ERROR and "UnsafeExpression" in inst.error
    assert review.status == WorkItemStatus.OPEN  # the step was rolled back
    assert [i.step for i in _open(inst)] == ["review"]
    assert Notification.objects.filter(event="workflow.error", user=org.sysadmin).exists()
    with pytest.raises(TongbanError) as exc:
        wf.item_complete(
            item=review, actor=org.head, opinion="同意", data={"next_assignees": [org.leader.pk]}
        )
    assert exc.value.code == "workflow.instance_error"


def test_running_instances_keep_their_version(org: Any, start: Any) -> None:
    from tongban.workflow import definitions

    inst = start()
    v1 = inst.definition
    xml = (BPMN / "simple.bpmn").read_text().replace("办公室核稿", "办公室核稿（新）")
    v2 = definitions.definition_upload(key="test.simple", data=xml, actor=org.secadmin, comment="改名")
    assert v2.version == v1.version + 1 and v2.is_active
    v1.refresh_from_db()
    assert not v1.is_active
    wf.item_complete(item=_open(inst)[0], actor=org.clerk, opinion="")
    assert _open(inst)[0].step_name == "办公室核稿"
    inst2 = start()
    wf.item_complete(item=_open(inst2)[0], actor=org.clerk, opinion="")
    assert _open(inst2)[0].step_name == "办公室核稿（新）"
    assert ProcessInstance.objects.get(pk=inst2.pk).definition == v2
