"""REST endpoints of 发文 (outgoing documents): list, create, read, update, attachments, body
versions, every step of the outgoing process (submit, sign, number, seal, issue), withdraw,
archive, PDF/.docx/signed PDF, and the 发文字号 series with their number records.

The document JSON uses the field names of ``DocumentSpec`` (the render schema) where they overlap:
``signature``, ``cc``, ``attachments`` (the 附件说明 names), ``organs``, ``signers`` …"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from tongban.api.common import Id, Offset, OptionalYear, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import NotFound, TongbanError
from tongban.documents import rules, selectors, services
from tongban.documents.models import Attachment, Document, NumberRecord, NumberSeries
from tongban.identity.models import User
from tongban.orgs import selectors as org_selectors

router = Router(tags=["发文"])
MAX_LIMIT = 100


# --- schemas ----------------------------------------------------------------------------------
class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    role: str
    uploaded_at: dt.datetime


class RecipientsOut(Schema):
    main_units: list[int]
    cc_units: list[int]
    main_external: list[str]
    cc_external: list[str]


class SignOffOut(Schema):
    name: str
    user_id: int
    unit_id: int | None
    opinion: str
    signed_at: dt.datetime


class DocumentSummaryOut(Schema):
    id: int
    title: str
    doc_type: str
    doc_number: str
    status: str
    unit_id: int
    unit: str
    secrecy: str
    urgency: str
    created_by: str
    created_at: dt.datetime


class DocumentOut(DocumentSummaryOut):
    # DocumentSpec names
    copy_no: str
    secrecy_period: str
    organs: list[str]
    flag_text: str
    signers: list[str]
    direction: str
    layout: str
    main_to: str
    body_html: str
    attachments: list[str]
    signature: str
    written_date: dt.date | None
    note: str
    cc: str
    printer_organ: str
    printed_date: dt.date | None
    # the stored document
    copies: int
    series_id: int | None
    number_year: int | None
    number_serial: int | None
    organ_unit_ids: list[int]
    recipients: RecipientsOut
    named_reader_ids: list[int]
    countersign_unit_ids: list[int]
    signoffs: list[SignOffOut]
    attachment_files: list[AttachmentOut]
    instance_id: int | None
    sealed: bool
    sealed_at: dt.datetime | None
    issued_at: dt.datetime | None
    archived_at: dt.datetime | None
    retention: str
    withdraw_reason: str
    may_edit: bool


class DocumentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DocumentSummaryOut]


class DocumentIn(Schema):
    title: str
    unit_id: int | None = None  # the drafting unit: one of the drafter's units (default: the primary)
    doc_type: str = "通知"
    direction: Literal["down", "parallel", "up"] = "down"
    layout: Literal["standard", "letter", "minutes", "order"] = "standard"
    copy_no: str = ""
    copies: int = 0
    secrecy: Literal["", "秘密", "机密", "绝密"] = ""
    secrecy_period: str = ""
    urgency: Literal["", "加急", "特急"] = ""
    flag_text: str = ""
    main_to: str = ""
    body_html: str = ""
    attachments: list[str] = []
    signature: str = ""
    note: str = ""
    cc: str = ""
    printer_organ: str = ""
    series_id: int | None = None
    main_units: list[int] = []
    cc_units: list[int] = []
    main_external: list[str] = []
    cc_external: list[str] = []
    organ_unit_ids: list[int] = []
    named_reader_ids: list[int] = []


class DocumentUpdateIn(Schema):
    """Only the fields sent are changed."""

    title: str | None = None
    doc_type: str | None = None
    direction: Literal["down", "parallel", "up"] | None = None
    layout: Literal["standard", "letter", "minutes", "order"] | None = None
    copy_no: str | None = None
    copies: int | None = None
    secrecy: Literal["", "秘密", "机密", "绝密"] | None = None
    secrecy_period: str | None = None
    urgency: Literal["", "加急", "特急"] | None = None
    flag_text: str | None = None
    main_to: str | None = None
    body_html: str | None = None
    attachments: list[str] | None = None
    signature: str | None = None
    note: str | None = None
    cc: str | None = None
    printer_organ: str | None = None
    series_id: int | None = None
    main_units: list[int] | None = None
    cc_units: list[int] | None = None
    main_external: list[str] | None = None
    cc_external: list[str] | None = None
    organ_unit_ids: list[int] | None = None
    named_reader_ids: list[int] | None = None


class DocumentVersionOut(Schema):
    version: int
    source: str
    step: str
    created_by: str
    created_at: dt.datetime
    html: str


class DiffRowOut(Schema):
    kind: str
    left: str
    right: str
    left_no: int | None
    right_no: int | None


class DocumentPersonOut(Schema):
    user_id: int
    name: str


class DocumentStepOut(Schema):
    item_id: int
    step: str
    step_name: str
    form: str
    candidates: list[DocumentPersonOut]


class DocumentStepIn(Schema):
    item_id: int | None = None
    opinion: str = ""
    next_assignees: list[int] = []
    countersign_units: list[int] = []
    decision: Literal["pass", "return"] = "pass"
    not_substantive: bool = False
    series_id: int | None = None
    copies: int | None = None


class OpinionIn(Schema):
    item_id: int | None = None
    opinion: str = ""


class NumberIn(Schema):
    item_id: int | None = None
    opinion: str = ""
    series_id: int | None = None
    copies: int | None = None


class ReasonIn(Schema):
    reason: str


class ArchiveIn(Schema):
    retention: Literal["permanent", "30y", "10y"]


class DocumentSeriesOut(Schema):
    id: int
    unit_id: int
    prefix: str
    name: str
    is_active: bool


class SeriesIn(Schema):
    unit_id: int
    prefix: str
    name: str = ""


class NumberRecordOut(Schema):
    id: int
    text: str
    year: int
    serial: int
    state: str
    document_id: int | None
    assigned_by: str
    assigned_at: dt.datetime
    voided_at: dt.datetime | None
    void_reason: str


# --- helpers ----------------------------------------------------------------------------------
def _summary(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "doc_type": d.doc_type,
        "doc_number": d.doc_number,
        "status": d.status,
        "unit_id": d.unit_id,
        "unit": d.unit.name,
        "secrecy": d.secrecy,
        "urgency": d.urgency,
        "created_by": d.created_by.full_name,
        "created_at": d.created_at,
    }


def _full(d: Document, user: User) -> dict[str, Any]:
    organs = list(d.organs.all())
    signoffs = list(d.signoffs.all())
    out = _summary(d)
    out.update(
        copy_no=d.copy_no,
        secrecy_period=d.secrecy_period,
        organs=[o.name for o in organs] or [d.unit.name],
        flag_text=d.flag_text,
        signers=[n for n in d.signers_text.split("、") if n],
        direction=d.direction,
        layout=d.layout,
        main_to=d.main_to,
        body_html=d.body_html,
        attachments=[line.strip() for line in d.attachment_note.splitlines() if line.strip()],
        signature=d.signature_text,
        written_date=d.written_date,
        note=d.note,
        cc=d.cc_text,
        printer_organ=d.printer_organ,
        printed_date=d.printed_date,
        copies=d.copies,
        series_id=d.series_id,
        number_year=d.number_year,
        number_serial=d.number_serial,
        organ_unit_ids=[o.unit_id for o in organs],
        recipients=selectors.recipient_lists(d),
        named_reader_ids=list(d.named_readers.values_list("pk", flat=True)),
        countersign_unit_ids=list(d.countersign_unit_ids or []),
        signoffs=[
            {
                "name": s.name,
                "user_id": s.user_id,
                "unit_id": s.unit_id,
                "opinion": s.opinion,
                "signed_at": s.signed_at,
            }
            for s in signoffs
        ],
        attachment_files=list(d.attachments.all()),
        instance_id=d.instance_id,
        sealed=bool(d.sealed_pdf),
        sealed_at=d.sealed_at,
        issued_at=d.issued_at,
        archived_at=d.archived_at,
        retention=d.retention,
        withdraw_reason=d.withdraw_reason,
        may_edit=services.may_edit(d, user),
    )
    return out


_RENAMES = {
    "signature": "signature_text",
    "cc": "cc_text",
    "series_id": "series",
    "organ_unit_ids": "organs",
    "named_reader_ids": "named_readers",
}


def _to_data(payload: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in payload.items():
        if key == "attachments":
            data["attachment_note"] = "\n".join(str(v).strip() for v in value or [] if str(v).strip())
        else:
            data[_RENAMES.get(key, key)] = value
    return data


def _doc(request: HttpRequest, document_id: int, purpose: str = "api") -> Document:
    return selectors.access_document(document_id, _caller(request), request=request, purpose=purpose)


def _my_item(doc: Document, user: User, item_id: int | None, steps: set[str] | None = None) -> Any:
    from tongban.workflow import selectors as wfs

    items = wfs.open_items_for(user=user, subject_type=services.SUBJECT_TYPE, subject_id=doc.pk)
    for item in items:
        if (item_id is None or item.pk == item_id) and (steps is None or services.step_of(item) in steps):
            return item
    raise TongbanError("documents.no_open_step", _("该公文当前没有您可办理的此环节。"))


def _file(data: bytes, name: str, content_type: str, attachment: bool = True) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(attachment, services.safe_file_name(name))
    return resp


# --- 发文字号 (declared before /{document_id}) -------------------------------------------------
@router.get("/series", response={200: list[DocumentSeriesOut], **errors()}, summary="我管理的发文字号系列")
def list_series(request: HttpRequest) -> list[NumberSeries]:
    units = selectors.managed_units(_caller(request))
    return list(NumberSeries.objects.filter(unit__in=units).order_by("unit_id", "prefix"))


@router.post(
    "/series",
    response={201: DocumentSeriesOut, **errors(400, 403, 422)},
    summary="添加发文字号系列（办公室主任）",
)
def create_series(request: HttpRequest, payload: SeriesIn) -> Status[NumberSeries]:
    user = _caller(request)
    unit = next((u for u in selectors.managed_units(user) if u.pk == payload.unit_id), None)
    if unit is None:
        raise HttpError(403, _("只有本单位办公室主任可以管理发文字号。"))
    return Status(
        201, services.series_create(actor=user, unit=unit, prefix=payload.prefix, name=payload.name)
    )


@router.get(
    "/series/{series_id}/records",
    response={200: list[NumberRecordOut], **errors(404)},
    summary="编号记录（含作废）",
)
def series_records(request: HttpRequest, series_id: Id, year: OptionalYear = None) -> list[dict[str, Any]]:
    series = selectors.access_series(series_id, _caller(request))
    rows: list[NumberRecord] = list(selectors.number_records(series, year=year)[:1000])
    return [
        {
            "id": r.pk,
            "text": r.text,
            "year": r.year,
            "serial": r.serial,
            "state": r.state,
            "document_id": r.document_id,
            "assigned_by": r.assigned_by.full_name if r.assigned_by else "",
            "assigned_at": r.assigned_at,
            "voided_at": r.voided_at,
            "void_reason": r.void_reason,
        }
        for r in rows
    ]


# --- documents ----------------------------------------------------------------------------------
@router.get("", response={200: DocumentPage, **errors(422)}, summary="发文列表（可见的，默认本单位）")
def list_documents(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    doc_type: str = "",
    year: OptionalYear = None,
    scope: Literal["unit", "mine", "all"] = "unit",
    limit: int = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = _caller(request)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    f = selectors.DocumentFilter(q=q[:50], status=status, doc_type=doc_type, year=year, scope=scope)
    qs = selectors.document_list(user, f)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(d) for d in qs[offset : offset + limit]],
    }


@router.post(
    "", response={201: DocumentOut, **errors(400, 403, 422)}, summary="拟稿（新建发文，进入拟稿环节）"
)
def create_document(request: HttpRequest, payload: DocumentIn) -> Status[dict[str, Any]]:
    user = _caller(request)
    data = payload.dict()
    unit_id = data.pop("unit_id", None)
    unit = None
    if unit_id is not None:
        unit = next((u for u in org_selectors.units_for_user(user) if u.pk == unit_id), None)
        if unit is None:
            raise HttpError(403, _("只能以本人所在单位拟稿。"))
    doc = services.document_create(actor=user, data=_to_data(data), unit=unit)
    return Status(201, _full(doc, user))


@router.get("/{document_id}", response={200: DocumentOut, **errors(403, 404)}, summary="查看发文")
def get_document(request: HttpRequest, document_id: Id) -> dict[str, Any]:
    return _full(_doc(request, document_id), _caller(request))


@router.put(
    "/{document_id}", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="修改要素和正文"
)
def update_document(request: HttpRequest, document_id: Id, payload: DocumentUpdateIn) -> dict[str, Any]:
    user = _caller(request)
    doc = _doc(request, document_id, "edit")
    data = _to_data(payload.dict(exclude_unset=True))
    doc = services.document_update(document=doc, actor=user, data=data)
    return _full(doc, user)


@router.get(
    "/{document_id}/attachments", response={200: list[AttachmentOut], **errors(403, 404)}, summary="附件"
)
def list_attachments(request: HttpRequest, document_id: Id) -> list[Attachment]:
    return list(_doc(request, document_id).attachments.all())


@router.post(
    "/{document_id}/attachments",
    response={201: AttachmentOut, **errors(400, 403, 404, 422)},
    summary="上传附件（pdf、doc(x)、xls(x)、ppt(x)、wps、ofd、txt、jpg、png、zip）",
)
def add_attachment(request: HttpRequest, document_id: Id, file: File[UploadedFile]) -> Status[Attachment]:
    doc = _doc(request, document_id, "attachment")
    return Status(201, services.attachment_add(document=doc, actor=_caller(request), file=file))


@router.delete(
    "/{document_id}/attachments/{attachment_id}",
    response={204: None, **errors(400, 403, 404)},
    summary="删除附件",
)
def remove_attachment(request: HttpRequest, document_id: Id, attachment_id: Id) -> Status[None]:
    att = selectors.access_attachment(attachment_id, _caller(request), request=request)
    if att.document_id != document_id:
        raise NotFound("documents.not_found", _("附件不存在。"))
    services.attachment_remove(attachment=att, actor=_caller(request))
    return Status(204, None)


@router.get(
    "/{document_id}/attachments/{attachment_id}/file",
    response={200: None, **errors(403, 404)},
    summary="下载附件",
)
def download_attachment(request: HttpRequest, document_id: Id, attachment_id: Id) -> FileResponse:
    att = selectors.access_attachment(attachment_id, _caller(request), request=request)
    if att.document_id != document_id:
        raise NotFound("documents.not_found", _("附件不存在。"))
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@router.post(
    "/{document_id}/body/docx",
    response={200: DocumentOut, **errors(400, 403, 404, 422)},
    summary="导入 .docx 正文",
)
def import_docx(request: HttpRequest, document_id: Id, file: File[UploadedFile]) -> dict[str, Any]:
    user = _caller(request)
    doc = services.body_import_docx(document=_doc(request, document_id, "import"), actor=user, file=file)
    return _full(doc, user)


@router.get(
    "/{document_id}/versions",
    response={200: list[DocumentVersionOut], **errors(403, 404)},
    summary="正文版本",
)
def list_versions(request: HttpRequest, document_id: Id) -> list[dict[str, Any]]:
    doc = _doc(request, document_id, "versions")
    return [
        {
            "version": v.version,
            "source": v.source,
            "step": v.step,
            "created_by": v.created_by.full_name,
            "created_at": v.created_at,
            "html": v.html,
        }
        for v in selectors.versions(doc)
    ]


@router.get(
    "/{document_id}/versions/compare",
    response={200: list[DiffRowOut], **errors(403, 404)},
    summary="两个正文版本对照",
)
def compare_versions(request: HttpRequest, document_id: Id, a: int, b: int) -> list[Any]:
    doc = _doc(request, document_id, "versions")
    by_no = {v.version: v for v in selectors.versions(doc)}
    if a not in by_no or b not in by_no:
        raise NotFound("documents.no_version", _("版本不存在。"))
    return selectors.version_diff(by_no[a], by_no[b])


@router.get(
    "/{document_id}/steps",
    response={200: list[DocumentStepOut], **errors(403, 404)},
    summary="我在此公文上的待办环节",
)
def my_steps(request: HttpRequest, document_id: Id) -> list[dict[str, Any]]:
    from tongban.workflow import selectors as wfs

    user = _caller(request)
    doc = _doc(request, document_id)
    out = []
    for item in wfs.open_items_for(user=user, subject_type=services.SUBJECT_TYPE, subject_id=doc.pk):
        cands = (
            selectors.next_candidates(doc, services.step_of(item))
            if services.step_of(item) in {rules.STEP_DRAFT, rules.STEP_OFFICE_REVIEW}
            else []
        )
        out.append(
            {
                "item_id": item.pk,
                "step": item.step,
                "step_name": item.step_name,
                "form": services.form_of(item),
                "candidates": [{"user_id": u.pk, "name": u.full_name} for u in cands],
            }
        )
    return out


def _submit(
    request: HttpRequest, document_id: int, payload: dict[str, Any], steps: set[str] | None
) -> dict[str, Any]:
    user = _caller(request)
    doc = _doc(request, document_id, "step")
    item = _my_item(doc, user, payload.get("item_id"), steps)
    data = {k: v for k, v in payload.items() if k not in {"item_id", "opinion"} and v is not None}
    if "series_id" in data:
        data["series"] = data.pop("series_id")
    services.step_submit(item=item, actor=user, opinion=payload.get("opinion") or "", data=data)
    doc.refresh_from_db()
    if not selectors.can_see(doc, user):
        raise NotFound("documents.not_found", _("公文不存在。"))
    return _full(doc, user)


@router.post(
    "/{document_id}/submit",
    response={200: DocumentOut, **errors(400, 403, 404, 422)},
    summary="办理我的当前环节（拟稿、审核、核稿、会签、签发、复核、编号、用印、核发）",
)
def submit_step(request: HttpRequest, document_id: Id, payload: DocumentStepIn) -> dict[str, Any]:
    return _submit(request, document_id, payload.dict(), None)


@router.post("/{document_id}/sign", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="签发")
def sign(request: HttpRequest, document_id: Id, payload: OpinionIn) -> dict[str, Any]:
    return _submit(request, document_id, payload.dict(), {rules.STEP_SIGN})


@router.post(
    "/{document_id}/number", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="编号登记"
)
def number(request: HttpRequest, document_id: Id, payload: NumberIn) -> dict[str, Any]:
    return _submit(request, document_id, payload.dict(), {rules.STEP_REGISTER})


@router.post("/{document_id}/seal", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="用印")
def seal(request: HttpRequest, document_id: Id, payload: OpinionIn) -> dict[str, Any]:
    return _submit(request, document_id, payload.dict(), {rules.STEP_SEAL})


@router.post(
    "/{document_id}/issue", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="核发"
)
def issue(request: HttpRequest, document_id: Id, payload: OpinionIn) -> dict[str, Any]:
    return _submit(request, document_id, payload.dict(), {rules.STEP_ISSUE})


@router.post(
    "/{document_id}/withdraw", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="撤销"
)
def withdraw(request: HttpRequest, document_id: Id, payload: ReasonIn) -> dict[str, Any]:
    user = _caller(request)
    doc = services.document_withdraw(
        document=_doc(request, document_id, "withdraw"), actor=user, reason=payload.reason
    )
    return _full(doc, user)


@router.post(
    "/{document_id}/archive", response={200: DocumentOut, **errors(400, 403, 404, 422)}, summary="归档"
)
def archive(request: HttpRequest, document_id: Id, payload: ArchiveIn) -> dict[str, Any]:
    user = _caller(request)
    doc = services.document_archive(
        document=_doc(request, document_id, "archive"), actor=user, retention=payload.retention
    )
    return _full(doc, user)


@router.get(
    "/{document_id}/pdf", response={200: None, **errors(403, 404)}, summary="PDF（GB/T 9704 版式，未盖章）"
)
def pdf(request: HttpRequest, document_id: Id) -> HttpResponse:
    from tongban.documents.render import render_pdf, spec_from_document

    doc = _doc(request, document_id, "pdf")
    return _file(render_pdf(spec_from_document(doc)), f"{doc.doc_number or doc.title}.pdf", "application/pdf")


@router.get("/{document_id}/docx", response={200: None, **errors(403, 404)}, summary="导出 .docx")
def docx(request: HttpRequest, document_id: Id) -> HttpResponse:
    from tongban.documents.render import render_docx, spec_from_document

    doc = _doc(request, document_id, "docx")
    return _file(
        render_docx(spec_from_document(doc)),
        f"{doc.doc_number or doc.title}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@router.get("/{document_id}/sealed.pdf", response={200: None, **errors(403, 404)}, summary="盖章并签名的 PDF")
def sealed_pdf(request: HttpRequest, document_id: Id) -> FileResponse:
    doc = _doc(request, document_id, "sealed_pdf")
    if not doc.sealed_pdf:
        raise NotFound("documents.not_sealed", _("该公文尚未用印。"))
    return FileResponse(
        doc.sealed_pdf.open("rb"),
        as_attachment=True,
        filename=services.safe_file_name(f"{doc.doc_number or doc.title}.pdf"),
    )
