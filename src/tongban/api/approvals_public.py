"""REST endpoints of the public side (/api/v1/public/): the public account (anonymous register,
login, password reset; the progress lookup) and, with a public-account session
(:class:`PublicSessionAuth`), the applicant's own cases: list, detail with the clock, submit
(multipart), supplement, withdraw, rate, notices and their PDFs, the certificate. Thin: the same
services and selectors as the /ban/ pages; another applicant's case answers 404."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Form, Router, Schema, Status
from ninja.errors import HttpError

from tongban.api.common import ErrorOut, Id, Offset, errors, public_errors
from tongban.approvals import applying, applying_selectors, clock
from tongban.approvals.models import Case, CaseNotice, ItemStatus, ServiceItem
from tongban.core import audit
from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.identity import public_services as accounts
from tongban.identity.models import PublicAccount
from tongban.identity.public_api_auth import PublicSessionAuth

router = Router(tags=["网上办事（办事账户）"])
AUTH = PublicSessionAuth()
MAX_LIMIT = 100


def _account(request: HttpRequest) -> PublicAccount:
    account = getattr(request, "auth", None)
    if not isinstance(account, PublicAccount):
        raise HttpError(401, _("请先登录办事账户。"))
    return account


def _case(request: HttpRequest, tracking_no: str) -> Case:
    return applying_selectors.access_case_for_account(_account(request), tracking_no)


# --- schemas ----------------------------------------------------------------------------------
class AccountOut(Schema):
    id: int
    kind: str
    name: str
    phone: str
    credit_code: str
    id_number_masked: str
    contact_name: str

    @staticmethod
    def resolve_id_number_masked(obj: PublicAccount) -> str:
        n = obj.id_number or ""
        return (n[:4] + "*" * (len(n) - 8) + n[-4:]) if len(n) > 8 else ""


class PublicOkOut(Schema):
    detail: str


class CodeIn(Schema):
    phone: str


class RegisterIn(Schema):
    kind: str = "person"
    phone: str
    code: str
    password: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    contact_name: str = ""


class LoginIn(Schema):
    login: str
    password: str


class ResetCodeIn(Schema):
    login: str


class ResetIn(Schema):
    login: str
    code: str
    new_password: str


class PasswordIn(Schema):
    old_password: str
    new_password: str


class LookupOut(Schema):
    tracking_no: str
    item_name: str
    unit_name: str
    status: str
    status_label: str
    received_on: date
    deadline: date | None
    remaining_days: int | None
    notices: list[dict[str, str]]


class PublicCaseSummaryOut(Schema):
    tracking_no: str
    item_code: str
    item_name: str
    unit: str
    status: str
    status_label: str
    is_open: bool
    received_at: datetime
    deadline: date | None
    remaining_days: int | None
    decision: str


class PublicNoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    pdf_url: str


class ApplicantMaterialOut(Schema):
    id: int
    material_id: int | None
    material: str
    round: int
    name: str
    size: int
    sha256: str


class ApplicantEventOut(Schema):
    seq: int
    kind: str
    label: str
    at: datetime


class PublicCertificateOut(Schema):
    number: str
    name: str
    holder: str
    valid_from: date
    valid_until: date | None
    download_url: str


class CaseDetailOut(PublicCaseSummaryOut):
    title: str
    applicant_name: str
    channel: str
    form_data: dict[str, Any]
    can_withdraw: bool
    can_rate: bool
    rated: bool
    supplement_request: str | None
    clock: dict[str, Any]
    events: list[ApplicantEventOut]
    materials: list[ApplicantMaterialOut]
    notices: list[PublicNoticeOut]
    certificate: PublicCertificateOut | None


class WithdrawIn(Schema):
    reason: str = ""


class CaseRateIn(Schema):
    level: int
    efficiency: int
    guide_accuracy: int
    convenience: int
    operability: int
    comment: str = ""
    named: bool = True


class RatingOut(Schema):
    level: int
    level_label: str
    efficiency: int
    guide_accuracy: int
    convenience: int
    operability: int
    comment: str
    named: bool
    created_at: datetime


# --- helpers ----------------------------------------------------------------------------------
def _summary(c: Case) -> dict[str, Any]:
    p = applying_selectors.progress_of(c)
    return {
        "tracking_no": c.tracking_no,
        "item_code": c.item.code,
        "item_name": c.item.name,
        "unit": c.unit.name,
        "status": c.status,
        "status_label": c.get_status_display(),
        "is_open": c.is_open,
        "received_at": c.received_at,
        "deadline": p.deadline,
        "remaining_days": p.remaining,
        "decision": c.decision,
    }


def _notice(n: CaseNotice, tracking_no: str) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "created_at": n.created_at,
        "pdf_url": f"/api/v1/public/cases/{tracking_no}/notices/{n.pk}/pdf",
    }


def _detail(c: Case) -> dict[str, Any]:
    clk = clock.case_clock(c)
    cert = applying_selectors.certificate_of(c)
    open_request = c.supplements.filter(answered_at__isnull=True).order_by("-id").first()
    return {
        **_summary(c),
        "title": c.title,
        "applicant_name": c.applicant_name,
        "channel": c.channel,
        "form_data": c.form_data or {},
        "can_withdraw": c.status in applying.WITHDRAWABLE and not c.decision,
        "can_rate": applying.can_rate(c),
        "rated": _has_rating(c),
        "supplement_request": open_request.items_text if open_request else None,
        "clock": clock.clock_json(clk),
        "events": [
            {"seq": e.seq, "kind": e.kind, "label": e.get_kind_display(), "at": e.at}
            for e in c.events.order_by("seq")
            if e.kind not in ("step_started", "step_completed")
        ],
        "materials": [
            {
                "id": m.pk,
                "material_id": m.material_id,
                "material": m.material.name if m.material else "",
                "round": m.round,
                "name": m.name,
                "size": m.size,
                "sha256": m.sha256,
            }
            for m in c.materials.select_related("material").order_by("round", "id")
        ],
        "notices": [_notice(n, c.tracking_no) for n in applying_selectors.notices_of(c)],
        "certificate": (
            {
                "number": cert.number,
                "name": cert.name,
                "holder": cert.holder,
                "valid_from": cert.valid_from,
                "valid_until": cert.valid_until,
                "download_url": f"/api/v1/public/cases/{c.tracking_no}/certificate",
            }
            if cert
            else None
        ),
    }


def _has_rating(c: Case) -> bool:
    from tongban.approvals.models import CaseRating

    return CaseRating.objects.filter(case=c).exists()


def _uploads(request: HttpRequest) -> list[tuple[int | None, Any]]:
    files: list[tuple[int | None, Any]] = []
    for key in request.FILES:
        if key.startswith("material_") and key[9:].isdigit():
            files += [(int(key[9:]), f) for f in request.FILES.getlist(key)]
        elif key in ("others", "files", "file"):
            files += [(None, f) for f in request.FILES.getlist(key)]
    return files


# --- anonymous: the account -------------------------------------------------------------------
@router.post(
    "/register/code",
    auth=None,
    url_name="public_register_code",
    response={200: PublicOkOut, 400: ErrorOut, 422: ErrorOut},
    summary="发送注册短信验证码（同一号码 60 秒一次，10 分钟有效）",
)
def register_code(request: HttpRequest, payload: CodeIn) -> dict[str, str]:
    applying.register_code_send(phone=payload.phone, client=audit.client_ip(request) or "")
    return {"detail": _("验证码已发送，10 分钟内有效。")}


@router.post(
    "/register",
    auth=None,
    response={201: AccountOut, 400: ErrorOut, 422: ErrorOut},
    summary="注册办事账户（个人：手机号+身份证号；企业：统一社会信用代码+联系人手机号）并登录",
)
def register(request: HttpRequest, payload: RegisterIn) -> Status[PublicAccount]:
    if payload.kind == "enterprise":
        account = accounts.account_register_enterprise(
            credit_code=payload.credit_code, name=payload.name, contact_name=payload.contact_name,
            phone=payload.phone, code=payload.code, password=payload.password,
        )  # fmt: skip
    elif payload.kind == "person":
        account = accounts.account_register_person(
            phone=payload.phone, code=payload.code, password=payload.password, name=payload.name,
            id_number=payload.id_number,
        )  # fmt: skip
    else:
        raise TongbanError("identity.public_kind", _("账户类型不正确。"), field="kind")
    public.login(request, account)
    return Status(201, account)


@router.post(
    "/login",
    auth=None,
    response={200: AccountOut, 400: ErrorOut, 422: ErrorOut},
    summary="办事账户登录（个人用手机号，企业用统一社会信用代码；连续失败 5 次锁定 15 分钟）",
)
def login(request: HttpRequest, payload: LoginIn) -> PublicAccount:
    account = accounts.account_authenticate(login=payload.login, password=payload.password)
    public.login(request, account)
    return account


@router.post("/logout", auth=None, response={204: None}, summary="退出办事账户")
def logout(request: HttpRequest) -> Status[None]:
    public.logout(request)
    return Status(204, None)


@router.post(
    "/password/reset/code",
    auth=None,
    response={200: PublicOkOut, 400: ErrorOut, 422: ErrorOut},
    summary="发送找回密码验证码（发到账户登记的手机号；是否存在该账户不作区分）",
)
def reset_code(request: HttpRequest, payload: ResetCodeIn) -> dict[str, str]:
    applying.reset_code_send(login=payload.login, client=audit.client_ip(request) or "")
    return {"detail": _("如果该账户存在，验证码已发送到登记的手机号码。")}


@router.post(
    "/password/reset",
    auth=None,
    response={200: PublicOkOut, 400: ErrorOut, 422: ErrorOut},
    summary="用短信验证码重置密码",
)
def reset(request: HttpRequest, payload: ResetIn) -> dict[str, str]:
    accounts.account_password_reset(login=payload.login, code=payload.code, new_password=payload.new_password)
    return {"detail": _("密码已重置，请用新密码登录。")}


@router.get(
    "/lookup",
    auth=None,
    response={200: LookupOut, **public_errors(404, 429)},
    summary="办件进度查询（免登录）：受理编号 + 申请人姓名或手机号码",
)
def lookup(request: HttpRequest, tracking_no: str, who: str) -> dict[str, Any]:
    if not applying.lookup_allowed(audit.client_ip(request) or ""):
        raise HttpError(429, _("查询过于频繁，请 10 分钟后再试。"))
    r = applying_selectors.lookup_progress(tracking_no, who)
    return {
        "tracking_no": r.tracking_no,
        "item_name": r.item_name,
        "unit_name": r.unit_name,
        "status": r.status,
        "status_label": r.status_label,
        "received_on": r.received_on,
        "deadline": r.deadline,
        "remaining_days": r.remaining,
        "notices": [{"date": on, "title": title} for on, title in r.notices],
    }


# --- the applicant's own ----------------------------------------------------------------------
@router.get("/me", auth=AUTH, response={200: AccountOut, **errors()}, summary="当前办事账户")
def me(request: HttpRequest) -> PublicAccount:
    return _account(request)


@router.post("/me/password", auth=AUTH, response={200: PublicOkOut, **errors(400, 403)}, summary="修改密码")
def change_password(request: HttpRequest, payload: PasswordIn) -> dict[str, str]:
    account = accounts.account_password_change(
        account=_account(request), old_password=payload.old_password, new_password=payload.new_password
    )
    public.login(request, account)
    return {"detail": _("密码已修改。")}


@router.get("/cases", auth=AUTH, response={200: list[PublicCaseSummaryOut], **errors()}, summary="我的办件")
def my_cases(
    request: HttpRequest, status: str = "", limit: int = 20, offset: Offset = 0
) -> list[dict[str, Any]]:
    limit = max(1, min(limit, MAX_LIMIT))
    qs = applying_selectors.cases_for_account(_account(request), status=status)[
        max(0, offset) : max(0, offset) + limit
    ]
    return [_summary(c) for c in qs]


@router.post(
    "/cases",
    auth=AUTH,
    response={201: CaseDetailOut, **errors(400, 403, 404, 422)},
    summary="网上申请（multipart）：item_code、form_data（JSON 对象）、title；文件字段 material_<材料ID>（可多个）与 others",
)
def submit(
    request: HttpRequest, item_code: Form[str], form_data: Form[str] = "{}", title: Form[str] = ""
) -> Status[dict[str, Any]]:
    account = _account(request)
    item = (
        ServiceItem.objects.select_related("current")
        .filter(code=item_code, status=ItemStatus.PUBLISHED, current__isnull=False)
        .first()
    )
    if item is None:
        raise NotFound("approvals.item_not_found", _("没有找到这个事项。"))
    try:
        data = json.loads(form_data or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise TongbanError("approvals.form_json", _("申请表数据格式不正确。"), field="form_data")
    case = applying.case_submit(
        item=item, form_data=data, files=_uploads(request), account=account, title=title
    )
    return Status(201, _detail(applying_selectors.access_case_for_account(account, case.tracking_no)))


@router.get(
    "/cases/{tracking_no}",
    auth=AUTH,
    response={200: CaseDetailOut, **errors(404)},
    summary="办件详情（含计时）",
)
def case_detail(request: HttpRequest, tracking_no: str) -> dict[str, Any]:
    return _detail(_case(request, tracking_no))


@router.post(
    "/cases/{tracking_no}/supplement",
    auth=AUTH,
    response={200: CaseDetailOut, **errors(400, 403, 404)},
    summary="提交补正材料（multipart）：note；文件字段 material_<材料ID> 与 others",
)
def supplement(request: HttpRequest, tracking_no: str, note: Form[str] = "") -> dict[str, Any]:
    case = _case(request, tracking_no)
    applying.case_supplement(case=case, account=_account(request), files=_uploads(request), note=note)
    return _detail(_case(request, tracking_no))


@router.post(
    "/cases/{tracking_no}/withdraw",
    auth=AUTH,
    response={200: CaseDetailOut, **errors(400, 403, 404)},
    summary="撤回申请（作出决定前）",
)
def withdraw(request: HttpRequest, tracking_no: str, payload: WithdrawIn) -> dict[str, Any]:
    case = _case(request, tracking_no)
    applying.case_withdraw(case=case, account=_account(request), reason=payload.reason)
    return _detail(_case(request, tracking_no))


@router.post(
    "/cases/{tracking_no}/rate",
    auth=AUTH,
    response={201: RatingOut, **errors(400, 403, 404)},
    summary="评价办件（办结后，每件一次；五级评价与四项网上评价指标）",
)
def rate(request: HttpRequest, tracking_no: str, payload: CaseRateIn) -> Status[dict[str, Any]]:
    case = _case(request, tracking_no)
    r = applying.case_rate(case=case, account=_account(request), **payload.dict())
    return Status(201, {
        "level": r.level, "level_label": r.get_level_display(), "efficiency": r.efficiency,
        "guide_accuracy": r.guide_accuracy, "convenience": r.convenience, "operability": r.operability,
        "comment": r.comment, "named": r.named, "created_at": r.created_at,
    })  # fmt: skip


@router.get(
    "/cases/{tracking_no}/notices",
    auth=AUTH,
    response={200: list[PublicNoticeOut], **errors(404)},
    summary="办件的告知文书",
)
def notices(request: HttpRequest, tracking_no: str) -> list[dict[str, Any]]:
    case = _case(request, tracking_no)
    return [_notice(n, case.tracking_no) for n in applying_selectors.notices_of(case)]


@router.get(
    "/cases/{tracking_no}/notices/{notice_id}/pdf",
    auth=AUTH,
    response={200: None, **errors(404)},
    summary="下载告知文书 PDF（加盖单位印章）",
)
def notice_pdf(request: HttpRequest, tracking_no: str, notice_id: Id) -> HttpResponse:
    notice = applying_selectors.access_notice_for_account(_account(request), tracking_no, notice_id)
    try:
        from tongban.approvals import papers
    except ImportError:
        raise NotFound("approvals.notice_pdf_unavailable", _("文书暂不能下载。")) from None
    response = HttpResponse(papers.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice.case.tracking_no}-{notice.kind}.pdf"'
    return response


@router.get(
    "/cases/{tracking_no}/certificate",
    auth=AUTH,
    response={200: None, **errors(404)},
    summary="下载电子证照 PDF",
)
def certificate(request: HttpRequest, tracking_no: str) -> FileResponse:
    case = _case(request, tracking_no)
    cert = applying_selectors.certificate_of(case)
    if cert is None or not cert.pdf:
        raise NotFound("approvals.certificate_not_found", _("该办件没有电子证照。"))
    return FileResponse(cert.pdf.open("rb"), as_attachment=True, filename=f"{cert.number}.pdf",
                        content_type="application/pdf")  # fmt: skip


@router.get(
    "/cases/{tracking_no}/materials/{material_id}",
    auth=AUTH,
    response={200: None, **errors(404)},
    summary="下载本人提交的申请材料",
)
def material(request: HttpRequest, tracking_no: str, material_id: Id) -> FileResponse:
    case = _case(request, tracking_no)
    row = case.materials.filter(pk=material_id).first()
    if row is None:
        raise NotFound("approvals.material_not_found", _("没有找到这个文件。"))
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name)
