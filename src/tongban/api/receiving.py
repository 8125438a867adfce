"""REST endpoints of the receiving domain (收文办理) at /api/v1/incoming/: the unit's register,
手工登记 of external documents, every step of the route, 传阅 status and the 办理单 PDF."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from tongban.api.common import Id, Offset, OptionalId, OptionalYear, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.orgs.models import Unit
from tongban.receiving import selectors, services, slip

router = Router(tags=["收文办理"])

MAX_LIMIT = 100


class UnitRef(Schema):
    id: int
    name: str


class IncomingOut(Schema):
    id: int
    unit: UnitRef
    title: str
    source_document_id: int | None
    source_organ: str
    source_number: str
    doc_type: str
    secrecy: str
    urgency: str
    kind: str
    handling: str
    status: str
    step: str
    step_name: str
    register_no: str
    received_at: datetime
    signed_at: datetime | None
    signed_by: str
    copies: int
    due_date: date | None

    @staticmethod
    def resolve_unit(obj: Any) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.unit.display_name}

    @staticmethod
    def resolve_source_document_id(obj: Any) -> int | None:
        return obj.source_id

    @staticmethod
    def resolve_signed_by(obj: Any) -> str:
        return (obj.signed_by.full_name or obj.signed_by.username) if obj.signed_by_id else ""


class RouteLineOut(Schema):
    step_name: str
    name: str
    unit: str
    opinion: str
    at: datetime | None
    action: str
    status: str


class ReaderOut(Schema):
    name: str
    unit: str
    sent_at: datetime | None
    read_at: datetime | None


class IncomingDetailOut(IncomingOut):
    proposal: str
    instruction: str
    lead_unit: UnitRef | None
    assist_units: list[UnitRef]
    deadline_workdays: int | None
    result: str
    return_reason: str
    retention: str
    archived_at: datetime | None
    my_steps: list[str]
    route: list[RouteLineOut]

    @staticmethod
    def resolve_lead_unit(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.lead_unit_id, "name": obj.lead_unit.display_name} if obj.lead_unit_id else None

    @staticmethod
    def resolve_assist_units(obj: Any) -> list[dict[str, Any]]:
        return [{"id": u.pk, "name": u.display_name} for u in obj.assist_units.all()]

    @staticmethod
    def resolve_my_steps(obj: Any, context: Any) -> list[str]:
        return list(getattr(obj, "_my_steps", []))

    @staticmethod
    def resolve_route(obj: Any) -> list[Any]:
        return selectors.route(obj)


class IncomingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[IncomingOut]


class CirculationOut(Schema):
    total: int
    read: int
    readers: list[ReaderOut]


class IncomingStepIn(Schema):
    """The fields of the step being submitted; each step reads its own and ignores the rest."""

    copies: int | None = None  # sign
    handling: Literal["handle", "read"] | None = None  # register
    accept: bool = True  # review: False returns the document to its sender
    opinion: str = ""  # register / review / handle / circulate
    proposal: str = ""  # propose
    instruction: str = ""  # instruct
    lead_unit_id: int | None = None  # instruct (default: the receiving unit)
    assist_unit_ids: list[int] = []  # instruct
    deadline_workdays: int | None = None  # instruct
    result: str = ""  # finish
    retention: Literal["permanent", "30y", "10y"] | None = None  # archive


class CirculateIn(Schema):
    user_ids: list[int]
    note: str = ""


def _detail(incoming: Any, user: User) -> Any:
    steps = [i.step for i in selectors.my_open_steps(incoming, user) if i.kind == "task"]
    if incoming.status == "pending" and selectors.is_clerk(user, incoming.unit_id):
        steps.insert(0, "sign")
    incoming._my_steps = steps
    return incoming


def _units(ids: list[int], incoming: Any) -> dict[int, Unit]:
    return {u.pk: u for u in Unit.objects.filter(pk__in=ids, county_id=incoming.county_id, is_active=True)}


@router.get(
    "",
    response={200: IncomingPage, **errors(404, 422)},
    summary="收文列表（待签收 / 办理中 / 已办结 / 交办件：本单位主办或协办的他单位来文，需 unit_id）",
)
def list_incoming(
    request: HttpRequest,
    tab: Literal["pending", "processing", "done", "assigned"] = "processing",
    unit_id: OptionalId = None,
    q: str = "",
    handling: Literal["", "handle", "read"] = "",
    kind: Literal["", "main", "cc"] = "",
    year: OptionalYear = None,
    overdue: bool = False,
    limit: int = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = _caller(request)
    unit = None
    if unit_id is not None:
        unit = next((u for u in selectors.receiving_units(user) if u.pk == unit_id), None)
        if unit is None:
            raise HttpError(404, "单位不存在或您不是该单位的收文办理人员。")
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = selectors.incoming_list(
        user=user, unit=unit, tab=tab, q=q[:50], handling=handling, kind=kind, year=year, overdue=overdue
    ).select_related("signed_by")
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


@router.post(
    "/external",
    response={201: IncomingDetailOut, **errors(400, 403, 404, 422)},
    summary="手工登记县外或纸质来文（登记即签收）",
)
def register_external(
    request: HttpRequest,
    source_organ: Form[str],
    title: Form[str],
    unit_id: Form[int | None] = None,
    source_number: Form[str] = "",
    doc_type: Form[str] = "",
    secrecy: Form[str] = "",
    urgency: Form[str] = "",
    written_date: Form[date | None] = None,
    copies: Form[int] = 1,
    kind: Form[Literal["main", "cc"]] = "main",
    handling: Form[Literal["handle", "read"]] = "handle",
    file: File[UploadedFile | None] = None,
) -> Any:
    user = _caller(request)
    clerk_units = [u for u in selectors.receiving_units(user) if selectors.is_clerk(user, u.pk)]
    if not clerk_units:
        raise PermissionDenied("receiving.not_clerk", _("只有文书可以登记来文。"))
    unit = next((u for u in clerk_units if u.pk == unit_id), None) if unit_id else clerk_units[0]
    if unit is None:
        raise HttpError(404, "单位不存在或您不是该单位的文书。")
    incoming = services.incoming_register_external(
        actor=user,
        unit=unit,
        source_organ=source_organ,
        source_number=source_number,
        title=title,
        doc_type=doc_type,
        secrecy=secrecy,
        urgency=urgency,
        written_date=written_date,
        copies=copies,
        kind=kind,
        handling=handling,
        file=file,
    )
    return Status(201, _detail(selectors.access_incoming(incoming.pk, user), user))


@router.get(
    "/{incoming_id}", response={200: IncomingDetailOut, **errors(403, 404, 422)}, summary="收文详情与办理过程"
)
def get_incoming(request: HttpRequest, incoming_id: Id) -> Any:
    user = _caller(request)
    return _detail(selectors.access_incoming(incoming_id, user, request=request), user)


@router.post(
    "/{incoming_id}/steps/{step}",
    response={200: IncomingDetailOut, **errors(400, 403, 404, 422)},
    summary="办理一个环节：sign 签收 / register 登记 / review 初审 / propose 拟办 / instruct 批示 / "
    "handle 承办 / circulate 传阅完毕 / finish 办结 / archive 归档",
)
def submit_step(
    request: HttpRequest,
    incoming_id: Id,
    step: Literal[
        "sign", "register", "review", "propose", "instruct", "handle", "circulate", "finish", "archive"
    ],
    payload: IncomingStepIn,
) -> Any:
    user = _caller(request)
    incoming = selectors.access_incoming(incoming_id, user, request=request)
    data: dict[str, Any] = payload.dict()
    if step == "instruct":
        ids = [i for i in [payload.lead_unit_id, *payload.assist_unit_ids] if i]
        units = _units(ids, incoming)
        if len(units) != len(set(ids)):
            raise TongbanError("receiving.bad_unit", _("主办或协办单位不正确。"), field="lead_unit_id")
        data["lead_unit"] = units.get(payload.lead_unit_id) if payload.lead_unit_id else None
        data["assist_units"] = [units[i] for i in payload.assist_unit_ids]
    if step == "archive":
        data["retention"] = payload.retention or ""
    services.step_submit(incoming=incoming, actor=user, step=step, data=data)
    return _detail(selectors.access_incoming(incoming_id, user), user)


@router.post(
    "/{incoming_id}/circulate",
    response={200: CirculationOut, **errors(400, 403, 404, 422)},
    summary="送传阅（在传阅环节）",
)
def circulate(request: HttpRequest, incoming_id: Id, payload: CirculateIn) -> dict[str, Any]:
    user = _caller(request)
    incoming = selectors.access_incoming(incoming_id, user, request=request)
    readers = list(User.objects.filter(pk__in=payload.user_ids, is_active=True))
    if len(readers) != len(set(payload.user_ids)):
        raise TongbanError("receiving.bad_reader", _("传阅人员不正确。"), field="user_ids")
    services.incoming_circulate(incoming=incoming, actor=user, users=readers, note=payload.note)
    return _circulation(incoming)


@router.post(
    "/{incoming_id}/read",
    response={200: CirculationOut, **errors(400, 403, 404, 422)},
    summary="已阅（确认阅读传阅件）",
)
def mark_read(request: HttpRequest, incoming_id: Id) -> dict[str, Any]:
    from tongban.workflow import services as wf

    user = _caller(request)
    incoming = selectors.access_incoming(incoming_id, user, request=request)
    items = [i for i in selectors.my_open_steps(incoming, user) if i.kind == "read"]
    if not items:
        raise TongbanError("receiving.nothing_to_read", _("您没有此文的待阅。"))
    for item in items:
        wf.item_mark_read(item=item, actor=user)
    return _circulation(incoming)


def _circulation(incoming: Any) -> dict[str, Any]:
    readers = selectors.circulation(incoming)
    return {"total": len(readers), "read": sum(1 for r in readers if r.read_at), "readers": readers}


@router.get(
    "/{incoming_id}/circulation",
    response={200: CirculationOut, **errors(403, 404, 422)},
    summary="传阅情况（谁已阅、谁未阅）",
)
def circulation(request: HttpRequest, incoming_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _circulation(selectors.access_incoming(incoming_id, user, request=request))


@router.get(
    "/{incoming_id}/slip.pdf",
    response={200: None, **errors(403, 404, 422)},
    summary="办理单（PDF）",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def slip_pdf(request: HttpRequest, incoming_id: Id) -> HttpResponse:
    user = _caller(request)
    incoming = selectors.access_incoming(incoming_id, user, request=request)
    response = HttpResponse(slip.slip_pdf(incoming), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slip-{incoming.pk}.pdf"'
    return response
