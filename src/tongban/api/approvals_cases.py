"""REST endpoints of case handling (/api/v1/cases/): the unit's boxes, a case with its clock
(``clock_json``), every action of the case page (accept, reject, supplement, review, decide,
pause, resume, extension and its approval, certificate, fee, withdrawal), the notices' and
materials' files, and counter filing (窗口代办). The same services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.api.common import Id, OptionalId, PageNo, errors
from tongban.api.common import caller as _caller
from tongban.approvals import clock, handling
from tongban.approvals import handling_selectors as sel
from tongban.approvals.models import Case, ExtensionRequest
from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User

router = Router(tags=["审批办件"])


# --- schemas ----------------------------------------------------------------------------------
class CaseSummaryOut(Schema):
    id: int
    tracking_no: str
    item_code: str
    item_name: str
    unit_id: int
    unit: str
    applicant_name: str
    channel: str
    status: str
    status_label: str
    received_on: dt.date
    due_on: dt.date | None
    remaining_days: int | None
    light: str
    current_step: str
    handler: str


class CasePage(Schema):
    count: int  # at most handling_selectors.COUNT_CAP + 1
    capped: bool  # more rows than COUNT_CAP: narrow the search
    page: int
    pages: int
    box: str
    items: list[CaseSummaryOut]


class CaseMaterialOut(Schema):
    id: int
    name: str
    material: str
    round: int
    size: int
    sha256: str


class CaseNoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    created_at: dt.datetime


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class CaseFeeOut(Schema):
    id: int
    name: str
    amount: Decimal
    charged_at: dt.datetime


class CaseOut(CaseSummaryOut):
    applicant_kind: str
    applicant_id_number: str
    applicant_phone: str
    contact_name: str
    applicant_address: str
    title: str
    form_data: dict[str, Any]
    decision: str
    is_open: bool
    deemed_accepted: bool
    accepted_on: dt.date | None
    due_committed: dt.date | None
    due_statutory: dt.date | None
    completed_at: dt.datetime | None
    certificate_number: str | None
    clock: dict[str, Any]
    materials: list[CaseMaterialOut]
    notices: list[CaseNoticeOut]
    extensions: list[ExtensionOut]
    fees: list[CaseFeeOut]
    actions: dict[str, bool]


class NoteIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str
    text: str


class SupplementIn(Schema):
    materials: list[int] = []
    items_text: str = ""
    late_reason: str = ""


class CaseReviewIn(Schema):
    opinion: str


class DecideIn(Schema):
    decision: str
    reasons: str = ""
    appeal_rights: str = ""


class PauseIn(Schema):
    reason: str
    expected_days: int
    note: str = ""


class ExtensionIn(Schema):
    days: int
    reason: str


class ExtensionDecideIn(Schema):
    approve: bool
    note: str = ""


class CaseFeeIn(Schema):
    name: str
    amount: Decimal


class CertificateOut(Schema):
    id: int
    number: str
    name: str
    holder: str
    valid_from: dt.date
    valid_until: dt.date | None


class SupplementOut(Schema):
    id: int
    items_text: str
    late_reason: str


# --- helpers ----------------------------------------------------------------------------------
def _summary(c: Case, remaining: int | None = None) -> dict[str, Any]:
    return {
        "id": c.pk,
        "tracking_no": c.tracking_no,
        "item_code": c.item.code,
        "item_name": c.item.name,
        "unit_id": c.unit_id,
        "unit": c.unit.short_name or c.unit.name,
        "applicant_name": c.applicant_name,
        "channel": c.channel,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "received_on": c.received_on,
        "due_on": c.due_on if c.is_open else None,
        "remaining_days": remaining,
        "light": c.light if c.is_open else "",
        "current_step": c.current_step,
        "handler": c.handler.full_name if c.handler_id and c.handler else "",
    }


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = _caller(request)
    case = sel.access_case_for_staff(user, case.pk)
    c = clock.case_clock(case)
    cert = getattr(case, "certificate", None)
    out = _summary(case, c.remaining)
    out.update(
        applicant_kind=case.applicant_kind,
        applicant_id_number=case.applicant_id_number,
        applicant_phone=case.applicant_phone,
        contact_name=case.contact_name,
        applicant_address=case.applicant_address,
        title=case.title,
        form_data=case.form_data or {},
        decision=case.decision,
        is_open=case.is_open,
        deemed_accepted=case.deemed_accepted,
        accepted_on=case.accepted_on,
        due_committed=case.due_committed,
        due_statutory=case.due_statutory,
        completed_at=case.completed_at,
        certificate_number=cert.number if cert else None,
        clock=clock.clock_json(c),
        materials=[
            {
                "id": m.pk,
                "name": m.name,
                "material": m.material.name if m.material else "",
                "round": m.round,
                "size": m.size,
                "sha256": m.sha256,
            }
            for m in case.materials.select_related("material").order_by("round", "id")
        ],
        notices=list(case.notices.order_by("id").values("id", "kind", "title", "body", "created_at")),
        extensions=list(
            case.extensions.order_by("id").values(
                "id", "days", "reason", "status", "requested_at", "decided_at", "decision_note"
            )
        ),
        fees=list(case.fees.order_by("id").values("id", "name", "amount", "charged_at")),
        actions=sel.actions_for(user, case),
    )
    return out


def _case(request: HttpRequest, case_id: int) -> tuple[User, Case]:
    user = _caller(request)
    return user, sel.access_case_for_staff(user, case_id)


# --- reads ------------------------------------------------------------------------------------
@router.get("/", response={200: CasePage, **errors(403)}, summary="办件列表（按箱）")
def list_cases(
    request: HttpRequest, box: str = "pending", q: str = "", unit: OptionalId = None, page: PageNo = 1
) -> dict[str, Any]:
    """Boxes: pending 待受理, supplement 待补正, handling 办理中, paused 挂起, certify 待制证,
    done 已办结, all 全部 — open cases by their running deadline first."""
    user = _caller(request)
    if sel.scope_of(user).empty:
        raise PermissionDenied("approvals.no_cases", _("您没有可查看的办件。"))
    if box not in dict(sel.BOXES):
        box = "pending"
    pg, rows = sel.case_page(user, box=box, q=q, unit_id=unit, page=page)
    return {
        "count": pg.paginator.count,
        "capped": pg.paginator.capped,  # type: ignore[attr-defined]
        "page": pg.number,
        "pages": pg.paginator.num_pages,
        "box": box,
        "items": [_summary(r.case, r.remaining) for r in rows],
    }


class CounterIn(Schema):
    item_code: str
    kind: str
    name: str
    id_number: str
    phone: str
    contact_name: str = ""
    address: str = ""
    title: str = ""
    form_data: str = "{}"  # JSON object of the item's form fields
    material_ids: str = ""  # comma-separated ItemMaterial ids, one per file in order ("" or 0 = other)


@router.post("/counter", response={201: CaseOut, **errors(400, 403, 404)}, summary="窗口代办（multipart）")
def counter(
    request: HttpRequest,
    body: Form[CounterIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """File an application for an applicant at the counter. ``files`` in the order of
    ``material_ids``."""
    import json

    from tongban.approvals import catalogue_selectors
    from tongban.core.errors import TongbanError

    user = _caller(request)
    item = catalogue_selectors.item_by_code(body.item_code)
    try:
        form_data = json.loads(body.form_data or "{}")
    except ValueError:
        form_data = None
    if not isinstance(form_data, dict):
        raise TongbanError("approvals.form_data", _("申请表数据须为 JSON 对象。"), field="form_data")
    ids = [x.strip() for x in (body.material_ids or "").split(",")] if body.material_ids else []
    uploads = list(files or [])
    pairs: list[tuple[int | None, Any]] = []
    for i, f in enumerate(uploads):
        raw = ids[i] if i < len(ids) else ""
        pairs.append((int(raw) if raw.isdigit() and int(raw) else None, f))
    case = handling.counter_file(
        actor=user,
        item=item,
        applicant={
            "kind": body.kind, "name": body.name, "id_number": body.id_number, "phone": body.phone,
            "contact_name": body.contact_name, "address": body.address,
        },
        form_data=form_data,
        files=pairs,
        title=body.title,
    )  # fmt: skip
    return Status(201, _detail(request, case))


@router.get("/{case_id}", response={200: CaseOut, **errors(404)}, summary="办件详情（含计时）")
def get_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    _user, case = _case(request, case_id)
    return _detail(request, case)


@router.get("/{case_id}/materials/{material_id}", response={200: None, **errors(404)}, summary="下载申请材料")
def material_file(request: HttpRequest, case_id: Id, material_id: Id) -> HttpResponse:
    m = sel.access_material(_caller(request), case_id, material_id)
    with m.file.open("rb") as f:
        resp = HttpResponse(f.read(), content_type="application/octet-stream")
    resp["Content-Disposition"] = content_disposition_header(True, m.name)
    return resp


@router.get(
    "/{case_id}/notices/{notice_id}/pdf", response={200: None, **errors(400, 404)}, summary="告知文书 PDF"
)
def notice_file(request: HttpRequest, case_id: Id, notice_id: Id) -> HttpResponse:
    from tongban.approvals import papers

    user = _caller(request)
    n = sel.access_notice(user, case_id, notice_id)
    resp = HttpResponse(papers.notice_pdf(n, actor=user), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition_header(True, f"{n.case.tracking_no}-{n.title}.pdf")
    return resp


# --- actions ----------------------------------------------------------------------------------
ACT = {200: CaseOut, **errors(400, 403, 404)}


@router.post("/{case_id}/accept", response=ACT, summary="受理")
def accept(request: HttpRequest, case_id: Id, body: NoteIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    return _detail(request, handling.case_accept(case=case, actor=user, note=body.note))


@router.post("/{case_id}/reject", response=ACT, summary="不予受理")
def reject(request: HttpRequest, case_id: Id, body: RejectIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    return _detail(request, handling.case_reject(case=case, actor=user, reason=body.reason, text=body.text))


@router.post(
    "/{case_id}/supplement", response={200: SupplementOut, **errors(400, 403, 404)}, summary="一次性告知补正"
)
def supplement(request: HttpRequest, case_id: Id, body: SupplementIn) -> Any:
    user, case = _case(request, case_id)
    return handling.case_request_supplement(
        case=case,
        actor=user,
        materials=body.materials,
        items_text=body.items_text,
        late_reason=body.late_reason,
    )


@router.post("/{case_id}/review", response=ACT, summary="提交审查（初审）意见")
def review(request: HttpRequest, case_id: Id, body: CaseReviewIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    return _detail(request, handling.step_complete(case=case, actor=user, opinion=body.opinion))


@router.post("/{case_id}/decide", response=ACT, summary="作出准予或不予许可决定")
def decide(request: HttpRequest, case_id: Id, body: DecideIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    done = handling.case_decide(
        case=case, actor=user, decision=body.decision, reasons=body.reasons, appeal_rights=body.appeal_rights
    )
    return _detail(request, done)


@router.post("/{case_id}/pause", response=ACT, summary="挂起（第四十五条）")
def pause(request: HttpRequest, case_id: Id, body: PauseIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    done = handling.case_pause(
        case=case, actor=user, reason=body.reason, expected_days=body.expected_days, note=body.note
    )
    return _detail(request, done)


@router.post("/{case_id}/resume", response=ACT, summary="恢复办理")
def resume(request: HttpRequest, case_id: Id, body: NoteIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    return _detail(request, handling.case_resume(case=case, actor=user, note=body.note))


@router.post(
    "/{case_id}/extensions", response={201: ExtensionOut, **errors(400, 403, 404)}, summary="申请延期"
)
def extension_new(request: HttpRequest, case_id: Id, body: ExtensionIn) -> Any:
    user, case = _case(request, case_id)
    return Status(201, handling.extension_request(case=case, actor=user, days=body.days, reason=body.reason))


@router.post(
    "/{case_id}/extensions/{ext_id}/decide",
    response={200: ExtensionOut, **errors(400, 403, 404)},
    summary="单位负责人审批延期",
)
def extension_decide(
    request: HttpRequest, case_id: Id, ext_id: Id, body: ExtensionDecideIn
) -> ExtensionRequest:
    user, case = _case(request, case_id)
    req = sel.access_extension(user, ext_id)
    if req.case_id != case.pk:
        raise NotFound("approvals.no_extension", _("找不到该延期申请。"))
    return handling.extension_decide(request=req, actor=user, approve=body.approve, note=body.note)


@router.post(
    "/{case_id}/certificate", response={201: CertificateOut, **errors(400, 403, 404)}, summary="颁发电子证照"
)
def certificate(request: HttpRequest, case_id: Id) -> Any:
    user, case = _case(request, case_id)
    return Status(201, handling.certificate_issue(case=case, actor=user))


@router.post("/{case_id}/fees", response={201: CaseFeeOut, **errors(400, 403, 404)}, summary="登记收费")
def fee(request: HttpRequest, case_id: Id, body: CaseFeeIn) -> Any:
    user, case = _case(request, case_id)
    return Status(201, handling.fee_charge(case=case, actor=user, name=body.name, amount=body.amount))


@router.post("/{case_id}/withdraw", response=ACT, summary="登记申请人撤回")
def withdraw(request: HttpRequest, case_id: Id, body: NoteIn) -> dict[str, Any]:
    user, case = _case(request, case_id)
    return _detail(request, handling.case_withdraw(case=case, actor=user, note=body.note))


@router.get("/{case_id}/certificate/pdf", response={200: None, **errors(404)}, summary="电子证照 PDF")
def certificate_file(request: HttpRequest, case_id: Id) -> HttpResponse:
    _user, case = _case(request, case_id)
    cert = getattr(case, "certificate", None)
    if cert is None or not cert.pdf:
        raise NotFound("approvals.no_certificate", _("该办件尚未颁发证照。"))
    with cert.pdf.open("rb") as f:
        resp = HttpResponse(f.read(), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition_header(True, f"{cert.number}.pdf")
    return resp
