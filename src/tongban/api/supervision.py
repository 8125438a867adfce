"""Electronic supervision (电子监察) at /api/v1/supervision/: the dashboard's figures, open cases
by light, anomalies, rectification notices (issue / reply / close), the thresholds, and running
the sweep. Supervisors (监察员) only, except rectification notices, which a unit's heads read and
answer for their own unit. Thin: the same selectors and services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tongban.api.common import Id, Offset, OptionalId, errors
from tongban.api.common import caller as _caller
from tongban.approvals import clock
from tongban.approvals.models import Case
from tongban.core.errors import NotFound, TongbanError
from tongban.supervision import anomalies, rectify, sweep
from tongban.supervision import selectors_watch as sel
from tongban.supervision.models import Anomaly, Rectification
from tongban.supervision.selectors_watch import case_url, dashboard_json

router = Router(tags=["电子监察"])
MAX_LIMIT = 100


def _county(request: HttpRequest) -> Any:
    return sel.access_supervisor(_caller(request))


class LightCount(Schema):
    light: str
    label: str
    count: int
    color: str


class DepartmentRow(Schema):
    unit_id: int
    unit: str
    total: int
    red: int
    yellow: int
    warning: int
    green: int
    none: int


class OldCase(Schema):
    id: int
    tracking_no: str
    item: str
    unit: str
    received_on: date
    due_on: date | None
    light: str
    status: str


class DashboardOut(Schema):
    today: date
    total_open: int
    by_light: list[LightCount]
    departments: list[DepartmentRow]
    changes_today: dict[str, int]
    anomalies_open: int
    rectifications_open: int
    rectifications_overdue: int
    oldest: list[OldCase]
    labels: dict[str, str]
    colors: dict[str, str]


class WatchedCaseOut(Schema):
    id: int
    tracking_no: str
    item: str
    unit_id: int
    unit: str
    applicant_name: str
    handler: str | None
    status: str
    light: str
    light_since: datetime | None
    received_on: date
    due_on: date | None
    url: str


class WatchedCasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WatchedCaseOut]


class AnomalyOut(Schema):
    id: int
    case_id: int
    tracking_no: str
    unit_id: int
    unit: str
    kind: str
    kind_label: str
    key: str
    detected_at: datetime
    summary: str
    evidence: dict[str, Any]
    status: str
    closed_at: datetime | None
    close_note: str


class AnomalyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AnomalyOut]


class NoteIn(Schema):
    note: str = ""


class RectificationOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    unit_id: int
    unit: str
    case_id: int | None
    tracking_no: str | None
    text: str
    deadline: date
    status: str
    issued_at: datetime
    issued_by: str | None
    reply: str
    replied_at: datetime | None
    replied_by: str | None
    closed_at: datetime | None
    close_note: str


class RectificationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RectificationOut]


class RectificationIn(Schema):
    unit_id: int
    text: str
    deadline_days: int = 5
    case_id: int | None = None
    tracking_no: str = ""


class ReplyIn(Schema):
    reply: str


class SettingsOut(Schema):
    warn_days: int
    rectify_days: int
    rating_followup_days: int
    updated_at: datetime | None


class SettingsIn(Schema):
    warn_days: int | None = None
    rectify_days: int | None = None
    rating_followup_days: int | None = None


class SettingsSaved(SettingsOut):
    recomputing: bool


class SweepOut(Schema):
    open_cases: int
    changed: int
    alerts: int
    anomalies: int
    seconds: float
    deemed_accepted: int | None


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


def _anomaly(a: Anomaly) -> dict[str, Any]:
    return {
        "id": a.pk,
        "case_id": a.case_id,
        "tracking_no": a.case.tracking_no,
        "unit_id": a.unit_id,
        "unit": a.unit.name,
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "key": a.key,
        "detected_at": a.detected_at,
        "summary": a.summary,
        "evidence": a.evidence or {},
        "status": a.status,
        "closed_at": a.closed_at,
        "close_note": a.close_note,
    }


def _rect(r: Rectification) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "unit_id": r.unit_id,
        "unit": r.unit.name,
        "case_id": r.case_id,
        "tracking_no": r.case.tracking_no if r.case is not None else None,
        "text": r.text,
        "deadline": r.deadline,
        "status": r.status,
        "issued_at": r.issued_at,
        "issued_by": r.issued_by.full_name if r.issued_by is not None else None,
        "reply": r.reply,
        "replied_at": r.replied_at,
        "replied_by": r.replied_by.full_name if r.replied_by is not None else None,
        "closed_at": r.closed_at,
        "close_note": r.close_note,
    }


def _policy() -> dict[str, Any]:
    pol = clock.policy()
    return {
        "warn_days": pol.warn_days,
        "rectify_days": pol.rectify_days,
        "rating_followup_days": pol.rating_followup_days,
        "updated_at": pol.updated_at,
    }


@router.get(
    "/dashboard",
    response={200: DashboardOut, **errors(403)},
    url_name="supervision_dashboard",
    summary="实时总览：在办件按灯色、按部门，办理时间最长的在办件，今日灯色变化",
)
def get_dashboard(request: HttpRequest) -> dict[str, Any]:
    return dashboard_json(sel.dashboard(_county(request)))


@router.get(
    "/cases",
    response={200: WatchedCasePage, **errors(403, 422)},
    summary="在办件（按灯色、单位筛选，最紧急在前）",
)
def list_cases(
    request: HttpRequest,
    light: str | None = None,
    unit_id: OptionalId = None,
    q: str = "",
    limit: int = 30,
    offset: Offset = 0,
) -> dict[str, Any]:
    county = _county(request)
    limit, offset = _page(limit, offset)
    if light == "none":
        light = ""
    qs = sel.open_cases(county, light=light, unit_id=unit_id, q=q[:64])
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "id": c.pk,
                "tracking_no": c.tracking_no,
                "item": c.item.name,
                "unit_id": c.unit_id,
                "unit": c.unit.name,
                "applicant_name": c.applicant_name,
                "handler": c.handler.full_name if c.handler is not None else None,
                "status": c.status,
                "light": c.light or "none",
                "light_since": c.light_since,
                "received_on": c.received_on,
                "due_on": c.due_on,
                "url": case_url(c.pk),
            }
            for c in qs[offset : offset + limit]
        ],
    }


@router.get(
    "/anomalies",
    response={200: AnomalyPage, **errors(403, 422)},
    summary="异常办件（按类型、单位、状态筛选）",
)
def list_anomalies(
    request: HttpRequest,
    kind: str = "",
    unit_id: OptionalId = None,
    status: str = "",
    limit: int = 30,
    offset: Offset = 0,
) -> dict[str, Any]:
    county = _county(request)
    limit, offset = _page(limit, offset)
    qs = sel.anomalies_list(county, kind=kind, unit_id=unit_id, status=status)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_anomaly(a) for a in qs[offset : offset + limit]],
    }


@router.post(
    "/anomalies/{anomaly_id}/close",
    response={200: AnomalyOut, **errors(400, 403, 404)},
    summary="处理异常（填写处理意见）",
)
def close_anomaly(request: HttpRequest, anomaly_id: Id, payload: NoteIn) -> dict[str, Any]:
    user = _caller(request)
    a = sel.access_anomaly(anomaly_id, user)
    a = anomalies.anomaly_close(actor=user, anomaly=a, note=payload.note, request=request)
    return _anomaly(sel.access_anomaly(a.pk, user))


@router.get(
    "/rectifications",
    response={200: RectificationPage, **errors(403, 422)},
    summary="整改通知（监察员：全县；单位负责人：本单位）",
)
def list_rectifications(
    request: HttpRequest, status: str = "", unit_id: OptionalId = None, limit: int = 30, offset: Offset = 0
) -> dict[str, Any]:
    qs = sel.rectifications_for(_caller(request), status=status, unit_id=unit_id)
    limit, offset = _page(limit, offset)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_rect(r) for r in qs[offset : offset + limit]],
    }


@router.post(
    "/rectifications",
    response={201: RectificationOut, **errors(400, 403, 404, 422)},
    summary="发出整改通知（监察员；期限以工作日计）",
)
def issue_rectification(request: HttpRequest, payload: RectificationIn) -> Status[dict[str, Any]]:
    user = _caller(request)
    county = sel.access_supervisor(user)
    unit = sel.county_units(county).filter(pk=payload.unit_id).first()
    if unit is None:
        raise TongbanError("supervision.bad_unit", _("请选择本县的责任单位。"), field="unit_id")
    case = None
    if payload.case_id:
        case = Case.objects.filter(pk=payload.case_id, county=county).first()
        if case is None:
            raise NotFound("supervision.case_not_found", _("没有这个办件。"), field="case_id")
    elif payload.tracking_no:
        case = sel.case_by_tracking_no(county, payload.tracking_no)
    r = rectify.rectification_issue(
        actor=user, county=county, unit=unit, text=payload.text, deadline_days=payload.deadline_days,
        case=case, request=request,
    )  # fmt: skip
    return Status(201, _rect(sel.access_rectification(r.pk, user)))


@router.get(
    "/rectifications/{rectification_id}",
    response={200: RectificationOut, **errors(403, 404)},
    summary="查看整改通知",
)
def get_rectification(request: HttpRequest, rectification_id: Id) -> dict[str, Any]:
    return _rect(sel.access_rectification(rectification_id, _caller(request)))


@router.post(
    "/rectifications/{rectification_id}/reply",
    response={200: RectificationOut, **errors(400, 403, 404)},
    summary="回复整改情况（责任单位的单位领导或办公室主任）",
)
def reply_rectification(request: HttpRequest, rectification_id: Id, payload: ReplyIn) -> dict[str, Any]:
    user = _caller(request)
    r = sel.access_rectification(rectification_id, user)
    rectify.rectification_reply(actor=user, rectification=r, reply=payload.reply, request=request)
    return _rect(sel.access_rectification(r.pk, user))


@router.post(
    "/rectifications/{rectification_id}/close",
    response={200: RectificationOut, **errors(400, 403, 404)},
    summary="办结整改通知（监察员）",
)
def close_rectification(request: HttpRequest, rectification_id: Id, payload: NoteIn) -> dict[str, Any]:
    user = _caller(request)
    sel.access_supervisor(user)
    r = sel.access_rectification(rectification_id, user)
    rectify.rectification_close(actor=user, rectification=r, note=payload.note, request=request)
    return _rect(sel.access_rectification(r.pk, user))


@router.get("/settings", response={200: SettingsOut, **errors(403)}, summary="监察时限设置")
def get_settings(request: HttpRequest) -> dict[str, Any]:
    _county(request)
    return _policy()


@router.put(
    "/settings",
    response={200: SettingsSaved, **errors(400, 403, 422)},
    summary="修改监察时限设置（修改预警或整改期限后重新计算在办件期限并重新巡检）",
)
def update_settings(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    user = _caller(request)
    sel.access_supervisor(user)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    _pol, refreshing = sweep.policy_update(actor=user, request=request, **values)
    return {**_policy(), "recomputing": refreshing}


@router.post("/sweep", response={200: SweepOut, **errors(403)}, summary="立即巡检（监察员）")
def run_sweep(request: HttpRequest) -> dict[str, Any]:
    user = _caller(request)
    sel.access_supervisor(user)
    r = sweep.sweep_now(actor=user, request=request)
    return {
        "open_cases": r.open_cases,
        "changed": r.changed,
        "alerts": r.alerts,
        "anomalies": r.anomalies,
        "seconds": r.seconds,
        "deemed_accepted": r.deemed_accepted,
    }
