"""The process engine's services: the only writers of instances, work items and delegations.

Every operation is atomic, locks the instance row (``select_for_update``) before it reads the
engine state, saves the state after each step, keeps ``WorkItem`` in step with the engine's READY
user tasks, checks the step's ``actions`` property, writes an audit record and fires the
registered listeners (inside the transaction, so a domain's own updates commit or roll back
with the step).

Design of the operations that SpiffWorkflow has no notion of:

- **Several assignees for one task** (a rule returns more than one user, or pooled roles): one
  item each; the first to complete completes the task and the others are cancelled.
- **加签 (add a signer)**: an extra item on the same engine task with ``parent`` = the item that
  added it. Every item with a parent must be done before the engine task runs; the task runs with
  the data the original (parent-less) item submitted, whoever finishes last. Signers may add
  further signers.
- **退回 (return)**: the engine is reset to the chosen earlier completed task on the current
  path (``reset_from_task_id``); open items of removed tasks are cancelled, and the reopened step
  goes back to the person who completed it last time.
- **撤回 (withdraw)**: only by the person who completed an item, and only while every item that
  completion opened (``source_item``) is still open and unread; the engine is reset to the
  withdrawn task and the item reopens for them.
- **Engine failure** (e.g. a refused gateway condition): the step is rolled back, the instance is
  marked ``error`` and the system administrators are notified; callers get
  :class:`EngineFailure` (a ``TongbanError``, so views show a message — never a 500)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.calendar import add_workdays, workdays_between
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.workflow import definitions, engine, expressions, registry
from tongban.workflow.models import (
    Delegation,
    InstanceStatus,
    ProcessInstance,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)
from tongban.workflow.registry import Assignee, RuleContext

logger = logging.getLogger(__name__)

MAX_DATA_BYTES = 20_000
URGE_INTERVAL = timedelta(hours=1)


class EngineFailure(TongbanError):
    """The engine refused or failed a step; the instance is marked for the administrator."""


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _now() -> datetime:
    return timezone.now()


# --- helpers ----------------------------------------------------------------------------------
def _fire(event: str, instance: ProcessInstance, item: WorkItem | None = None) -> None:
    for fn in registry.listeners_for(instance):
        fn(event, instance, item)


def _clean_data(data: dict[str, Any] | None) -> dict[str, Any]:
    data = dict(data or {})
    for k in data:
        if not isinstance(k, str) or not k.isidentifier() or k.startswith("_"):
            raise TongbanError("workflow.bad_data", _("流程数据的名称不合法：%(k)s") % {"k": k})
    try:
        text = json.dumps(data, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        raise TongbanError("workflow.bad_data", _("流程数据无法保存。")) from None
    if len(text.encode()) > MAX_DATA_BYTES:
        raise TongbanError("workflow.bad_data", _("流程数据过大，正文和附件请保存在业务记录中。"))
    return json.loads(text)


def step_properties(definition: Any, step: str) -> dict[str, str]:
    """The ``spiffworkflow:properties`` of user task ``step`` (bpmn id) in a definition."""
    if not step:
        return {}
    spec = engine.spec_for(definition)
    for ts in spec.task_specs.values():
        if getattr(ts, "bpmn_id", None) == step and getattr(ts, "manual", False):
            return engine.properties(ts)
    return {}


def step_actions(item: WorkItem) -> set[str]:
    if item.kind != WorkItemKind.TASK:
        return set()
    props = step_properties(item.instance.definition, item.step)
    return {a.strip() for a in props.get("actions", "").split(",") if a.strip()}


def _require_action(item: WorkItem, action: str) -> None:
    if action not in step_actions(item):
        raise PermissionDenied(
            "workflow.action_not_allowed",
            _("“%(step)s”环节不允许此操作。") % {"step": item.step_name},
        )


def user_can_act(item: WorkItem, user: Any) -> bool:
    """Whether ``user`` may act on an open item: its assignee, or a holder of its pooled role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if item.status != WorkItemStatus.OPEN:
        return False
    if item.assignee_id is not None:
        return item.assignee_id == user.pk
    if item.unit_id and item.role:
        from tongban.orgs.models import RoleGrant

        return RoleGrant.objects.filter(user=user, unit_id=item.unit_id, role=item.role).exists()
    return False


def _lock(instance_id: int) -> ProcessInstance:
    inst = ProcessInstance.objects.select_for_update().select_related("definition").get(pk=instance_id)
    return inst


def _lock_item(item: WorkItem) -> tuple[ProcessInstance, WorkItem]:
    inst = _lock(item.instance_id)
    fresh = WorkItem.objects.select_for_update().get(pk=item.pk)
    fresh.instance = inst
    return inst, fresh


def _require_running(inst: ProcessInstance) -> None:
    if inst.status == InstanceStatus.ERROR:
        raise TongbanError("workflow.instance_error", _("流程运行出错，正在等待管理员处理。"))
    if inst.status != InstanceStatus.RUNNING:
        raise TongbanError("workflow.not_running", _("流程已结束，不能再办理。"))


def _require_can_act(item: WorkItem, actor: Any) -> None:
    if item.status != WorkItemStatus.OPEN:
        raise TongbanError("workflow.item_closed", _("该事项已办理或已取消。"))
    if not user_can_act(item, actor):
        raise PermissionDenied("workflow.not_assignee", _("您不是该事项的办理人。"))


def _active_delegate(user: Any, today: date) -> Any:
    d = (
        Delegation.objects.filter(
            user=user, starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True
        )
        .select_related("delegate")
        .order_by("-created_at")
        .first()
    )
    if d is not None and d.delegate.is_active:
        return d.delegate
    return None


def _due_at(props: dict[str, str], data: dict[str, Any]) -> datetime | None:
    """``due_workdays`` is a number of working days from today, or ``data:<var>`` naming an ISO date
    (or a number of working days) in the case data. The deadline is the end of that day."""
    raw = (props.get("due_workdays") or "").strip()
    if not raw:
        return None
    today = timezone.localdate()
    target: date | None = None
    if raw.startswith("data:"):
        value = data.get(raw[5:])
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            target = add_workdays(today, value)
        elif isinstance(value, str) and value:
            try:
                target = date.fromisoformat(value[:10])
            except ValueError:
                target = None
    elif raw.isdigit() and int(raw) > 0:
        target = add_workdays(today, int(raw))
    if target is None:
        return None
    return datetime.combine(target, time(23, 59, 59), tzinfo=_tz())


def _mi_info(task: Any) -> tuple[str, Any]:
    parent = task.parent
    spec = getattr(parent, "task_spec", None)
    item = getattr(spec, "input_item", None)
    if item is not None and getattr(spec, "task_spec", None) == task.task_spec.name:
        name = item.bpmn_id
        return name, task.data.get(name)
    return "", None


def _resolve(inst: ProcessInstance, task: Any, previous: WorkItem | None) -> list[Assignee]:
    props = engine.properties(task)
    rule_text = props.get("assignee", "")
    name, arg = registry.split_rule(rule_text)
    fn = registry.rule(name)
    if fn is None:
        raise EngineFailure("workflow.unknown_rule", _("办理人规则“%(r)s”未注册。") % {"r": rule_text})
    mi_var, mi_item = _mi_info(task)
    ctx = RuleContext(
        arg=arg,
        instance=inst,
        data=dict(task.data),
        step=task.task_spec.bpmn_id or task.task_spec.name,
        step_name=task.task_spec.bpmn_name or task.task_spec.name,
        mi_item=mi_item,
        mi_var=mi_var,
        properties=props,
        previous_item=previous,
    )
    return list(fn(ctx))


def _notify_item(
    item: WorkItem, *, event: str, title: str, body: str = "", actor: Any = None, dedupe: str = ""
) -> None:
    from tongban.notify.services import notify

    users = _item_users(item)
    if not users:
        return
    url = registry.subject_url(item.subject_type, item.subject_id) or ""
    notify(users=users, event=event, title=title, body=body, url=url, dedupe_key=dedupe, actor=actor)


def _item_users(item: WorkItem) -> list[Any]:
    if item.assignee_id is not None:
        return [item.assignee]
    if item.unit_id and item.role:
        from tongban.identity.models import User

        return list(
            User.objects.filter(
                role_grants__unit_id=item.unit_id, role_grants__role=item.role, is_active=True
            ).distinct()
        )
    return []


def _new_item(
    inst: ProcessInstance,
    *,
    task_id: Any,
    step: str,
    step_name: str,
    assignee: Assignee,
    actor: Any,
    source_item: WorkItem | None,
    due_at: datetime | None,
    parent: WorkItem | None = None,
    kind: str = WorkItemKind.TASK,
    payload: dict[str, Any] | None = None,
) -> WorkItem:
    user, delegated_from = assignee.user, None
    if user is not None:
        delegate = _active_delegate(user, timezone.localdate())
        if delegate is not None and delegate.pk != user.pk:
            user, delegated_from = delegate, assignee.user
    item = WorkItem.objects.create(
        county_id=inst.county_id,
        instance=inst,
        kind=kind,
        task_id=task_id,
        step=step,
        step_name=step_name[:100],
        title=inst.title,
        subject_type=inst.subject_type,
        subject_id=inst.subject_id,
        urgency=inst.urgency,
        assignee=user,
        unit=assignee.unit if user is None else None,
        role=assignee.role if user is None else "",
        delegated_from=delegated_from,
        sender=actor if getattr(actor, "pk", None) else None,
        due_at=due_at,
        source_item=source_item,
        parent=parent,
        payload=payload or {},
    )
    item.instance = inst
    return item


def _sync(
    inst: ProcessInstance,
    wf: Any,
    *,
    actor: Any,
    source_item: WorkItem | None = None,
    overrides: dict[Any, Assignee] | None = None,
    cancel_status: str = WorkItemStatus.CANCELLED,
) -> list[WorkItem]:
    """Make the open TASK items match the engine's READY user tasks: close items whose task is no
    longer ready, open items for ready tasks that have none. Returns the items opened."""
    overrides = overrides or {}
    now = _now()
    ready = engine.ready_user_tasks(wf)
    ready_ids = {t.id for t in ready}
    open_items = list(
        WorkItem.objects.select_for_update().filter(
            instance=inst, kind=WorkItemKind.TASK, status=WorkItemStatus.OPEN
        )
    )
    stale = [i for i in open_items if i.task_id not in ready_ids]
    for i in stale:
        i.status = cancel_status
        i.completed_at = now
    if stale:
        WorkItem.objects.bulk_update(stale, ["status", "completed_at"])
    has_open = {i.task_id for i in open_items if i.task_id in ready_ids}
    # a task whose original item is done and waits for 加签 signers has open signer items
    opened: list[WorkItem] = []
    for task in ready:
        if task.id in has_open:
            continue
        props = engine.properties(task)
        assignees = [overrides[task.id]] if task.id in overrides else _resolve(inst, task, source_item)
        if not assignees:
            raise TongbanError(
                "workflow.no_assignee",
                _("“%(step)s”环节找不到办理人，请检查流程定义或组织机构。")
                % {"step": task.task_spec.bpmn_name or task.task_spec.name},
            )
        due = _due_at(props, task.data)
        seen: set[tuple[Any, Any, str]] = set()
        for a in assignees:
            key = (getattr(a.user, "pk", None), getattr(a.unit, "pk", None), a.role)
            if key in seen:
                continue
            seen.add(key)
            opened.append(
                _new_item(
                    inst,
                    task_id=task.id,
                    step=task.task_spec.bpmn_id or task.task_spec.name,
                    step_name=task.task_spec.bpmn_name or task.task_spec.name,
                    assignee=a,
                    actor=actor,
                    source_item=source_item,
                    due_at=due,
                )
            )
    if wf.is_completed() and inst.status == InstanceStatus.RUNNING:
        inst.status = InstanceStatus.COMPLETED
        inst.finished_at = now
    for item in opened:
        _fire("item_opened", inst, item)
        transaction.on_commit(lambda i=item: _notify_opened(i.pk))
    return opened


def _notify_opened(item_id: int) -> None:
    item = WorkItem.objects.select_related("assignee", "instance").filter(pk=item_id).first()
    if item is None or item.status != WorkItemStatus.OPEN:
        return
    try:
        _notify_item(
            item,
            event="workflow.todo",
            title=_("待办：%(step)s — %(title)s") % {"step": item.step_name, "title": item.title},
            dedupe=f"wf-open:{item.pk}",
        )
    except Exception:
        logger.exception("workflow: notifying item %s failed", item_id)


def _save(inst: ProcessInstance, wf: Any) -> None:
    inst.state_json = engine.workflow_dump(wf)
    inst.save(update_fields=["state_json", "status", "finished_at", "error"])
    if inst.status == InstanceStatus.COMPLETED:
        _fire("instance_completed", inst, None)


def _engine_error(inst_id: int, exc: BaseException, actor: Any) -> EngineFailure:
    """Record an engine failure outside the rolled-back step: status error, audit, admins told."""
    message = f"{type(exc).__name__}: {exc}"
    cause = exc.__context__ or exc.__cause__
    if cause is not None:
        message += f" ({type(cause).__name__}: {cause})"
    logger.error("workflow instance %s failed: %s", inst_id, message)
    with transaction.atomic():
        inst = ProcessInstance.objects.select_for_update().filter(pk=inst_id).first()
        if inst is not None:
            inst.status = InstanceStatus.ERROR
            inst.error = message[:4000]
            inst.save(update_fields=["status", "error"])
            audit.record(
                "workflow.engine_error",
                actor=actor,
                obj=inst,
                message=message[:500],
                success=False,
            )
            try:
                from tongban.identity.models import User
                from tongban.notify.services import notify

                admins = User.objects.filter(admin_role="system", is_active=True)
                notify(
                    users=admins,
                    event="workflow.error",
                    title=_("流程运行出错：%(title)s") % {"title": inst.title},
                    body=message[:500],
                    url="/workflow/errors/",
                    dedupe_key=f"wf-error:{inst.pk}",
                )
            except Exception:
                logger.exception("workflow: notifying administrators failed")
    return EngineFailure("workflow.engine_error", _("流程运行出错，已通知管理员处理。本次操作未生效。"))


def _engine_exceptions() -> tuple[type[BaseException], ...]:
    return (engine.WorkflowException, expressions.UnsafeExpression, expressions.ExpressionError)


def _run(fn: Any, inst_id: int | None, actor: Any) -> Any:
    try:
        with transaction.atomic():
            return fn()
    except EngineFailure as exc:
        if inst_id is not None:
            raise _engine_error(inst_id, exc, actor) from exc
        raise
    except _engine_exceptions() as exc:
        if inst_id is None:
            logger.exception("workflow: engine failed while starting")
            raise EngineFailure(
                "workflow.engine_error", _("流程定义运行出错，已记录，请联系管理员。")
            ) from exc
        raise _engine_error(inst_id, exc, actor) from exc


def _run_task(wf: Any, task_id: Any, data: dict[str, Any]) -> None:
    task = wf.get_task_from_id(task_id)
    if task is None or task.state != engine.TaskState.READY:
        raise TongbanError("workflow.stale", _("该事项已不在办理中，请刷新页面。"))
    task.set_data(**data)
    task.run()
    wf.do_engine_steps()


# --- instances --------------------------------------------------------------------------------
def instance_start(
    *,
    key: str,
    subject_type: str,
    subject_id: int,
    title: str,
    actor: Any,
    unit: Any = None,
    data: dict[str, Any] | None = None,
    urgency: str = "",
    county: Any = None,
) -> ProcessInstance:
    """Start process ``key`` about a subject; the first user tasks become open items."""
    from tongban.orgs import selectors as org_selectors

    clean = _clean_data(data)
    if unit is None:
        unit = org_selectors.user_primary_unit(actor)
    if county is None:
        county = getattr(unit, "county", None) or org_selectors.county_for_user(actor)
    if county is None:
        raise TongbanError("workflow.no_county", _("找不到所属的县，无法发起流程。"))
    definition = definitions.active_definition(key, county)

    def work() -> ProcessInstance:
        wf = engine.workflow_new(definition)
        first = wf.get_tasks(state=engine.TaskState.READY)
        if first:
            first[0].set_data(**clean)
        wf.do_engine_steps()
        inst = ProcessInstance.objects.create(
            county=county,
            definition=definition,
            subject_type=subject_type,
            subject_id=subject_id,
            title=str(title)[:200],
            starter=actor,
            starter_unit=unit,
            urgency=urgency or "",
            state_json="{}",
        )
        inst.definition = definition
        audit.record(
            "workflow.instance_started",
            actor=actor,
            obj=inst,
            new={"key": key, "version": definition.version, "subject": f"{subject_type}:{subject_id}"},
        )
        _sync(inst, wf, actor=actor)
        _save(inst, wf)
        return inst

    return _run(work, None, actor)


def instance_update(
    *, instance: ProcessInstance, actor: Any, title: str | None = None, urgency: str | None = None
) -> None:
    """Keep the denormalised title/urgency of the instance and its items in step with the subject."""
    fields: dict[str, Any] = {}
    if title is not None:
        fields["title"] = str(title)[:200]
    if urgency is not None:
        fields["urgency"] = urgency
    if not fields:
        return
    with transaction.atomic():
        ProcessInstance.objects.filter(pk=instance.pk).update(**fields)
        WorkItem.objects.filter(instance=instance).update(**fields)
        for k, v in fields.items():
            setattr(instance, k, v)


def instance_cancel(*, instance: ProcessInstance, actor: Any, reason: str = "", force: bool = False) -> None:
    """Cancel a running instance (its starter; ``force`` for domain code acting for the system)."""

    def work() -> None:
        inst = _lock(instance.pk)
        if inst.status not in (InstanceStatus.RUNNING, InstanceStatus.ERROR):
            raise TongbanError("workflow.not_running", _("流程已结束。"))
        if not force and getattr(actor, "pk", None) != inst.starter_id:
            raise PermissionDenied("workflow.not_starter", _("只有发起人可以撤销流程。"))
        now = _now()
        WorkItem.objects.filter(instance=inst, status=WorkItemStatus.OPEN).update(
            status=WorkItemStatus.CANCELLED, completed_at=now
        )
        inst.status = InstanceStatus.CANCELLED
        inst.finished_at = now
        inst.save(update_fields=["status", "finished_at"])
        audit.record("workflow.instance_cancelled", actor=actor, obj=inst, message=reason[:500])
        _fire("instance_cancelled", inst, None)
        instance.status, instance.finished_at = inst.status, inst.finished_at

    with transaction.atomic():
        work()


def instance_recover(*, instance: ProcessInstance, actor: Any) -> None:
    """A system administrator puts an instance in error back to running (after fixing the cause)."""
    if not getattr(actor, "is_system_admin", False):
        raise PermissionDenied("workflow.not_admin", _("只有系统管理员可以恢复流程。"))
    with transaction.atomic():
        inst = _lock(instance.pk)
        if inst.status != InstanceStatus.ERROR:
            return
        inst.status = InstanceStatus.RUNNING
        inst.save(update_fields=["status"])
        audit.record("workflow.instance_recovered", actor=actor, obj=inst, old={"error": inst.error})


# --- items ------------------------------------------------------------------------------------
def item_complete(
    *, item: WorkItem, actor: Any, opinion: str = "", data: dict[str, Any] | None = None
) -> WorkItem:
    """Submit an item with an opinion (意见) and case data (``next_assignees`` for a ``chosen`` step)."""
    clean = _clean_data(data)

    def work() -> WorkItem:
        inst, it = _lock_item(item)
        if it.kind != WorkItemKind.TASK:
            raise TongbanError("workflow.not_task", _("阅知事项请使用“已阅”。"))
        _require_running(inst)
        _require_can_act(it, actor)
        now = _now()
        it.status = WorkItemStatus.DONE
        it.completed_at = now
        it.completed_by = actor
        it.action = "submit"
        it.opinion = (opinion or "").strip()[:4000]
        it.payload = clean
        if it.read_at is None:
            it.read_at = now
        it.save()
        siblings = WorkItem.objects.filter(
            instance=inst, task_id=it.task_id, status=WorkItemStatus.OPEN
        ).exclude(pk=it.pk)
        if it.parent_id is None:
            # competing assignees of the same task: the first one completes it
            siblings.filter(parent__isnull=True).update(status=WorkItemStatus.CANCELLED, completed_at=now)
        audit.record(
            "workflow.item_completed",
            actor=actor,
            obj=it,
            new={"step": it.step, "opinion": it.opinion[:200], "data": sorted(clean)},
        )
        _fire("item_done", inst, it)
        if siblings.exists():
            return it  # waits for 加签 signers (or the original item)
        primary = it
        if it.parent_id is not None:
            primary = (
                WorkItem.objects.filter(
                    instance=inst, task_id=it.task_id, parent__isnull=True, status=WorkItemStatus.DONE
                )
                .order_by("-completed_at", "-pk")
                .first()
                or it
            )
        wf = engine.workflow_load(inst.state_json)
        _run_task(wf, it.task_id, primary.payload)
        _sync(inst, wf, actor=actor, source_item=it)
        _save(inst, wf)
        for f in ("status", "completed_at", "completed_by_id", "action", "opinion", "payload", "read_at"):
            setattr(item, f, getattr(it, f))
        return it

    return _run(work, item.instance_id, actor)


def _ancestor_steps(task: Any) -> list[Any]:
    """Completed user tasks on the path to ``task``, nearest first, one per step."""
    out, seen = [], set()
    t = task.parent
    while t is not None:
        spec = t.task_spec
        if getattr(spec, "manual", False) and t.state == engine.TaskState.COMPLETED:
            sid = spec.bpmn_id or spec.name
            if sid not in seen and sid != (task.task_spec.bpmn_id or task.task_spec.name):
                seen.add(sid)
                out.append(t)
        t = t.parent
    return out


def returnable_tasks(inst: ProcessInstance, item: WorkItem) -> list[Any]:
    wf = engine.workflow_load(inst.state_json)
    task = wf.get_task_from_id(item.task_id) if item.task_id else None
    if task is None:
        return []
    return _ancestor_steps(task)


def item_return(*, item: WorkItem, actor: Any, to_step: str, opinion: str = "") -> WorkItem:
    """退回 to ``to_step`` (an earlier completed step on this path); it goes back to whoever did it."""
    if not (opinion or "").strip():
        raise TongbanError("workflow.opinion_required", _("退回时请填写退回意见。"), field="opinion")

    def work() -> WorkItem:
        inst, it = _lock_item(item)
        _require_running(inst)
        _require_can_act(it, actor)
        _require_action(it, "return")
        if it.parent_id is not None:
            raise PermissionDenied("workflow.signer_cannot_return", _("加签人不能退回，请填写意见后提交。"))
        wf = engine.workflow_load(inst.state_json)
        task = wf.get_task_from_id(it.task_id)
        target = (
            next(
                (t for t in _ancestor_steps(task) if (t.task_spec.bpmn_id or t.task_spec.name) == to_step),
                None,
            )
            if task
            else None
        )
        if target is None:
            raise TongbanError("workflow.bad_step", _("不能退回到该环节。"), field="to_step")
        now = _now()
        it.status = WorkItemStatus.DONE
        it.completed_at = now
        it.completed_by = actor
        it.action = "return"
        it.opinion = opinion.strip()[:4000]
        if it.read_at is None:
            it.read_at = now
        it.save()
        last = (
            WorkItem.objects.filter(
                instance=inst, task_id=target.id, status=WorkItemStatus.DONE, action="submit"
            )
            .select_related("completed_by")
            .order_by("-completed_at", "-pk")
            .first()
        )
        # signers' items of the current task are closed by the sync below
        wf.reset_from_task_id(target.id)
        wf.do_engine_steps()
        overrides = {}
        if last is not None and last.completed_by is not None and last.completed_by.is_active:
            overrides[target.id] = Assignee(user=last.completed_by)
        _sync(inst, wf, actor=actor, source_item=it, overrides=overrides)
        _save(inst, wf)
        audit.record(
            "workflow.item_returned",
            actor=actor,
            obj=it,
            new={"from": it.step, "to": to_step, "opinion": it.opinion[:200]},
        )
        _fire("item_returned", inst, it)
        return it

    return _run(work, item.instance_id, actor)


def item_transfer(*, item: WorkItem, actor: Any, to_user: Any, opinion: str = "") -> WorkItem:
    """转办: hand an open item to another person; returns the new item."""

    def work() -> WorkItem:
        inst, it = _lock_item(item)
        _require_running(inst)
        _require_can_act(it, actor)
        _require_action(it, "transfer")
        if to_user is None or not to_user.is_active or to_user.pk == actor.pk:
            raise TongbanError("workflow.bad_user", _("请选择另一位在职人员。"), field="to_user")
        if getattr(to_user, "admin_role", ""):
            raise TongbanError("workflow.bad_user", _("不能转给管理员账号。"), field="to_user")
        now = _now()
        it.status = WorkItemStatus.DONE
        it.completed_at = now
        it.completed_by = actor
        it.action = "transfer"
        it.opinion = (opinion or "").strip()[:4000]
        it.save()
        new = _new_item(
            inst,
            task_id=it.task_id,
            step=it.step,
            step_name=it.step_name,
            assignee=Assignee(user=to_user),
            actor=actor,
            source_item=it,
            due_at=it.due_at,
            parent=it.parent,
            payload=it.payload,
        )
        audit.record(
            "workflow.item_transferred",
            actor=actor,
            obj=it,
            new={"to": to_user.pk, "new_item": new.pk, "opinion": it.opinion[:200]},
        )
        _fire("item_opened", inst, new)
        transaction.on_commit(lambda: _notify_opened(new.pk))
        return new

    return _run(work, item.instance_id, actor)


def item_withdraw(*, item: WorkItem, actor: Any) -> WorkItem:
    """撤回 a completed item while nothing it opened has been acted on or read; returns the reopened item."""

    def work() -> WorkItem:
        inst, it = _lock_item(item)
        _require_running(inst)
        if it.kind != WorkItemKind.TASK or it.status != WorkItemStatus.DONE or it.action != "submit":
            raise TongbanError("workflow.cannot_withdraw", _("只能撤回已提交的事项。"))
        if it.completed_by_id != getattr(actor, "pk", None):
            raise PermissionDenied("workflow.not_completer", _("只有办理人本人可以撤回。"))
        _require_action(it, "withdraw")
        opened = list(WorkItem.objects.select_for_update().filter(source_item=it))
        if any(o.status != WorkItemStatus.OPEN or o.read_at is not None for o in opened):
            raise TongbanError("workflow.already_acted", _("下一环节已阅或已办理，不能撤回。"))
        wf = engine.workflow_load(inst.state_json)
        task = wf.get_task_from_id(it.task_id)
        if task is None:
            raise TongbanError("workflow.cannot_withdraw", _("流程已继续，不能撤回。"))
        now = _now()
        if task.state != engine.TaskState.READY:
            # the completion ran the task: nothing after it may have completed since
            later = (
                WorkItem.objects.filter(
                    instance=inst, kind=WorkItemKind.TASK, completed_at__gt=it.completed_at
                )
                .exclude(pk__in=[o.pk for o in opened])
                .exclude(status=WorkItemStatus.CANCELLED)
            )
            if later.exists() or task.state != engine.TaskState.COMPLETED:
                raise TongbanError("workflow.already_acted", _("下一环节已阅或已办理，不能撤回。"))
            for o in opened:
                o.status = WorkItemStatus.WITHDRAWN
                o.completed_at = now
            WorkItem.objects.bulk_update(opened, ["status", "completed_at"])
            wf.reset_from_task_id(it.task_id)
            wf.do_engine_steps()
        it.status = WorkItemStatus.WITHDRAWN
        it.save(update_fields=["status"])
        reopened = _new_item(
            inst,
            task_id=it.task_id,
            step=it.step,
            step_name=it.step_name,
            assignee=Assignee(user=actor),
            actor=actor,
            source_item=it.source_item,
            due_at=it.due_at,
            parent=it.parent,
        )
        reopened.delegated_from = None
        reopened.assignee = actor
        reopened.read_at = now
        reopened.save(update_fields=["delegated_from", "assignee", "read_at"])
        _sync(inst, wf, actor=actor, source_item=it.source_item)
        _save(inst, wf)
        audit.record("workflow.item_withdrawn", actor=actor, obj=it, new={"reopened": reopened.pk})
        _fire("item_opened", inst, reopened)
        return reopened

    return _run(work, item.instance_id, actor)


def item_add_signer(*, item: WorkItem, actor: Any, signer: Any, opinion: str = "") -> WorkItem:
    """加签: ``signer`` must also complete this step before it moves on; returns the signer's item."""

    def work() -> WorkItem:
        inst, it = _lock_item(item)
        _require_running(inst)
        _require_can_act(it, actor)
        _require_action(it, "add_signer")
        if (
            signer is None
            or not signer.is_active
            or signer.pk == actor.pk
            or getattr(signer, "admin_role", "")
        ):
            raise TongbanError("workflow.bad_user", _("请选择另一位在职人员。"), field="signer")
        if WorkItem.objects.filter(
            instance=inst, task_id=it.task_id, status=WorkItemStatus.OPEN, assignee=signer
        ).exists():
            raise TongbanError("workflow.already_signer", _("该人员已在本环节办理。"), field="signer")
        new = _new_item(
            inst,
            task_id=it.task_id,
            step=it.step,
            step_name=it.step_name,
            assignee=Assignee(user=signer),
            actor=actor,
            source_item=None,
            due_at=it.due_at,
            parent=it,
            payload={"note": (opinion or "").strip()[:500]} if opinion else {},
        )
        audit.record("workflow.signer_added", actor=actor, obj=it, new={"signer": signer.pk, "item": new.pk})
        _fire("item_opened", inst, new)
        transaction.on_commit(lambda: _notify_opened(new.pk))
        return new

    return _run(work, item.instance_id, actor)


def copy_for_reading(
    *,
    instance: ProcessInstance,
    actor: Any,
    users: Iterable[Any],
    note: str = "",
    item: WorkItem | None = None,
    enforce_actions: bool = True,
    step_name: str = "",
) -> list[WorkItem]:
    """抄送/阅知/传阅: READ items for ``users`` (those who already have an unread one are skipped).

    The actor needs an item on the instance whose step allows ``cc`` (``item`` names it), or to be
    the starter; domain code acting for the system passes ``enforce_actions=False``."""
    targets = {u.pk: u for u in users if u is not None and u.is_active}
    if not targets:
        raise TongbanError("workflow.no_readers", _("请选择阅知人员。"), field="users")
    with transaction.atomic():
        inst = _lock(instance.pk)
        if inst.status == InstanceStatus.CANCELLED:
            raise TongbanError("workflow.not_running", _("流程已撤销。"))
        if enforce_actions:
            candidates = (
                [item]
                if item is not None
                else list(WorkItem.objects.filter(instance=inst, kind=WorkItemKind.TASK))
            )
            allowed = any(
                c.instance_id == inst.pk
                and (c.assignee_id == actor.pk or c.completed_by_id == actor.pk or user_can_act(c, actor))
                and "cc"
                in step_properties(inst.definition, c.step).get("actions", "").replace(" ", "").split(",")
                for c in candidates
            )
            if not allowed and actor.pk != inst.starter_id:
                raise PermissionDenied("workflow.action_not_allowed", _("您不能抄送该事项。"))
        already = set(
            WorkItem.objects.filter(
                instance=inst, kind=WorkItemKind.READ, status=WorkItemStatus.OPEN, assignee_id__in=targets
            ).values_list("assignee_id", flat=True)
        )
        created = []
        for uid, user in targets.items():
            if uid in already:
                continue
            created.append(
                WorkItem(
                    county_id=inst.county_id,
                    instance=inst,
                    kind=WorkItemKind.READ,
                    step="read",
                    step_name=(step_name or _("阅知"))[:100],
                    title=inst.title,
                    subject_type=inst.subject_type,
                    subject_id=inst.subject_id,
                    urgency=inst.urgency,
                    assignee=user,
                    sender=actor if getattr(actor, "pk", None) else None,
                    payload={"note": note.strip()[:500]} if note else {},
                )
            )
        WorkItem.objects.bulk_create(created)
        if created:
            created = list(
                WorkItem.objects.filter(
                    instance=inst,
                    kind=WorkItemKind.READ,
                    status=WorkItemStatus.OPEN,
                    assignee_id__in=[c.assignee_id for c in created],
                ).select_related("assignee")
            )
            audit.record(
                "workflow.copied_for_reading",
                actor=actor,
                obj=inst,
                new={"users": sorted(c.assignee_id for c in created), "note": note[:200]},
            )
            for c in created:
                _fire("item_opened", inst, c)
            ids = [c.pk for c in created]
            title = _("待阅：%(title)s") % {"title": inst.title}

            def send() -> None:
                from tongban.notify.services import notify

                rows = WorkItem.objects.filter(pk__in=ids).select_related("assignee")
                notify(
                    users=[r.assignee for r in rows],
                    event="workflow.toread",
                    title=title,
                    body=note[:500],
                    url=registry.subject_url(inst.subject_type, inst.subject_id),
                    dedupe_key=f"wf-read:{inst.pk}:{min(ids)}",
                )

            transaction.on_commit(send)
        return created


def item_mark_read(*, item: WorkItem, actor: Any, opinion: str = "") -> WorkItem:
    """已阅 for a READ item (it moves to 已阅); for a TASK item, records that its assignee has seen
    it (which ends the previous step's right to withdraw)."""
    with transaction.atomic():
        it = WorkItem.objects.select_for_update().select_related("instance").get(pk=item.pk)
        now = _now()
        if it.kind == WorkItemKind.READ:
            if it.assignee_id != getattr(actor, "pk", None):
                raise PermissionDenied("workflow.not_assignee", _("这不是您的阅知事项。"))
            if it.status != WorkItemStatus.OPEN:
                return it
            it.status = WorkItemStatus.DONE
            it.read_at = it.read_at or now
            it.completed_at = now
            it.completed_by = actor
            it.action = "read"
            it.opinion = (opinion or "").strip()[:2000]
            it.save()
            audit.record("workflow.item_read", actor=actor, obj=it)
            _fire("item_done", it.instance, it)
        elif it.read_at is None and user_can_act(it, actor):
            it.read_at = now
            it.save(update_fields=["read_at"])
        item.status, item.read_at = it.status, it.read_at
        return it


def item_urge(*, item: WorkItem, actor: Any, message: str = "") -> None:
    """催办: remind the assignee (in-app and SMS); at most once an hour per item. Allowed to the
    instance's starter and to whoever sent the item."""
    with transaction.atomic():
        it = (
            WorkItem.objects.select_for_update(of=("self",))
            .select_related("instance__definition", "assignee")
            .get(pk=item.pk)
        )
        inst = it.instance
        if it.status != WorkItemStatus.OPEN:
            raise TongbanError("workflow.item_closed", _("该事项已办理，无需催办。"))
        uid = getattr(actor, "pk", None)
        participant = WorkItem.objects.filter(instance=inst, completed_by_id=uid).exists()
        if uid not in (inst.starter_id, it.sender_id) and not participant:
            raise PermissionDenied("workflow.cannot_urge", _("只有发起人或前一环节办理人可以催办。"))
        if it.kind == WorkItemKind.TASK:
            _require_action(it, "urge")
        now = _now()
        if it.last_urged_at and now - it.last_urged_at < URGE_INTERVAL:
            raise TongbanError("workflow.urged_recently", _("一小时内已催办过，请稍后再试。"))
        it.last_urged_at = now
        it.save(update_fields=["last_urged_at"])
        audit.record("workflow.item_urged", actor=actor, obj=it, message=message[:200])
        _notify_item(
            it,
            event="workflow.urge",
            title=_("催办：请尽快办理“%(title)s”（%(step)s）") % {"title": it.title, "step": it.step_name},
            body=message[:200],
            actor=actor,
            dedupe=f"wf-urge:{it.pk}:{now:%Y%m%d%H%M%S}",
        )


# --- delegations ------------------------------------------------------------------------------
def delegation_create(
    *, actor: Any, delegate: Any, starts_on: date, ends_on: date, user: Any = None
) -> Delegation:
    """委托: from ``starts_on`` to ``ends_on`` new items for ``actor`` go to ``delegate``."""
    from tongban.orgs import selectors as org_selectors

    user = user or actor
    if user.pk != actor.pk:
        raise PermissionDenied("workflow.not_own", _("只能为本人设置委托。"))
    if (
        delegate is None
        or not delegate.is_active
        or delegate.pk == user.pk
        or getattr(delegate, "admin_role", "")
    ):
        raise TongbanError("workflow.bad_user", _("请选择另一位在职人员作为受托人。"), field="delegate")
    if ends_on < starts_on:
        raise TongbanError("workflow.bad_dates", _("结束日期不能早于开始日期。"), field="ends_on")
    if ends_on < timezone.localdate():
        raise TongbanError("workflow.bad_dates", _("结束日期不能早于今天。"), field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise TongbanError("workflow.bad_dates", _("委托期限不能超过一年。"), field="ends_on")
    county = org_selectors.county_for_user(user)
    if county is None:
        raise TongbanError("workflow.no_county", _("找不到所属的县。"))
    with transaction.atomic():
        overlapping = Delegation.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise TongbanError("workflow.overlap", _("该时间段已有委托，请先取消原委托。"), field="starts_on")
        d = Delegation.objects.create(
            county=county, user=user, delegate=delegate, starts_on=starts_on, ends_on=ends_on
        )
        audit.record(
            "workflow.delegation_created",
            actor=actor,
            obj=d,
            new={"delegate": delegate.pk, "starts_on": starts_on, "ends_on": ends_on},
        )
        return d


def delegation_revoke(*, delegation: Delegation, actor: Any) -> None:
    with transaction.atomic():
        d = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if d.user_id != getattr(actor, "pk", None):
            raise NotFound("workflow.no_delegation", _("找不到该委托。"))
        if d.revoked_at is not None:
            return
        d.revoked_at = _now()
        d.save(update_fields=["revoked_at"])
        audit.record("workflow.delegation_revoked", actor=actor, obj=d)
        delegation.revoked_at = d.revoked_at


# --- deadline reminders (periodic) --------------------------------------------------------------
def items_remind_due(*, now: datetime | None = None) -> int:
    """Remind assignees of open items one working day before the deadline and once overdue.
    ``reminded`` on the row and the notification dedupe key make sure neither repeats."""
    now = now or _now()
    today = timezone.localtime(now).date()
    sent = 0
    rows = (
        WorkItem.objects.filter(kind=WorkItemKind.TASK, status=WorkItemStatus.OPEN, due_at__isnull=False)
        .exclude(reminded="overdue")
        .select_related("assignee")
        .order_by("due_at")
    )
    horizon = datetime.combine(add_workdays(today, 2), time(0, 0), tzinfo=_tz())
    for item in rows.filter(due_at__lt=horizon).iterator(chunk_size=500):
        due_day = timezone.localtime(item.due_at).date()
        if item.due_at < now:
            stage = "overdue"
            title = _("已超期：%(title)s（%(step)s）") % {"title": item.title, "step": item.step_name}
        elif item.reminded == "" and workdays_between(today, due_day) <= 1:
            stage = "before"
            title = _("即将到期：%(title)s（%(step)s）") % {"title": item.title, "step": item.step_name}
        else:
            continue
        with transaction.atomic():
            updated = (
                WorkItem.objects.filter(pk=item.pk, status=WorkItemStatus.OPEN)
                .exclude(reminded=stage)
                .update(reminded=stage)
            )
            if not updated:
                continue
            _notify_item(item, event="workflow.due", title=title, dedupe=f"wf-due:{item.pk}:{stage}")
            sent += 1
    return sent
