"""REST endpoints of supervision's feedback part (rules.md §3 好差评, §4): complaints (staff),
bad-rating follow-ups, monthly department performance and its settings — ``router``, mounted at
/api/v1/ (paths complaints/…, followups/…, performance/…) — and the public complaint endpoints —
``public_router``, mounted at /api/v1/public/complaints/ (file anonymously, look up the answer by
number + phone, and the logged-in applicant's own complaints). Thin: selectors and services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from tongban.api.common import Id, Offset, OptionalId, errors
from tongban.api.common import caller as _caller
from tongban.core import audit
from tongban.core import clock as tclock
from tongban.core.errors import TongbanError
from tongban.identity.models import PublicAccount, User
from tongban.identity.public_api_auth import PublicSessionAuth
from tongban.supervision import complaints, followups, performance
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import Complaint, MonthlyScore, RatingFollowUp

router = Router(tags=["电子监察：投诉、差评整改、绩效"])
public_router = Router(tags=["网上办事：投诉"])

MAX_LIMIT = 100


def _month(value: str | None) -> date:
    today = tclock.today()
    if not value:
        return today.replace(day=1)
    try:
        y, m = value.split("-")
        month = date(int(y), int(m), 1)
    except ValueError:
        raise TongbanError("supervision.bad_month", _("月份格式应为 YYYY-MM。"), field="month") from None
    if month > today.replace(day=1):
        raise TongbanError("supervision.future_month", _("不能查询尚未开始的月份。"), field="month")
    return month


# --- schemas -----------------------------------------------------------------------------------
class ComplaintSummaryOut(Schema):
    id: int
    number: str
    channel: str
    status: str
    subject: str
    unit_id: int | None
    unit: str
    tracking_no: str | None
    received_at: datetime
    due_on: date
    overdue: bool
    upheld: bool | None
    answered_at: datetime | None


class ComplaintOut(ComplaintSummaryOut):
    name: str
    phone: str
    text: str
    answer: str
    account_linked: bool
    assigned_at: datetime | None
    assigned_by: str
    assign_note: str
    statement: str
    stated_at: datetime | None
    stated_by: str
    answered_by: str
    sms_sent_at: datetime | None
    can_forward: bool
    can_state: bool
    can_answer: bool


class ComplaintPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ComplaintSummaryOut]


class ComplaintEnterIn(Schema):
    channel: str
    name: str
    phone: str
    subject: str
    text: str
    tracking_no: str = ""
    unit_id: int | None = None
    received_on: date | None = None


class ForwardIn(Schema):
    unit_id: int | None = None
    note: str


class StatementIn(Schema):
    statement: str


class ComplaintAnswerIn(Schema):
    upheld: bool
    answer: str


class PublicFileIn(Schema):
    name: str
    phone: str
    subject: str
    text: str
    tracking_no: str = ""
    unit_id: int | None = None


class PublicFiledOut(Schema):
    number: str
    due_on: date


class ComplaintLookupIn(Schema):
    number: str
    phone: str


class PublicComplaintOut(Schema):
    number: str
    subject: str
    unit: str
    tracking_no: str | None
    received_at: datetime
    due_on: date
    answered: bool
    upheld: bool | None
    answer: str
    answered_at: datetime | None


class FollowUpOut(Schema):
    id: int
    unit_id: int
    unit: str
    tracking_no: str
    item: str
    level: int
    level_label: str
    named: bool
    comment: str
    rated_at: datetime
    due_on: date
    status: str
    overdue: bool
    fixed: str
    contact: str
    closed_at: datetime | None
    can_close: bool


class FollowUpPage(Schema):
    count: int
    limit: int
    offset: int
    named_bad: int
    followed: int
    rate: float | None
    items: list[FollowUpOut]


class CloseIn(Schema):
    fixed: str
    contact: str


class ScoreOut(Schema):
    unit_id: int
    unit: str
    rank: int
    cases_closed: int
    cases_on_time: int
    timeliness: float
    anomalies: int
    complaints: int
    ratings: int
    rating_avg: float | None
    score: float


class MonthOut(Schema):
    month: str
    formula: str
    computed_at: datetime | None
    rows: list[ScoreOut]


class TrendSeriesOut(Schema):
    unit_id: int
    name: str
    scores: list[float | None]


class ComplaintTrendOut(Schema):
    months: list[str]
    series: list[TrendSeriesOut]


class ComplaintRecomputeIn(Schema):
    month: str


class PolicyOut(Schema):
    w_timeliness: int
    w_anomalies: int
    w_complaints: int
    w_ratings: int
    anomaly_penalty: int
    complaint_penalty: int
    complaint_days: int
    formula: str


class PolicyIn(Schema):
    w_timeliness: int | None = None
    w_anomalies: int | None = None
    w_complaints: int | None = None
    w_ratings: int | None = None
    anomaly_penalty: int | None = None
    complaint_penalty: int | None = None
    complaint_days: int | None = None


# --- converters --------------------------------------------------------------------------------
def _summary(c: Complaint, today: date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "channel": c.channel,
        "status": c.status,
        "subject": c.subject,
        "unit_id": c.unit_id,
        "unit": c.unit.name if c.unit else "",
        "tracking_no": c.case.tracking_no if c.case else None,
        "received_at": c.received_at,
        "due_on": c.due_on,
        "overdue": sel.complaint_overdue(c, today),
        "upheld": c.upheld,
        "answered_at": c.answered_at,
    }


def _name(user: User | None) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _detail(user: User, c: Complaint) -> dict[str, Any]:
    supervisor = sel.is_supervisor(user)
    return {
        **_summary(c, tclock.today()),
        "name": c.name,
        "phone": c.phone if supervisor else "",
        "text": c.text,
        "answer": c.answer,
        "account_linked": c.account_id is not None,
        "assigned_at": c.assigned_at,
        "assigned_by": _name(c.assigned_by),
        "assign_note": c.assign_note,
        "statement": c.statement,
        "stated_at": c.stated_at,
        "stated_by": _name(c.stated_by),
        "answered_by": _name(c.answered_by),
        "sms_sent_at": c.sms_sent_at,
        "can_forward": supervisor and c.status != "answered",
        "can_state": complaints.can_state(user, c),
        "can_answer": supervisor and c.status != "answered",
    }


def _public(c: Complaint) -> dict[str, Any]:
    answered = c.status == "answered"
    return {
        "number": c.number,
        "subject": c.subject,
        "unit": c.unit.name if c.unit else "",
        "tracking_no": c.case.tracking_no if c.case else None,
        "received_at": c.received_at,
        "due_on": c.due_on,
        "answered": answered,
        "upheld": c.upheld if answered else None,
        "answer": c.answer if answered else "",
        "answered_at": c.answered_at if answered else None,
    }


def _followup(user: User, fu: RatingFollowUp, today: date) -> dict[str, Any]:
    r = fu.rating
    return {
        "id": fu.pk,
        "unit_id": fu.unit_id,
        "unit": fu.unit.name,
        "tracking_no": r.case.tracking_no,
        "item": r.case.item.name,
        "level": r.level,
        "level_label": str(r.get_level_display()),
        "named": r.named,
        "comment": r.comment,
        "rated_at": r.created_at,
        "due_on": fu.due_on,
        "status": fu.status,
        "overdue": sel.followup_overdue(fu, today),
        "fixed": fu.fixed,
        "contact": fu.contact,
        "closed_at": fu.closed_at,
        "can_close": followups.can_close(user, fu),
    }


def _score(s: MonthlyScore) -> dict[str, Any]:
    return {
        "unit_id": s.unit_id,
        "unit": s.unit.name,
        "rank": s.rank,
        "cases_closed": s.cases_closed,
        "cases_on_time": s.cases_on_time,
        "timeliness": round(s.timeliness, 2),
        "anomalies": s.anomalies,
        "complaints": s.complaints,
        "ratings": s.ratings,
        "rating_avg": round(s.rating_avg, 2) if s.rating_avg is not None else None,
        "score": round(s.score, 2),
    }


def _policy_out() -> dict[str, Any]:
    pol = sel.policy()
    return {
        **{f: getattr(pol, f) for f in PolicyIn.model_fields},
        "formula": performance.formula_text(pol),
    }


# --- complaints (staff) ------------------------------------------------------------------------
@router.get("complaints/", response={200: ComplaintPage, **errors(403)}, summary="投诉列表")
def complaint_list(
    request: HttpRequest,
    status: str = "",
    channel: str = "",
    unit_id: OptionalId = None,
    overdue: bool = False,
    q: str = "",
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Supervisors: every complaint of the county; unit heads: those forwarded to or answered
    about their unit. ``overdue`` keeps the unanswered ones past their due date."""
    user = _caller(request)
    qs = sel.complaints_for(
        user, sel.ComplaintFilter(status=status, channel=channel, unit_id=unit_id, overdue=overdue, q=q[:64])
    )
    today = tclock.today()
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(c, today) for c in qs[offset : offset + limit]],
    }


@router.post("complaints/", response={201: ComplaintOut, **errors(400, 403)}, summary="登记来电来信来访投诉")
def complaint_enter(request: HttpRequest, body: ComplaintEnterIn) -> Status:
    user = _caller(request)
    c = complaints.complaint_enter(actor=user, request=request, **body.dict())
    return Status(201, _detail(user, sel.access_complaint(user, c.pk)))


@router.get("complaints/{complaint_id}", response={200: ComplaintOut, **errors(403, 404)}, summary="投诉详情")
def complaint_detail(request: HttpRequest, complaint_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _detail(user, sel.access_complaint(user, complaint_id))


@router.post(
    "complaints/{complaint_id}/forward",
    response={200: ComplaintOut, **errors(400, 403, 404)},
    summary="转办投诉",
)
def complaint_forward(request: HttpRequest, complaint_id: Id, body: ForwardIn) -> dict[str, Any]:
    user = _caller(request)
    c = sel.access_complaint(user, complaint_id)
    complaints.complaint_forward(
        complaint=c, actor=user, unit_id=body.unit_id, note=body.note, request=request
    )
    return _detail(user, sel.access_complaint(user, complaint_id))


@router.post(
    "complaints/{complaint_id}/statement",
    response={200: ComplaintOut, **errors(400, 403, 404)},
    summary="被投诉单位说明情况",
)
def complaint_statement(request: HttpRequest, complaint_id: Id, body: StatementIn) -> dict[str, Any]:
    user = _caller(request)
    c = sel.access_complaint(user, complaint_id)
    complaints.complaint_state(complaint=c, actor=user, statement=body.statement, request=request)
    return _detail(user, sel.access_complaint(user, complaint_id))


@router.post(
    "complaints/{complaint_id}/answer",
    response={200: ComplaintOut, **errors(400, 403, 404)},
    summary="答复投诉",
)
def complaint_answer(request: HttpRequest, complaint_id: Id, body: ComplaintAnswerIn) -> dict[str, Any]:
    user = _caller(request)
    c = sel.access_complaint(user, complaint_id)
    complaints.complaint_answer(
        complaint=c, actor=user, upheld=body.upheld, answer=body.answer, request=request
    )
    return _detail(user, sel.access_complaint(user, complaint_id))


# --- follow-ups ----------------------------------------------------------------------------------
@router.get("followups/", response={200: FollowUpPage, **errors(403)}, summary="差评整改列表")
def followup_list(
    request: HttpRequest,
    status: str = "open",
    unit_id: OptionalId = None,
    overdue: bool = False,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Open follow-ups by default (``status=closed`` or ``all``), with the follow-up rate of
    named bad ratings (rules.md §3: 100 %)."""
    user = _caller(request)
    qs = sel.followups_for(
        user, sel.FollowUpFilter(status="" if status == "all" else status, unit_id=unit_id, overdue=overdue)
    )
    rate = sel.followup_rate(user, unit_id=unit_id)
    today = tclock.today()
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "named_bad": rate.named_bad,
        "followed": rate.followed,
        "rate": rate.rate,
        "items": [_followup(user, fu, today) for fu in qs[offset : offset + limit]],
    }


@router.get(
    "followups/{followup_id}", response={200: FollowUpOut, **errors(403, 404)}, summary="差评整改详情"
)
def followup_detail(request: HttpRequest, followup_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _followup(user, sel.access_followup(user, followup_id), tclock.today())


@router.post(
    "followups/{followup_id}/close",
    response={200: FollowUpOut, **errors(400, 403, 404)},
    summary="反馈整改情况并办结",
)
def followup_close(request: HttpRequest, followup_id: Id, body: CloseIn) -> dict[str, Any]:
    user = _caller(request)
    fu = sel.access_followup(user, followup_id)
    followups.followup_close(followup=fu, actor=user, fixed=body.fixed, contact=body.contact, request=request)
    return _followup(user, sel.access_followup(user, followup_id), tclock.today())


# --- performance -----------------------------------------------------------------------------------
@router.get("performance/scores", response={200: MonthOut, **errors(400, 403)}, summary="月度绩效排名表")
def performance_scores(request: HttpRequest, month: str = "") -> dict[str, Any]:
    """``month`` = YYYY-MM (default the current month). Unit heads get their own unit's line."""
    user = _caller(request)
    m = _month(month)
    rows = sel.scores_for(user, month=m)
    return {
        "month": f"{m:%Y-%m}",
        "formula": rows[0].formula if rows else performance.formula_text(sel.policy()),
        "computed_at": max((r.computed_at for r in rows), default=None),
        "rows": [_score(r) for r in rows],
    }


@router.get(
    "performance/trend", response={200: ComplaintTrendOut, **errors(400, 403)}, summary="近 12 个月得分趋势"
)
def performance_trend(request: HttpRequest, month: str = "", unit_id: OptionalId = None) -> dict[str, Any]:
    user = _caller(request)
    return sel.trend(user, month=_month(month), unit_id=unit_id)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "performance/export",
    response=errors(400, 403),
    summary="导出月度绩效（XLSX）",
    openapi_extra={
        "responses": {
            "200": {
                "description": "XLSX",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def performance_export(request: HttpRequest, month: str = "") -> HttpResponse:
    """The month's table as an XLSX file (the same as the page's 导出 Excel)."""
    user = _caller(request)
    m = _month(month)
    rows = sel.scores_for(user, month=m)
    formula = rows[0].formula if rows else performance.formula_text(sel.policy())
    data = performance.export_xlsx(rows, month=m, formula=formula)
    audit.record(
        "supervision.performance_exported",
        actor=user,
        request=request,
        object_type="supervision.monthlyscore",
        object_id=f"{m:%Y-%m}",
        object_repr=f"{m:%Y-%m}",
    )
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="performance-{m:%Y-%m}.xlsx"'
    return resp


@router.post(
    "performance/recompute", response={200: MonthOut, **errors(400, 403)}, summary="重新计算月度绩效"
)
def performance_recompute(request: HttpRequest, body: ComplaintRecomputeIn) -> dict[str, Any]:
    user = _caller(request)
    m = _month(body.month)
    rows = performance.recompute(actor=user, month=m, request=request)
    return {
        "month": f"{m:%Y-%m}",
        "formula": rows[0].formula if rows else performance.formula_text(sel.policy()),
        "computed_at": max((r.computed_at for r in rows), default=None),
        "rows": [_score(r) for r in rows],
    }


@router.get("performance/policy", response={200: PolicyOut, **errors(403)}, summary="考核设置")
def policy_get(request: HttpRequest) -> dict[str, Any]:
    user = _caller(request)
    sel.require_performance_reader(user)
    return _policy_out()


@router.put("performance/policy", response={200: PolicyOut, **errors(400, 403)}, summary="修改考核设置")
def policy_update(request: HttpRequest, body: PolicyIn) -> dict[str, Any]:
    """Weights must add up to 100; penalties 0–100; the complaint answer limit 1–60 working days."""
    user = _caller(request)
    performance.policy_update(
        actor=user, request=request, **{k: v for k, v in body.dict().items() if v is not None}
    )
    return _policy_out()


# --- public (mounted at /api/v1/public/complaints/) ----------------------------------------------
@public_router.post(
    "", auth=None, response={201: PublicFiledOut, **errors(400, 403)}, summary="提交投诉（无需登录）"
)
def public_file(request: HttpRequest, body: PublicFileIn) -> Status:
    """File a complaint anonymously (rate-limited by address and phone). Keep the number: with the
    phone it finds the answer."""
    c = complaints.complaint_file(client_ip=audit.client_ip(request), **body.dict())
    return Status(201, {"number": c.number, "due_on": c.due_on})


@public_router.post(
    "lookup", auth=None, response={200: PublicComplaintOut, **errors(404, 429)}, summary="查询投诉答复"
)
def public_lookup(request: HttpRequest, body: ComplaintLookupIn) -> dict[str, Any]:
    """The complaint's progress and answer by its number and the phone given when filing. Too many
    failed look-ups from one address in an hour: 429."""
    ip = audit.client_ip(request)
    if complaints.lookup_blocked(ip):
        raise HttpError(429, _("查询失败次数过多，请一小时后再试。"))
    try:
        return _public(sel.complaint_lookup(body.number, body.phone))
    except TongbanError:
        complaints.lookup_failed(ip)
        raise


@public_router.get(
    "mine",
    auth=PublicSessionAuth(),
    response={200: list[PublicComplaintOut], **errors()},
    summary="我的投诉（网上办事账户）",
)
def public_mine(request: HttpRequest) -> list[dict[str, Any]]:
    account = getattr(request, "auth", None)
    assert isinstance(account, PublicAccount)
    return [_public(c) for c in sel.complaints_of_account(account)[:MAX_LIMIT]]


@public_router.post(
    "mine",
    auth=PublicSessionAuth(),
    response={201: PublicFiledOut, **errors(400, 403)},
    summary="以账户身份提交投诉",
)
def public_mine_file(request: HttpRequest, body: PublicFileIn) -> Status:
    """File a complaint linked to the logged-in account (its answer shows on the account too)."""
    account = getattr(request, "auth", None)
    assert isinstance(account, PublicAccount)
    c = complaints.complaint_file(account=account, client_ip=audit.client_ip(request), **body.dict())
    return Status(201, {"number": c.number, "due_on": c.due_on})
