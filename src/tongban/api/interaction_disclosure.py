"""REST endpoints of requests for government information (依申请公开, 政府信息公开条例 2019).

Staff (``router``, /api/v1/disclosure-requests/): the boxes, a request with its clock and events,
every officer action (confirm, 补正告知, record a paper 补正, start/end a third-party consultation,
extend, fee notice, record payment, answer, withdraw), the fee calculator and the annual table.
Public (``public_router``, /api/v1/public/disclosure-requests/): the organs, a challenge, an
anonymous application, the look-up by code + ID number, 补正 and withdrawal with the same proof,
and the logged-in account's requests. Thin: selectors and services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from tongban.api.common import Id, Offset, OptionalId, Year, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.public_api_auth import PublicSessionAuth
from tongban.interaction import disclosure as svc
from tongban.interaction import disclosure_clock as dclock
from tongban.interaction import disclosure_fees
from tongban.interaction import disclosure_selectors as sel
from tongban.interaction.antispam import check_challenge, new_challenge, rate_limit
from tongban.interaction.models import DisclosureEventKind, DisclosureRequest
from tongban.interaction.views_disclosure import run_action
from tongban.orgs.models import County, Unit

router = Router(tags=["政民互动：依申请公开"])
public_router = Router(tags=["政民互动：依申请公开（公众）"])
MAX_LIMIT = 100


# --- schemas -----------------------------------------------------------------------------------
class SummaryOut(Schema):
    id: int
    tracking_code: str
    status: str
    status_label: str
    applicant_type: str
    name: str
    organ_id: int
    organ: str
    channel: str
    received_on: date
    due_on: date | None
    overdue: bool
    answered_on: date | None
    outcome: str
    outcome_reason: str


class DisclosureEventOut(Schema):
    kind: str
    label: str
    on: date
    at: datetime
    note: str


class PauseOut(Schema):
    kind: str
    start: date
    end: date | None
    limit_on: date
    days: int


class ClockOut(Schema):
    received_on: date
    supplement_due_on: date
    supplement_asked_on: date | None
    supplement_reply_due: date | None
    supplemented_on: date | None
    clock_start_on: date
    limit_days: int
    extension_days: int
    paused_days: int
    pauses: list[PauseOut]
    due_on: date | None
    answered_on: date | None
    on_time: bool | None
    days_used: int
    days_left: int | None


class DetailOut(SummaryOut):
    id_number: str
    phone: str
    email: str
    address: str
    legal_representative: str
    contact_name: str
    description: str
    purpose: str
    provision_form: str
    delivery_method: str
    answer: str
    fee_method: str
    fee_amount: Decimal
    fee_paid_at: datetime | None
    clock: ClockOut
    events: list[DisclosureEventOut]
    actions: list[str]


class Page(Schema):
    count: int
    limit: int
    offset: int
    counts: dict[str, int]
    items: list[SummaryOut]


class ActionIn(Schema):
    """The fields an action uses (others are ignored): supplement_ask — text, period; supplement —
    text; consult — third_party, note; consult_end — note; extend — days, reason; fee — method,
    count; fee_paid — note; answer — outcome, reason, text; withdraw — note."""

    text: str = ""
    period: int | None = None
    third_party: str = ""
    note: str = ""
    days: int | None = None
    reason: str = ""
    method: str = ""
    count: int | None = None
    outcome: str = ""


class DisclosureFeeOut(Schema):
    method: str
    count: int
    amount: Decimal


class ApplyIn(Schema):
    organ_id: int
    applicant_type: str
    name: str
    id_number: str
    phone: str
    description: str
    legal_representative: str = ""
    contact_name: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    purpose: str = ""
    provision_form: str = "electronic"
    delivery_method: str = "online"
    challenge: str
    challenge_token: str


class DisclosureRegisterIn(ApplyIn):
    channel: str
    received_on: date | None = None
    challenge: str = ""
    challenge_token: str = ""


class AppliedOut(Schema):
    tracking_code: str
    received_on: date
    due_on: date | None


class ChallengeOut(Schema):
    question: str
    token: str


class OrganOut(Schema):
    id: int
    name: str


class ProofIn(Schema):
    code: str
    id_number: str


class PublicSupplementIn(ProofIn):
    text: str


class PublicWithdrawIn(ProofIn):
    note: str = ""


class PublicOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    organ: str
    name: str
    description: str
    received_on: date
    due_on: date | None
    supplement_reply_due: date | None
    fee_amount: Decimal
    fee_pay_due: date | None
    answered_on: date | None
    outcome: str
    outcome_label: str
    outcome_reason: str
    answer: str
    events: list[DisclosureEventOut]


# --- converters --------------------------------------------------------------------------------
def _summary(r: DisclosureRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "tracking_code": r.tracking_code,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "applicant_type": r.applicant_type,
        "name": r.name,
        "organ_id": r.organ_id,
        "organ": r.organ.name,
        "channel": r.channel,
        "received_on": r.received_on,
        "due_on": r.due_on,
        "overdue": sel.is_overdue(r),
        "answered_on": r.answered_on,
        "outcome": r.outcome,
        "outcome_reason": r.outcome_reason,
    }


def _events(r: DisclosureRequest, *, public: bool) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "label": str(e.get_kind_display()), "on": e.on, "at": e.at, "note": e.note}
        for e in r.events.all()
        if not (public and e.kind == DisclosureEventKind.NOTE)
    ]


def _clock(st: dclock.ClockState) -> dict[str, Any]:
    return {
        **{k: getattr(st, k) for k in ClockOut.model_fields if k != "pauses"},
        "pauses": [p.__dict__ for p in st.pauses],
    }


def _detail(user: Any, r: DisclosureRequest) -> dict[str, Any]:
    from tongban.interaction.views_disclosure import ALLOWED

    st = dclock.compute(r, r.events.all())
    acting = svc.can_act(user, r)
    return {
        **_summary(r),
        **{
            k: getattr(r, k)
            for k in (
                "id_number",
                "phone",
                "email",
                "address",
                "legal_representative",
                "contact_name",
                "description",
                "purpose",
                "provision_form",
                "delivery_method",
                "answer",
                "fee_method",
                "fee_amount",
                "fee_paid_at",
            )
        },
        "clock": _clock(st),
        "events": _events(r, public=False),
        "actions": [k for k, statuses in ALLOWED.items() if acting and r.status in statuses],
    }


def _public(r: DisclosureRequest) -> dict[str, Any]:
    st = dclock.compute(r, r.events.all())
    return {
        "tracking_code": r.tracking_code,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "organ": r.organ.name,
        "name": r.name,
        "description": r.description,
        "received_on": r.received_on,
        "due_on": r.due_on,
        "supplement_reply_due": st.supplement_reply_due if r.status == "supplement" else None,
        "fee_amount": r.fee_amount,
        "fee_pay_due": st.fee_pay_due,
        "answered_on": r.answered_on,
        "outcome": r.outcome,
        "outcome_label": str(r.get_outcome_display()) if r.outcome else "",
        "outcome_reason": sel.reason_label(r.outcome, r.outcome_reason),
        "answer": r.answer if r.status == "answered" else "",
        "events": _events(r, public=True),
    }


def _county() -> County:
    county = sel.public_county()
    if county is None:
        raise HttpError(404, _("没有找到该县。"))
    return county


# --- staff -------------------------------------------------------------------------------------
@router.get("", response={200: Page, **errors(400, 403)}, summary="申请列表（按办理状态分箱）")
def request_list(
    request: HttpRequest,
    box: str = "all",
    q: str = "",
    overdue: bool = False,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
) -> dict[str, Any]:
    """``box``: received 待确认, supplement 待补正, processing 办理中, consulting 征求意见中, fee 待缴费,
    answered 已答复, closed 已终止, all 全部. Officers see their organ's requests; the county office all."""
    user = _caller(request)
    if not svc.is_officer(user):
        raise PermissionDenied("interaction.disclosure_forbidden", _("您不是政府信息公开工作人员。"))
    if box not in sel.BOX_STATUSES:
        raise TongbanError("interaction.disclosure_box", _("没有这个分箱。"), field="box")
    qs = sel.requests_for(user, box=box, q=q, overdue=overdue)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "counts": sel.box_counts(user),
        "items": [_summary(r) for r in qs[offset : offset + limit]],
    }


@router.post("", response={201: DetailOut, **errors(400, 403)}, summary="登记纸质申请（当面、邮寄、传真）")
def request_register(request: HttpRequest, body: DisclosureRegisterIn) -> Status:
    user = _caller(request)
    county_id, _units = svc.officer_scope(user)
    if county_id is None:
        raise PermissionDenied("interaction.disclosure_forbidden", _("您不是政府信息公开工作人员。"))
    data = body.dict(exclude={"challenge", "challenge_token"})
    r = svc.submit(county=County.objects.get(pk=county_id), actor=user, request=request, **data)
    return Status(201, _detail(user, sel.get_request_for(user, r.pk)))


@router.get(
    "fee", response={200: DisclosureFeeOut, **errors(400)}, summary="计算信息处理费（国办函〔2020〕109号）"
)
def fee(request: HttpRequest, method: str, count: int) -> dict[str, Any]:
    _caller(request)
    return {"method": method, "count": count, "amount": disclosure_fees.fee_for(method, count)}


@router.get(
    "annual-table",
    response={200: dict[str, dict[str, int]], **errors(403, 404)},
    summary="年度报告申请情况表",
)
def annual(request: HttpRequest, year: Year, organ_id: OptionalId = None) -> dict[str, dict[str, int]]:
    """三、收到和处理政府信息公开申请情况 (国办公开办函〔2021〕30号) of the caller's county (the
    county office) or of the officer's organ."""
    user = _caller(request)
    county_id, units = svc.officer_scope(user)
    if county_id is None:
        raise PermissionDenied("interaction.disclosure_forbidden", _("您不是政府信息公开工作人员。"))
    organ = None
    if organ_id is not None or units is not None:
        wanted = organ_id if organ_id is not None else min(units or {0})
        if units is not None and wanted not in units:
            raise PermissionDenied("interaction.disclosure_forbidden", _("只能查看本机关的统计。"))
        organ = Unit.objects.filter(pk=wanted, county_id=county_id).first()
        if organ is None:
            raise HttpError(404, _("没有找到该机关。"))
    return sel.annual_table(County.objects.get(pk=county_id), year, organ=organ)


@router.get(
    "{request_id}", response={200: DetailOut, **errors(403, 404)}, summary="申请详情（含期限计算和办理过程）"
)
def request_detail(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _detail(user, sel.get_request_for(user, request_id))


@router.post("{request_id}/{action}", response={200: DetailOut, **errors(400, 403, 404)}, summary="办理操作")
def request_action(request: HttpRequest, request_id: Id, action: str, body: ActionIn) -> dict[str, Any]:
    """``action``: confirm, supplement_ask, supplement, consult, consult_end, extend, fee, fee_paid,
    answer, withdraw. Refused (400) when the state or the law does not allow it (e.g. a second
    补正 notice, a 补正 notice after 7 working days, a second extension)."""
    user = _caller(request)
    r = sel.get_request_for(user, request_id)
    from tongban.interaction.views_disclosure import ACTIONS

    if action not in ACTIONS:
        raise HttpError(404, _("没有这个操作。"))
    data = body.dict()
    if data.get("period") is None:
        data.pop("period")
    run_action(r, action, data, actor=user, request=request, uploads=[])
    return _detail(user, sel.get_request_for(user, request_id))


# --- public ------------------------------------------------------------------------------------
@public_router.get("organs", auth=None, response={200: list[OrganOut]}, summary="可受理申请的机关")
def public_organs(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"id": u.pk, "name": u.name} for u in svc.organs(_county())]


@public_router.get("challenge", auth=None, response={200: ChallengeOut}, summary="获取验证题")
def public_challenge(request: HttpRequest) -> dict[str, Any]:
    c = new_challenge()
    return {"question": c.question, "token": c.token}


@public_router.post("", auth=None, response={201: AppliedOut, **errors(400)}, summary="提交政府信息公开申请")
def public_apply(request: HttpRequest, body: ApplyIn) -> Status:
    """Solve ``GET challenge`` first; at most 10 applications an hour from one address."""
    check_challenge(body.challenge_token, body.challenge)
    rate_limit(request, "disclosure.apply", limit=10, window=3600)
    data = body.dict(exclude={"challenge", "challenge_token"})
    r = svc.submit(county=_county(), request=request, **data)
    return Status(201, {"tracking_code": r.tracking_code, "received_on": r.received_on, "due_on": r.due_on})


@public_router.post(
    "lookup", auth=None, response={200: PublicOut, **errors(400, 404)}, summary="凭申请编号和证件号码查询"
)
def public_lookup(request: HttpRequest, body: ProofIn) -> dict[str, Any]:
    rate_limit(request, "disclosure.lookup", limit=20, window=600)
    return _public(sel.lookup(body.code, body.id_number))


@public_router.post(
    "supplement", auth=None, response={200: PublicOut, **errors(400, 404)}, summary="提交补正"
)
def public_supplement(request: HttpRequest, body: PublicSupplementIn) -> dict[str, Any]:
    rate_limit(request, "disclosure.lookup", limit=20, window=600)
    r = sel.lookup(body.code, body.id_number)
    svc.supplement(r, text=body.text, request=request)
    return _public(sel.lookup(body.code, body.id_number))


@public_router.post("withdraw", auth=None, response={200: PublicOut, **errors(400, 404)}, summary="撤回申请")
def public_withdraw(request: HttpRequest, body: PublicWithdrawIn) -> dict[str, Any]:
    rate_limit(request, "disclosure.lookup", limit=20, window=600)
    r = sel.lookup(body.code, body.id_number)
    svc.withdraw(r, note=body.note, request=request)
    return _public(sel.lookup(body.code, body.id_number))


@public_router.get(
    "mine", auth=PublicSessionAuth(), response={200: list[PublicOut], **errors()}, summary="我的申请"
)
def public_mine(request: HttpRequest) -> list[dict[str, Any]]:
    account = request.auth  # type: ignore[attr-defined]
    return [_public(r) for r in sel.for_account(account).prefetch_related("events")[:100]]
