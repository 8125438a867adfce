"""Process engine endpoints (/api/v1/workflow/): the inbox boxes and counts, an item with its route,
every operation on items (complete, return, transfer, withdraw, add signer, cc, read, urge),
delegations, and process definitions (security administrator only). Each call goes through the
same services as the pages, so the same checks apply; a refused call changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from tongban.api.common import Id, PageNo, errors
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.workflow import definitions as defs
from tongban.workflow import registry, selectors, services
from tongban.workflow.models import Delegation, ProcessDefinition, WorkItem

router = Router(tags=["流程引擎"])

Box = Literal["todo", "done", "started", "toread", "read"]


def _caller(request: HttpRequest) -> User:
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise HttpError(401, "未登录或令牌无效。")


def _user(pk: int, field: str) -> User:
    u = User.objects.filter(pk=pk, is_active=True).first()
    if u is None:
        raise TongbanError("workflow.bad_user", "找不到该人员。", field=field)
    return u


# --- schemas ----------------------------------------------------------------------------------
class WorkflowPersonOut(Schema):
    id: int
    name: str


def _person(u: Any) -> dict[str, Any] | None:
    return {"id": u.pk, "name": u.full_name or u.username} if u is not None else None


class InboxItemOut(Schema):
    """One inbox line / step of a route."""

    id: int
    instance_id: int
    kind: str  # task (办理) / read (阅知)
    step: str  # BPMN task id
    step_name: str
    title: str
    subject_type: str
    subject_id: int
    subject_url: str
    urgency: str
    status: str  # open / done / cancelled / withdrawn
    assignee: WorkflowPersonOut | None
    pooled_unit_id: int | None
    pooled_role: str
    delegated_from: WorkflowPersonOut | None  # 委托: both names are shown
    sender: WorkflowPersonOut | None
    completed_by: WorkflowPersonOut | None
    action: str  # submit / return / transfer / read
    opinion: str
    due_at: datetime | None
    overdue: bool
    created_at: datetime
    read_at: datetime | None
    completed_at: datetime | None
    added_signer: bool  # 加签 item


def _item(i: WorkItem) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "id": i.pk,
        "instance_id": i.instance_id,
        "kind": i.kind,
        "step": i.step,
        "step_name": i.step_name,
        "title": i.title,
        "subject_type": i.subject_type,
        "subject_id": i.subject_id,
        "subject_url": registry.subject_url(i.subject_type, i.subject_id),
        "urgency": i.urgency,
        "status": i.status,
        "assignee": _person(i.assignee) if i.assignee_id else None,
        "pooled_unit_id": i.unit_id if not i.assignee_id else None,
        "pooled_role": i.role if not i.assignee_id else "",
        "delegated_from": _person(i.delegated_from) if i.delegated_from_id else None,
        "sender": _person(i.sender) if i.sender_id else None,
        "completed_by": _person(i.completed_by) if i.completed_by_id else None,
        "action": i.action,
        "opinion": i.opinion,
        "due_at": i.due_at,
        "overdue": bool(i.due_at and i.status == "open" and i.due_at < timezone.now()),
        "created_at": i.created_at,
        "read_at": i.read_at,
        "completed_at": i.completed_at,
        "added_signer": i.parent_id is not None,
    }


class InstanceOut(Schema):
    id: int
    title: str
    definition_key: str
    definition_version: int
    subject_type: str
    subject_id: int
    subject_url: str
    status: str  # running / completed / cancelled / error
    urgency: str
    started_at: datetime
    finished_at: datetime | None


def _instance(inst: Any) -> dict[str, Any]:
    return {
        "id": inst.pk,
        "title": inst.title,
        "definition_key": inst.definition.key,
        "definition_version": inst.definition.version,
        "subject_type": inst.subject_type,
        "subject_id": inst.subject_id,
        "subject_url": registry.subject_url(inst.subject_type, inst.subject_id),
        "status": inst.status,
        "urgency": inst.urgency,
        "started_at": inst.started_at,
        "finished_at": inst.finished_at,
    }


class InboxOut(Schema):
    box: str
    count: int
    page: int
    pages: int
    items: list[InboxItemOut]  # for every box but "started"
    instances: list[InstanceOut]  # for "started" (我发起的)


class CountsOut(Schema):
    todo: int
    toread: int


class StepOut(Schema):
    step: str
    name: str


class ItemDetailOut(Schema):
    item: InboxItemOut
    instance: InstanceOut
    actions: list[
        str
    ]  # what the caller may do now: complete, return, transfer, withdraw, add_signer, cc, urge, read
    returnable_steps: list[StepOut]
    route: list[InboxItemOut]  # the 办理单: every step with opinions, in order


class CompleteIn(Schema):
    opinion: str = ""
    next_assignees: list[int] = []  # user ids, when the next step's assignee rule is "chosen"
    data: dict[str, Any] = {}  # further case data for gateways (small values only)


class ReturnIn(Schema):
    to_step: str
    opinion: str


class TransferIn(Schema):
    to_user: int
    opinion: str = ""


class SignerIn(Schema):
    signer: int
    opinion: str = ""


class CcIn(Schema):
    users: list[int]
    note: str = ""


class ReadIn(Schema):
    opinion: str = ""


class UrgeIn(Schema):
    message: str = ""


class DelegationIn(Schema):
    delegate: int
    starts_on: date
    ends_on: date


class DelegationOut(Schema):
    id: int
    user: WorkflowPersonOut
    delegate: WorkflowPersonOut
    starts_on: date
    ends_on: date
    revoked_at: datetime | None


def _delegation(d: Delegation) -> dict[str, Any]:
    return {
        "id": d.pk,
        "user": _person(d.user),
        "delegate": _person(d.delegate),
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "revoked_at": d.revoked_at,
    }


class DefinitionOut(Schema):
    id: int
    key: str
    version: int
    name: str
    process_id: str
    is_active: bool
    sha256: str
    uploaded_by: WorkflowPersonOut | None
    created_at: datetime
    comment: str


def _definition(r: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": r.pk,
        "key": r.key,
        "version": r.version,
        "name": r.name,
        "process_id": r.process_id,
        "is_active": r.is_active,
        "sha256": r.sha256,
        "uploaded_by": _person(r.uploaded_by) if r.uploaded_by_id else None,
        "created_at": r.created_at,
        "comment": r.comment,
    }


class ProblemOut(Schema):
    line: int | None
    message: str


class InvalidDefinitionOut(Schema):
    detail: str
    code: str
    problems: list[ProblemOut]


# --- inbox ------------------------------------------------------------------------------------
@router.get("/inbox/counts", response={200: CountsOut, **errors()}, summary="待办、待阅数量")
def inbox_counts(request: HttpRequest) -> dict[str, int]:
    return selectors.inbox_counts(_caller(request))


@router.get(
    "/inbox/{box}",
    response={200: InboxOut, **errors(404, 422)},
    summary="收件箱：待办 todo / 已办 done / 我发起的 started / 待阅 toread / 已阅 read（每页 20 项）",
)
def inbox(request: HttpRequest, box: Box, q: str = "", urgency: str = "", page: PageNo = 1) -> dict[str, Any]:
    result = selectors.inbox(user=_caller(request), box=box, q=q, urgency=urgency, page=max(1, page))
    pg = result.page
    is_started = box == "started"
    return {
        "box": box,
        "count": pg.paginator.count,
        "page": pg.number,
        "pages": pg.paginator.num_pages,
        "items": [] if is_started else [_item(r) for r in result.rows],
        "instances": [_instance_light(r) for r in result.rows] if is_started else [],
    }


def _instance_light(inst: Any) -> dict[str, Any]:
    data = _instance(inst)
    return data


# --- items ------------------------------------------------------------------------------------
def _detail(item: WorkItem, user: User) -> dict[str, Any]:
    acts = selectors.allowed_actions(item, user)
    return {
        "item": _item(item),
        "instance": _instance(item.instance),
        "actions": sorted(acts),
        "returnable_steps": [{"step": s, "name": n} for s, n in selectors.returnable_steps(item)]
        if "return" in acts
        else [],
        "route": [_item(r) for r in selectors.route(item.instance)],
    }


@router.get(
    "/items/{item_id}",
    response={200: ItemDetailOut, **errors(404)},
    summary="事项详情（含办理过程与可用操作）",
)
def item_detail(request: HttpRequest, item_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _detail(selectors.access_item(item_id, user), user)


def _fresh(item_id: int, user: User) -> dict[str, Any]:
    return _detail(selectors.access_item(item_id, user), user)


@router.post(
    "/items/{item_id}/complete",
    response={200: ItemDetailOut, **errors(400, 403, 404, 422)},
    summary="提交（填写意见）",
)
def item_complete(request: HttpRequest, item_id: Id, payload: CompleteIn) -> dict[str, Any]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    data = dict(payload.data)
    if payload.next_assignees:
        data["next_assignees"] = payload.next_assignees
    services.item_complete(item=item, actor=user, opinion=payload.opinion, data=data)
    return _fresh(item_id, user)


@router.post(
    "/items/{item_id}/return",
    response={200: ItemDetailOut, **errors(400, 403, 404, 422)},
    summary="退回到之前的环节",
)
def item_return(request: HttpRequest, item_id: Id, payload: ReturnIn) -> dict[str, Any]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    services.item_return(item=item, actor=user, to_step=payload.to_step, opinion=payload.opinion)
    return _fresh(item_id, user)


@router.post(
    "/items/{item_id}/transfer",
    response={200: InboxItemOut, **errors(400, 403, 404, 422)},
    summary="转办（返回新事项）",
)
def item_transfer(request: HttpRequest, item_id: Id, payload: TransferIn) -> dict[str, Any]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    new = services.item_transfer(
        item=item, actor=user, to_user=_user(payload.to_user, "to_user"), opinion=payload.opinion
    )
    return _item(WorkItem.objects.select_related("assignee", "sender", "delegated_from").get(pk=new.pk))


@router.post(
    "/items/{item_id}/withdraw",
    response={200: InboxItemOut, **errors(400, 403, 404)},
    summary="撤回（返回重新打开的事项）",
)
def item_withdraw(request: HttpRequest, item_id: Id) -> dict[str, Any]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    new = services.item_withdraw(item=item, actor=user)
    return _item(WorkItem.objects.select_related("assignee", "sender").get(pk=new.pk))


@router.post(
    "/items/{item_id}/add-signer",
    response={200: InboxItemOut, **errors(400, 403, 404, 422)},
    summary="加签（返回被加签人的事项）",
)
def item_add_signer(request: HttpRequest, item_id: Id, payload: SignerIn) -> dict[str, Any]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    new = services.item_add_signer(
        item=item, actor=user, signer=_user(payload.signer, "signer"), opinion=payload.opinion
    )
    return _item(WorkItem.objects.select_related("assignee", "sender", "delegated_from").get(pk=new.pk))


@router.post(
    "/items/{item_id}/cc",
    response={200: list[InboxItemOut], **errors(400, 403, 404, 422)},
    summary="抄送阅知",
)
def item_cc(request: HttpRequest, item_id: Id, payload: CcIn) -> list[dict[str, Any]]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    users = list(User.objects.filter(pk__in=payload.users, is_active=True))
    made = services.copy_for_reading(
        instance=item.instance, actor=user, users=users, note=payload.note, item=item
    )
    return [_item(m) for m in made]


@router.post(
    "/items/{item_id}/read",
    response={200: InboxItemOut, **errors(403, 404, 422)},
    summary="已阅（阅知事项）/ 标记已查看（办理事项）",
)
def item_read(request: HttpRequest, item_id: Id, payload: ReadIn) -> dict[str, Any]:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    services.item_mark_read(item=item, actor=user, opinion=payload.opinion)
    return _item(selectors.access_item(item_id, user))


@router.post(
    "/items/{item_id}/urge",
    response={204: None, **errors(400, 403, 404, 422)},
    summary="催办（站内消息和短信，每小时最多一次）",
)
def item_urge(request: HttpRequest, item_id: Id, payload: UrgeIn) -> Any:
    user = _caller(request)
    item = selectors.access_item(item_id, user)
    services.item_urge(item=item, actor=user, message=payload.message)
    return Status(204, None)


# --- delegations ------------------------------------------------------------------------------
@router.get("/delegations", response={200: list[DelegationOut], **errors()}, summary="我的委托")
def delegations(request: HttpRequest) -> list[dict[str, Any]]:
    user = _caller(request)
    return [
        _delegation(d)
        for d in Delegation.objects.filter(user=user)
        .select_related("user", "delegate")
        .order_by("-created_at")[:100]
    ]


@router.post(
    "/delegations",
    response={201: DelegationOut, **errors(400, 403, 422)},
    summary="新建委托（外出期间新待办交受托人办理）",
)
def delegation_create(request: HttpRequest, payload: DelegationIn) -> Any:
    user = _caller(request)
    d = services.delegation_create(
        actor=user,
        delegate=_user(payload.delegate, "delegate"),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, _delegation(Delegation.objects.select_related("user", "delegate").get(pk=d.pk)))


@router.post(
    "/delegations/{delegation_id}/revoke", response={200: DelegationOut, **errors(404)}, summary="取消委托"
)
def delegation_revoke(request: HttpRequest, delegation_id: Id) -> dict[str, Any]:
    user = _caller(request)
    d = Delegation.objects.select_related("user", "delegate").filter(pk=delegation_id, user=user).first()
    if d is None:
        raise NotFound("workflow.no_delegation", "找不到该委托。")
    services.delegation_revoke(delegation=d, actor=user)
    d.refresh_from_db()
    return _delegation(d)


# --- definitions (security administrator) -------------------------------------------------------
def _security_admin(request: HttpRequest) -> User:
    user = _caller(request)
    if not getattr(user, "is_security_admin", False):
        raise PermissionDenied("workflow.not_security_admin", "只有安全管理员可以管理流程定义。")
    return user


@router.get(
    "/definitions", response={200: list[DefinitionOut], **errors(403)}, summary="流程定义各版本（安全管理员）"
)
def definitions_list(request: HttpRequest) -> list[dict[str, Any]]:
    _security_admin(request)
    return [_definition(r) for r in selectors.definitions_list()]


@router.get(
    "/definitions/{definition_id}/xml",
    response={200: str, **errors(403, 404)},
    summary="下载 BPMN（安全管理员）",
)
def definition_xml(request: HttpRequest, definition_id: Id) -> HttpResponse:
    row = selectors.access_definition(definition_id, _security_admin(request))
    return HttpResponse(row.bpmn_xml, content_type="application/xml; charset=utf-8")


@router.post(
    "/definitions",
    response={201: DefinitionOut, 400: InvalidDefinitionOut, **errors(403, 404, 422)},
    summary="上传流程定义新版本（安全管理员；校验后生效，办理中的流程仍用原版本）",
)
def definition_upload(
    request: HttpRequest, key: Form[str], bpmn: File[UploadedFile], comment: Form[str] = ""
) -> Any:
    user = _security_admin(request)
    if bpmn.size and bpmn.size > defs.MAX_BYTES:
        raise TongbanError("workflow.too_large", "文件过大（上限 2 MB）。", field="bpmn")
    try:
        row = defs.definition_upload(key=key, data=bpmn.read(), actor=user, comment=comment)
    except defs.InvalidDefinition as exc:
        return Status(
            400,
            {
                "detail": str(exc.message),
                "code": exc.code,
                "problems": [{"line": p.line, "message": p.message} for p in exc.problems],
            },
        )
    return Status(201, _definition(row))
