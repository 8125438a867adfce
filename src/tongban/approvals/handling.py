"""Handling a case on the staff side (办件办理): the pre-acceptance check, the workflow steps,
pause, extension, decision, certificate, fees and withdrawal. The only writers of a case after
it was filed.

Every service is atomic, takes the case's row lock (``clock.lock_case``) before it reads the
state, checks state, role and unit, records the clock event through ``clock.record_event`` (so
the dates on the row and the supervision listeners follow at once), issues the written notice to
the applicant through ``papers.notice_issue`` and writes an audit record.

Rules (rules.md §3; 中华人民共和国行政许可法):
- 第三十二条: within 5 working days of receipt the unit accepts (受理), refuses to accept (不予受理,
  with the reason) or tells the applicant ONCE everything that is missing (一次性告知补正). A notice
  later than that, or a second one, is allowed only with a stated reason and is recorded (the
  supervision flags it from the event). A window that passes with no decision: the application
  is deemed accepted on the day the window began (:func:`cases_deem_accepted`).
- 第四十二条: the decision within the statutory limit, extended once by the unit head by up to
  10 working days (15 for joint handling), the reason told to the applicant.
- 第四十五条: only 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 stop the clock, and the applicant is
  told in writing.
- 第三十八条: a refusal states its reasons and the applicant's right to 行政复议 or 行政诉讼.
- 第四十四条: the certificate is issued and served within 10 working days of the decision.

The steps after acceptance run in the workflow engine (approvals/bpmn/*.bpmn, one user task per
step key of :mod:`tongban.approvals.processes`); :func:`on_workflow_event` records each step's
start and end as clock events with the step's own limit and keeps ``Case.handler`` and
``Case.current_step`` current."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.approvals import clock, processes
from tongban.approvals.models import (
    OPEN_STATUSES,
    Case,
    CaseFee,
    CaseStatus,
    ClockState,
    Decision,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    ItemMaterial,
    ItemStep,
    NoticeKind,
    PauseReason,
    RejectReason,
    SupplementRequest,
)
from tongban.core import audit
from tongban.core import clock as core_clock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.orgs.models import BusinessRole, RoleGrant

logger = logging.getLogger(__name__)
SUBJECT_TYPE = "approvals.case"
MAX_TEXT = 4000
MAX_PAUSE_DAYS = 250

# 行政许可法第三十八条第二款, 行政复议法第二十条, 行政诉讼法第四十六条: the default text offered.
DEFAULT_APPEAL_RIGHTS = (
    "如不服本决定，可以自收到本决定书之日起六十日内向本级人民政府申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)

HANDLER_ROLES = (BusinessRole.CASE_HANDLER, BusinessRole.UNIT_LEADER)

# Seeding only (demo_handling): the time the services' clock events carry. The demo builds its
# cases over past weeks through these same services; nothing else sets it.
_AT: ContextVar[datetime | None] = ContextVar("approvals_handling_at", default=None)


@contextmanager
def backdated(at: datetime) -> Iterator[None]:
    """Seeding only: within the block, events, requests and checks use ``at`` as "now"."""
    token = _AT.set(at)
    try:
        yield
    finally:
        _AT.reset(token)


def _now() -> datetime:
    return _AT.get() or core_clock.now()


def _today() -> date:
    return timezone.localdate(_now())


def _record(case: Case, kind: str, *, actor: Any = None, data: dict[str, Any] | None = None) -> Any:
    return clock.record_event(case, kind, actor=actor, data=data, at=_AT.get())


# --- who may do what ----------------------------------------------------------------------------
def _roles_in(user: Any, unit_id: int) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(RoleGrant.objects.filter(user=user, unit_id=unit_id).values_list("role", flat=True))


def _is_supervisor(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "pk", None)
        and RoleGrant.objects.filter(user=user, role=BusinessRole.SUPERVISOR).exists()
    )


def _require_handler(case: Case, actor: Any, *, roles: tuple[str, ...] = HANDLER_ROLES) -> None:
    """The actor handles cases of ``case.unit`` (审批人员 or 单位领导 there). Supervisors read every
    case but never act on one (电子监察 watches; it does not handle)."""
    held = _roles_in(actor, case.unit_id)
    if held & set(roles):
        return
    if _is_supervisor(actor):
        raise PermissionDenied("approvals.supervisor_read_only", _("监察人员只能查阅办件，不能办理。"))
    raise PermissionDenied("approvals.not_handler", _("您不是该办件所属单位的审批人员，不能办理。"))


def _require_status(case: Case, *statuses: str, message: Any = None) -> None:
    if case.status not in statuses:
        raise TongbanError(
            "approvals.wrong_state",
            message or _("办件当前状态为“%(s)s”，不能进行此操作。") % {"s": CaseStatus(case.status).label},
        )


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return str(value or "").strip()[:limit]


def _lock(case: Case | int) -> Case:
    return clock.lock_case(case if isinstance(case, int) else case.pk)


def _notice(case: Case, kind: str, actor: Any, **ctx: Any) -> Any:
    from tongban.approvals import papers

    return papers.notice_issue(case=case, kind=kind, actor=actor, **ctx)


def _audit(event: str, case: Case, actor: Any, **new: Any) -> None:
    audit.record(
        f"approvals.{event}",
        actor=actor,
        obj=case,
        unit_id=case.unit_id,
        new=new or None,
        actor_name="" if getattr(actor, "pk", None) else "system",
    )


def _window_passed(case: Case, today: date | None = None) -> bool:
    today = today or _today()
    return bool(
        case.status == CaseStatus.SUBMITTED
        and case.clock_state == ClockState.PRE_ACCEPTANCE
        and case.preaccept_due
        and today > case.preaccept_due
    )


# --- the workflow ---------------------------------------------------------------------------------
def _step_rows(case: Case) -> dict[str, ItemStep]:
    return {s.key: s for s in ItemStep.objects.filter(version_id=case.version_id)}


def _workflow_data(case: Case, actor: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"unit_id": case.unit_id, "case_id": case.pk}
    if getattr(actor, "pk", None) and BusinessRole.CASE_HANDLER in _roles_in(actor, case.unit_id):
        data["handler_id"] = actor.pk
    for key in processes.step_keys(case.version.process_key):
        step = _step_rows(case).get(key)
        if step is not None and step.limit:
            data[f"limit_{key}"] = int(step.limit)
    return data


def _starter_for(case: Case, actor: Any) -> Any:
    """Who starts the instance: the actor; for a deemed acceptance (no actor) the unit's first
    case handler, else its head — the system accepts on the unit's behalf."""
    if getattr(actor, "pk", None):
        return actor
    for role in (BusinessRole.CASE_HANDLER, BusinessRole.UNIT_LEADER):
        grant = (
            RoleGrant.objects.filter(unit_id=case.unit_id, role=role, user__is_active=True)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if grant is not None:
            return grant.user
    from tongban.orgs.models import Post

    post = (
        Post.objects.filter(unit_id=case.unit_id, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if post is not None:
        return post.user
    raise TongbanError("approvals.no_handler", _("办理单位没有审批人员，无法启动办理流程。"))


def _start_workflow(case: Case, actor: Any) -> None:
    from tongban.workflow import services as wf

    inst = wf.instance_start(
        key=case.version.process_key or processes.DEFAULT_PROCESS,
        subject_type=SUBJECT_TYPE,
        subject_id=case.pk,
        title=f"{case.tracking_no} {case.item.name} — {case.applicant_name}"[:200],
        actor=_starter_for(case, actor),
        unit=case.unit,
        county=case.county,
        data=_workflow_data(case, actor),
    )
    Case.objects.filter(pk=case.pk).update(instance=inst)
    case.instance = inst


def open_items(case: Case) -> list[Any]:
    """The open TASK work items of the case's instance (the step now being handled)."""
    from tongban.workflow.models import WorkItem, WorkItemKind, WorkItemStatus

    if not case.instance_id:
        return []
    return list(
        WorkItem.objects.filter(
            instance_id=case.instance_id, kind=WorkItemKind.TASK, status=WorkItemStatus.OPEN
        ).order_by("pk")
    )


def _item_for(case: Case, actor: Any, steps: tuple[str, ...]) -> Any:
    """The open item of one of ``steps`` that ``actor`` may complete, or a clear refusal."""
    from tongban.workflow import services as wf

    items = [i for i in open_items(case) if i.step in steps]
    if not items:
        current = case.current_step or "—"
        raise TongbanError(
            "approvals.wrong_step",
            _("办件当前不在该环节（当前环节：%(s)s）。") % {"s": _step_name(case, current)},
        )
    for item in items:
        if wf.user_can_act(item, actor) and item.parent_id is None:
            return item
    if _is_supervisor(actor) and not _roles_in(actor, case.unit_id):
        raise PermissionDenied("approvals.supervisor_read_only", _("监察人员只能查阅办件，不能办理。"))
    raise PermissionDenied(
        "approvals.not_assignee",
        _("“%(s)s”环节不由您办理。") % {"s": items[0].step_name},
    )


def _step_name(case: Case, key: str) -> str:
    return dict(step_names(case.version.process_key)).get(key, key)


def step_names(process_key: str) -> list[tuple[str, str]]:
    """The (key, name) of each step of a process (:data:`processes.PROCESSES`)."""
    spec = processes.PROCESSES.get(process_key) or {}
    steps: Any = spec.get("steps", [])
    return [(str(k), str(n)) for k, n in steps]


# Set while a handling service completes a step: a step of a case is completed only here (the
# generic workflow "submit" would skip the review opinion, the decision and the certificate).
_IN_SERVICE: ContextVar[bool] = ContextVar("approvals_handling_service", default=False)


def _complete(item: Any, actor: Any, opinion: str, data: dict[str, Any] | None = None) -> None:
    from tongban.workflow import services as wf

    token = _IN_SERVICE.set(True)
    try:
        wf.item_complete(item=item, actor=actor, opinion=opinion, data=data or {})
    finally:
        _IN_SERVICE.reset(token)


def approvals_handler_rule(ctx: Any) -> list[Any]:
    """Assignee rule ``approvals_handler``: the handler who accepted the case (case data
    ``handler_id``) while they still hold 审批人员 in the case's unit; otherwise pooled to the
    unit's 审批人员."""
    from tongban.identity.models import User
    from tongban.orgs.models import Unit
    from tongban.workflow.registry import Assignee

    unit = Unit.objects.filter(pk=ctx.data.get("unit_id"), county_id=ctx.instance.county_id).first()
    unit = unit or ctx.instance.starter_unit
    if unit is None:
        return []
    uid = ctx.data.get("handler_id")
    if uid and RoleGrant.objects.filter(user_id=uid, unit=unit, role=BusinessRole.CASE_HANDLER).exists():
        user = User.objects.filter(pk=uid, is_active=True).first()
        if user is not None:
            return [Assignee(user=user)]
    return [Assignee(unit=unit, role=BusinessRole.CASE_HANDLER)]


def on_workflow_event(event: str, instance: Any, item: Any) -> None:
    """Workflow listener (subject ``approvals.case``): a step that opens records STEP_STARTED with
    the step's own limit from the case version's :class:`ItemStep` (key, name, limit, counts); a
    step that is done (or returned) records STEP_COMPLETED. ``Case.current_step`` follows the
    open step and ``Case.handler`` the person it is assigned to (a step pooled to a role keeps
    the previous handler)."""
    from tongban.workflow.models import WorkItem, WorkItemKind, WorkItemStatus

    if getattr(instance, "subject_type", "") != SUBJECT_TYPE or item is None:
        return
    if item.kind != WorkItemKind.TASK or item.parent_id is not None:
        return
    case = clock.lock_case(instance.subject_id)
    if event == "item_opened":
        source = item.source_item
        again = (source is not None and source.task_id == item.task_id) or (
            WorkItem.objects.filter(instance=instance, task_id=item.task_id, status=WorkItemStatus.OPEN)
            .exclude(pk=item.pk)
            .exists()
        )
        if not again:
            step = _step_rows(case).get(item.step)
            _record(
                case,
                EventKind.STEP_STARTED,
                actor=item.sender,
                data={
                    "key": item.step,
                    "name": step.name if step else item.step_name,
                    "limit": int(step.limit) if step else 0,
                    "counts": bool(step.counts) if step else True,
                },
            )
        fields: dict[str, Any] = {"current_step": item.step}
        if item.assignee_id:
            fields["handler_id"] = item.assignee_id
        Case.objects.filter(pk=case.pk).update(**fields)
    elif event in ("item_done", "item_returned"):
        if event == "item_done" and item.action != "submit":
            return
        if event == "item_done" and not _IN_SERVICE.get():
            raise PermissionDenied(
                "approvals.use_case_page",
                _("审批办件的审查、决定和制证请在办件页面办理。"),
            )
        data: dict[str, Any] = {"key": item.step, "name": item.step_name}
        if event == "item_returned":
            data["returned"] = True
        if item.opinion:
            data["opinion"] = item.opinion[:500]
        _record(case, EventKind.STEP_COMPLETED, actor=item.completed_by, data=data)
        Case.objects.filter(pk=case.pk, current_step=item.step).update(current_step="")


def _cancel_workflow(case: Case, actor: Any, reason: str) -> None:
    from tongban.workflow import services as wf
    from tongban.workflow.models import InstanceStatus, ProcessInstance

    if not case.instance_id:
        return
    inst = ProcessInstance.objects.filter(pk=case.instance_id).first()
    if inst is not None and inst.status in (InstanceStatus.RUNNING, InstanceStatus.ERROR):
        wf.instance_cancel(instance=inst, actor=actor, reason=reason, force=True)


# --- pre-acceptance (第三十二条) ------------------------------------------------------------------
def _deem(case: Case, actor: Any) -> None:
    """Store DEEMED_ACCEPTED for a case whose acceptance window has passed (the lock is held)."""
    c = clock.case_clock(case)
    as_of = c.window_start or case.received_on
    _record(case, EventKind.DEEMED_ACCEPTED, actor=actor, data={"as_of": as_of.isoformat()})
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED)
    case.status = CaseStatus.ACCEPTED


def _deem_and_start(case: Case, actor: Any) -> None:
    """The deemed acceptance is stored and told whatever happens next (第三十二条 is not at the
    unit's discretion); a unit with nobody to start its process leaves the case accepted without
    one, logged for the administrator."""
    _deem(case, actor)
    case.refresh_from_db()
    _notice(case, NoticeKind.ACCEPTANCE, actor, deemed=True, accepted_on=case.accepted_on)
    try:
        with transaction.atomic():
            _start_workflow(case, actor)
    except TongbanError:
        logger.exception("approvals: no process started for deemed-accepted case %s", case.pk)


def on_case_event(case: Case, event: Any) -> None:
    """Case listener: a withdrawal (by the applicant online, or recorded by staff) cancels the
    case's process so no step stays in anybody's inbox."""
    if event.kind == EventKind.WITHDRAWN and case.instance_id:
        _cancel_workflow(case, None, _("申请人撤回申请"))


def case_accept(*, case: Case, actor: Any, note: str = "") -> Case:
    """受理 (第三十二条): a case awaiting acceptance is accepted; the 受理通知书 goes to the applicant
    and the item's process starts with each step's own limit. After the 5-day window the case was
    already deemed accepted on the day the window began: that date is kept (DEEMED_ACCEPTED is
    stored first)."""
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.SUBMITTED)
        deemed = _window_passed(case)
        if deemed:
            _deem(case, actor)
        _record(case, EventKind.ACCEPTED, actor=actor, data={"note": _text(note, 500)})
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED)
        case.status = CaseStatus.ACCEPTED
        _notice(case, NoticeKind.ACCEPTANCE, actor, deemed=deemed, accepted_on=case.accepted_on)
        _start_workflow(case, actor)
        _audit("case_accepted", case, actor, deemed=deemed)
    case.refresh_from_db()
    return case


def case_reject(*, case: Case, actor: Any, reason: str, text: str) -> Case:
    """不予受理 (第三十二条第一款): the reason from the statutory list and the facts in words are
    both required; the notice tells the applicant the reason and the right to 行政复议 or
    行政诉讼. Once the window has passed the case is deemed accepted and can only be refused by a
    decision (不予许可)."""
    reason = str(reason or "")
    text = _text(text)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.SUBMITTED)
        if reason not in RejectReason.values:
            raise TongbanError("approvals.reason_required", _("请选择不予受理的理由。"), field="reason")
        if not text:
            raise TongbanError("approvals.text_required", _("请写明不予受理的具体事实和理由。"), field="text")
        if _window_passed(case):
            raise TongbanError(
                "approvals.deemed_accepted",
                _(
                    "受理审查期限已届满，依法视为受理（第三十二条），不能再作不予受理决定；请受理后依法作出决定。"
                ),
            )
        label = str(RejectReason(reason).label)
        _record(
            case,
            EventKind.REJECTED,
            actor=actor,
            data={"reason": reason, "reason_label": label, "text": text[:1000]},
        )
        now = _now()
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.REJECTED, is_open=False, completed_at=now)
        case.status, case.is_open, case.completed_at = CaseStatus.REJECTED, False, now
        _notice(
            case,
            NoticeKind.REJECTION,
            actor,
            reason=reason,
            reason_label=label,
            text=text,
            appeal_rights=DEFAULT_APPEAL_RIGHTS,
        )
        _audit("case_rejected", case, actor, reason=reason, text=text[:200])
    case.refresh_from_db()
    return case


def case_request_supplement(
    *,
    case: Case,
    actor: Any,
    materials: list[Any] | None = None,
    items_text: str,
    late_reason: str = "",
) -> SupplementRequest:
    """一次性告知补正 (第三十二条第一款第四项): ONE notice listing every missing material and what
    else must be corrected. During the pre-acceptance check the clock stops until the applicant
    supplements (status 待补正). A notice after the 5-day window, a second notice on the same case,
    or one after acceptance (the clock keeps running) needs ``late_reason`` and is recorded with
    ``late`` / ``second`` / ``after_acceptance`` for the supervision."""
    items_text = _text(items_text)
    late_reason = _text(late_reason, 1000)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.PAUSED)
        ids = []
        for m in materials or []:
            ids.append(int(getattr(m, "pk", m)))
        mats = list(ItemMaterial.objects.filter(version_id=case.version_id, pk__in=ids))
        if len(mats) != len(set(ids)):
            raise TongbanError(
                "approvals.bad_material", _("所选材料不属于该事项的申请材料。"), field="materials"
            )
        if not mats and not items_text:
            raise TongbanError(
                "approvals.supplement_empty",
                _("请一次性列明需要补正的全部材料或内容。"),
                field="items_text",
            )
        late = _window_passed(case)
        previous = case.status
        second = SupplementRequest.objects.filter(case=case).exists()
        after = case.status != CaseStatus.SUBMITTED
        if (late or second or after) and not late_reason:
            if second:
                msg = _("该办件已发过补正告知。依法应一次性告知，再次告知须填写理由，并将记录在案。")
            elif after:
                msg = _("办件已受理，受理后要求补正须填写理由（期间不停止计时），并将记录在案。")
            else:
                msg = _(
                    "已超过收件后 5 个工作日的补正告知期限（第三十二条），逾期告知须填写理由，并将记录在案。"
                )
            raise TongbanError("approvals.late_reason_required", msg, field="late_reason")
        if late:
            # 第三十二条: the application already counts as accepted on the day the window began.
            _deem_and_start(case, actor)
            after, previous = True, CaseStatus.ACCEPTED
        now = _now()
        req = SupplementRequest.objects.create(
            case=case, items_text=items_text, late_reason=late_reason, requested_at=now, requested_by=actor
        )
        req.materials.set(mats)
        _record(
            case,
            EventKind.SUPPLEMENT_REQUESTED,
            actor=actor,
            data={
                "request": req.pk,
                "materials": [m.name for m in mats],
                "items_text": items_text[:1000],
                "late": late,
                "second": second,
                "after_acceptance": after,
                "reason": late_reason,
                "previous_status": previous,
            },
        )
        # The case waits for the applicant (applying.case_supplement answers and returns it to
        # ``previous_status``); after acceptance the clock keeps running meanwhile.
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.SUPPLEMENT)
        case.status = CaseStatus.SUPPLEMENT
        _notice(
            case,
            NoticeKind.SUPPLEMENT,
            actor,
            request=req,
            materials=[m.name for m in mats],
            items_text=items_text,
        )
        _audit("supplement_requested", case, actor, request=req.pk, late=late, second=second, after=after)
    return req


def cases_deem_accepted(*, today: date | None = None) -> int:
    """第三十二条: every case still awaiting acceptance whose 5-working-day window passed before
    ``today`` is deemed accepted on the day the window began (receipt, or the day the applicant
    supplemented): DEEMED_ACCEPTED with ``as_of``, status 办理中, the process starts and the
    applicant is told. Idempotent (a case already accepted is skipped under its lock)."""
    today = today or _today()
    ids = list(
        Case.objects.filter(
            is_open=True,
            status=CaseStatus.SUBMITTED,
            clock_state=ClockState.PRE_ACCEPTANCE,
            preaccept_due__lt=today,
        ).values_list("pk", flat=True)
    )
    n = 0
    for pk in ids:
        try:
            with transaction.atomic():
                case = clock.lock_case(pk)
                if not _window_passed(case, today):
                    continue
                _deem_and_start(case, None)
                _audit("case_deemed_accepted", case, None, as_of=str(case.accepted_on))
                n += 1
        except Exception:  # one case must not stop the sweep; it is tried again next time
            logger.exception("approvals: deemed acceptance of case %s failed", pk)
    return n


# --- the steps after acceptance ------------------------------------------------------------------
def step_complete(*, case: Case, actor: Any, opinion: str) -> Case:
    """Complete the review step now open (初审 / 审查) with the handler's opinion; the process
    moves to the next step (决定 by the unit head)."""
    opinion = _text(opinion)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        if case.status == CaseStatus.PAUSED:
            raise TongbanError("approvals.paused", _("办件已挂起，请先恢复办理。"))
        _require_status(case, CaseStatus.ACCEPTED)
        if not opinion:
            raise TongbanError("approvals.opinion_required", _("请填写审查意见。"), field="opinion")
        item = _item_for(case, actor, ("first_review", "review"))
        _complete(item, actor, opinion)
        _audit("step_completed", case, actor, step=item.step)
    case.refresh_from_db()
    return case


# --- pause (第四十五条) ------------------------------------------------------------------------------
def case_pause(*, case: Case, actor: Any, reason: str, expected_days: int, note: str = "") -> Case:
    """挂起 (第四十五条): only for 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审, with the expected
    number of working days; the time is not counted and the applicant is told in writing
    (特别程序告知书). The workflow items stay open; the case shows 挂起."""
    reason = str(reason or "")
    note = _text(note, 1000)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.ACCEPTED)
        if reason not in PauseReason.values:
            raise TongbanError(
                "approvals.pause_reason",
                _(
                    "只有听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审所需时间可以不计入期限（第四十五条）。"
                ),
                field="reason",
            )
        try:
            days = int(expected_days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise TongbanError(
                "approvals.pause_days",
                _("请填写预计所需的工作日（1–%(n)d）。") % {"n": MAX_PAUSE_DAYS},
                field="expected_days",
            )
        label = str(PauseReason(reason).label)
        _record(
            case,
            EventKind.PAUSED,
            actor=actor,
            data={"reason": reason, "reason_label": label, "expected_days": days, "note": note},
        )
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.PAUSED)
        case.status = CaseStatus.PAUSED
        _notice(
            case, NoticeKind.PAUSE, actor, reason=reason, reason_label=label, expected_days=days, note=note
        )
        _audit("case_paused", case, actor, reason=reason, expected_days=days)
    case.refresh_from_db()
    return case


def case_resume(*, case: Case, actor: Any, note: str = "") -> Case:
    """恢复办理: the pause ends; the working days it lasted are added to every deadline."""
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.PAUSED)
        _record(case, EventKind.RESUMED, actor=actor, data={"note": _text(note, 1000)})
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED)
        case.status = CaseStatus.ACCEPTED
        case.refresh_from_db()
        _notice(case, NoticeKind.RESUME, actor, note=_text(note, 1000), paused_days=case.paused_days)
        _audit("case_resumed", case, actor)
    return case


# --- extension (第四十二条) -------------------------------------------------------------------------
def extension_max(case: Case) -> int:
    return clock.EXTENSION_MAX_JOINT if case.version.joint else clock.EXTENSION_MAX


def extension_request(*, case: Case, actor: Any, days: int, reason: str) -> ExtensionRequest:
    """延期申请 (第四十二条): once per case, 1–10 working days (1–15 when the item is handled
    jointly), with the reason; the unit head approves or refuses (:func:`extension_decide`). A
    refused request may be followed by another; a pending or approved one may not."""
    reason = _text(reason, 2000)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.ACCEPTED, CaseStatus.PAUSED)
        if ExtensionRequest.objects.filter(
            case=case, status__in=[ExtensionStatus.PENDING, ExtensionStatus.APPROVED]
        ).exists():
            raise TongbanError(
                "approvals.extension_once", _("每个办件只能延期一次（第四十二条），已有延期申请。")
            )
        try:
            n = int(days)
        except (TypeError, ValueError):
            n = 0
        top = extension_max(case)
        if not 1 <= n <= top:
            raise TongbanError(
                "approvals.extension_days",
                _("延长期限为 1–%(n)d 个工作日（第四十二条）。") % {"n": top},
                field="days",
            )
        if not reason:
            raise TongbanError("approvals.reason_required", _("请填写延期理由。"), field="reason")
        req = ExtensionRequest.objects.create(
            case=case, days=n, reason=reason, requested_at=_now(), requested_by=actor
        )
        _audit("extension_requested", case, actor, request=req.pk, days=n)
        leaders = list(
            RoleGrant.objects.filter(
                unit_id=case.unit_id, role=BusinessRole.UNIT_LEADER, user__is_active=True
            ).values_list("user_id", flat=True)
        )
        pk, title = case.pk, case.tracking_no

        def tell() -> None:
            from django.urls import reverse

            from tongban.identity.models import User
            from tongban.notify.services import notify

            notify(
                users=list(User.objects.filter(pk__in=leaders)),
                event="approvals.extension_requested",
                title=_("延期申请待审批：%(no)s") % {"no": title},
                body=reason[:200],
                url=reverse("approvals:case", args=[pk]),
                dedupe_key=f"approvals-ext:{req.pk}",
            )

        transaction.on_commit(tell)
    return req


def extension_decide(
    *, request: ExtensionRequest, actor: Any, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The unit head (单位领导 of the case's unit) approves or refuses a pending extension; an
    approval records EXTENDED (the deadlines move by the days) and sends the applicant the
    延长审批期限告知书 with the reason (第四十二条)."""
    note = _text(note, 2000)
    with transaction.atomic():
        case = _lock(request.case_id)
        req = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        _require_handler(case, actor, roles=(BusinessRole.UNIT_LEADER,))
        if req.status != ExtensionStatus.PENDING:
            raise TongbanError("approvals.extension_decided", _("该延期申请已审批。"))
        if approve:
            _require_status(case, CaseStatus.ACCEPTED, CaseStatus.PAUSED)
        elif not note:
            raise TongbanError("approvals.note_required", _("不同意延期时请填写审批意见。"), field="note")
        now = _now()
        req.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        req.decided_at, req.decided_by, req.decision_note = now, actor, note
        req.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        if approve:
            _record(
                case,
                EventKind.EXTENDED,
                actor=actor,
                data={"days": req.days, "reason": req.reason[:1000], "request": req.pk},
            )
            case.refresh_from_db()
            _notice(case, NoticeKind.EXTENSION, actor, days=req.days, reason=req.reason)
        _audit("extension_decided", case, actor, request=req.pk, approve=bool(approve))
    request.status = req.status
    return req


# --- decision and certificate -----------------------------------------------------------------
def case_decide(*, case: Case, actor: Any, decision: str, reasons: str = "", appeal_rights: str = "") -> Case:
    """作出决定 at the 决定 step (the unit head): 准予 or 不予行政许可. A refusal states the
    reasons and the right to 行政复议 or 行政诉讼 (第三十八条第二款; :data:`DEFAULT_APPEAL_RIGHTS` is
    offered). A decision after the statutory deadline is allowed but recorded (``late``). A grant
    of an item with a certificate goes on to 制证送达 (its own 10-day clock, 第四十四条);
    otherwise the case is completed."""
    reasons = _text(reasons)
    appeal_rights = _text(appeal_rights, 1000)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        if case.status == CaseStatus.PAUSED:
            raise TongbanError("approvals.paused", _("办件已挂起，请先恢复办理。"))
        _require_status(case, CaseStatus.ACCEPTED)
        if decision not in (Decision.GRANT, Decision.REFUSE):
            raise TongbanError("approvals.decision", _("请选择准予许可或不予许可。"), field="decision")
        if decision == Decision.REFUSE:
            if not reasons:
                raise TongbanError(
                    "approvals.reasons_required",
                    _("不予许可的，应当说明理由（第三十八条）。"),
                    field="reasons",
                )
            if not appeal_rights:
                raise TongbanError(
                    "approvals.appeal_required",
                    _("不予许可的，应当告知申请人享有依法申请行政复议或者提起行政诉讼的权利。"),
                    field="appeal_rights",
                )
        item = _item_for(case, actor, (processes.DECIDE_STEP,))
        today = _today()
        late = bool(case.due_statutory and today > case.due_statutory)
        certify = decision == Decision.GRANT and bool(case.version.certificate_name)
        label = str(Decision(decision).label)
        _record(
            case,
            EventKind.DECIDED,
            actor=actor,
            data={
                "decision": decision,
                "decision_label": label,
                "reasons": reasons[:1000],
                "late": late,
                "due_statutory": case.due_statutory.isoformat() if case.due_statutory else None,
            },
        )
        Case.objects.filter(pk=case.pk).update(decision=decision)
        case.decision = decision
        _notice(
            case,
            NoticeKind.GRANT if decision == Decision.GRANT else NoticeKind.REFUSAL,
            actor,
            reasons=reasons,
            appeal_rights=appeal_rights if decision == Decision.REFUSE else "",
        )
        _complete(
            item,
            actor,
            reasons or label,
            {"decision": str(decision), "with_certificate": certify},
        )
        if certify:
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECIDED)
        else:
            _finish(case, actor)
        _audit("case_decided", case, actor, decision=decision, late=late)
    case.refresh_from_db()
    return case


def _finish(case: Case, actor: Any) -> None:
    _record(case, EventKind.COMPLETED, actor=actor)
    now = _now()
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.COMPLETED, is_open=False, completed_at=now, current_step=""
    )
    case.status, case.is_open, case.completed_at = CaseStatus.COMPLETED, False, now


def certificate_issue(*, case: Case, actor: Any) -> Any:
    """制证送达 (第四十四条): the electronic certificate is made and sealed
    (``papers.certificate_create``), the applicant told; CERTIFICATE_ISSUED then COMPLETED."""
    from tongban.approvals import papers

    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, CaseStatus.DECIDED)
        item = _item_for(case, actor, (processes.CERTIFY_STEP,))
        cert = papers.certificate_create(case=case, actor=actor)
        _complete(item, actor, _("已颁发电子证照 %(no)s。") % {"no": cert.number})
        _record(
            case,
            EventKind.CERTIFICATE_ISSUED,
            actor=actor,
            data={"number": cert.number, "certificate": cert.pk},
        )
        _notice(case, NoticeKind.CERTIFICATE, actor, certificate=cert)
        _finish(case, actor)
        _audit("certificate_issued", case, actor, number=cert.number)
    return cert


# --- fees and withdrawal ------------------------------------------------------------------------
def fee_charge(*, case: Case, actor: Any, name: str, amount: Any) -> CaseFee:
    """Record a fee charged on the case. A fee whose name and amount are not in the item's fee list
    (or any fee on a fee-free item) is irregular (rules.md §4): it is stored and audited as such,
    and the supervision reads CaseFee against the item's fees."""
    name = _text(name, 200)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = Decimal("-1")
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(case, *OPEN_STATUSES)
        if not name:
            raise TongbanError("approvals.fee_name", _("请填写收费项目。"), field="name")
        if value <= 0 or value >= Decimal("1e10"):
            raise TongbanError("approvals.fee_amount", _("请填写正确的收费金额（元）。"), field="amount")
        fee = CaseFee.objects.create(case=case, name=name, amount=value, charged_at=_now(), charged_by=actor)
        listed = case.version.fees.filter(name=name, amount=value).exists()
        _audit("fee_charged", case, actor, fee=fee.pk, name=name, amount=str(value), listed=listed)
    return fee


def case_withdraw(*, case: Case, actor: Any, note: str = "") -> Case:
    """撤回: the applicant withdraws the application before a decision (第三十六条 practice: a written
    request, recorded by the handling unit); the process is cancelled and the clock stops."""
    note = _text(note, 1000)
    with transaction.atomic():
        case = _lock(case)
        _require_handler(case, actor)
        _require_status(
            case, CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT, CaseStatus.ACCEPTED, CaseStatus.PAUSED
        )
        if not note:
            raise TongbanError(
                "approvals.note_required", _("请填写申请人撤回申请的方式和理由。"), field="note"
            )
        _cancel_workflow(case, actor, note)
        _record(case, EventKind.WITHDRAWN, actor=actor, data={"note": note})
        now = _now()
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.WITHDRAWN, is_open=False, completed_at=now, current_step=""
        )
        SupplementRequest.objects.filter(case=case, answered_at__isnull=True).update(answered_at=now)
        _audit("case_withdrawn", case, actor, note=note[:200])
    case.refresh_from_db()
    return case


def extension_pending(case: Case) -> ExtensionRequest | None:
    return ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING).first()


# --- counter filing (窗口代办) --------------------------------------------------------------------
def counter_file(
    *,
    actor: Any,
    item: Any,
    applicant: dict[str, Any],
    form_data: dict[str, Any],
    files: list[tuple[int | None, Any]],
    title: str = "",
) -> Case:
    """窗口代办: a window clerk (窗口人员) of the item's county files an application on the
    applicant's behalf (``applying.case_submit`` with ``filed_by`` and ``channel="counter"``); the
    applicant's public account, if one has the same phone, is linked so they follow it online."""
    from tongban.approvals import applying
    from tongban.identity.models import PublicAccount

    if not RoleGrant.objects.filter(
        user=actor, role=BusinessRole.WINDOW_CLERK, county_id=item.county_id
    ).exists() or not getattr(actor, "is_active", False):
        if _is_supervisor(actor):
            raise PermissionDenied("approvals.supervisor_read_only", _("监察人员只能查阅办件，不能办理。"))
        raise PermissionDenied("approvals.counter_clerk", _("窗口代办须由窗口人员办理。"))
    phone = str((applicant or {}).get("phone", "")).strip()
    account = PublicAccount.objects.filter(phone=phone, is_active=True).first() if phone else None
    case = applying.case_submit(
        item=item,
        form_data=form_data,
        files=files,
        account=account,
        applicant=applicant,
        filed_by=actor,
        channel="counter",
        title=title,
    )
    audit.record(
        "approvals.counter_filed", actor=actor, obj=case, unit_id=case.unit_id, new={"item": item.code}
    )
    return case
