"""Internal notices (通知公告): list, read, publish, confirm, read status, remind, withdraw and
attachments. Thin: every endpoint loads through the notices selectors and calls one service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.api.common import Id, Offset, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import PermissionDenied
from tongban.identity.models import User
from tongban.notices import selectors, services
from tongban.notices.models import Importance, Notice

router = Router(tags=["通知公告"])

MAX_LIMIT = 100
UPLOAD = File(...)


class NoticeAttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str


class NoticeSummaryOut(Schema):
    id: int
    title: str
    unit_id: int
    unit: str
    importance: str
    status: str
    whole_county: bool
    requires_confirmation: bool
    published_at: datetime | None
    expires_on: date | None
    read_at: datetime | None = None
    confirmed_at: datetime | None = None


class NoticeOut(NoticeSummaryOut):
    body: str
    target_unit_ids: list[int]
    attachments: list[NoticeAttachmentOut]
    can_manage: bool


class NoticePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoticeSummaryOut]


class NoticeIn(Schema):
    unit_id: int
    title: str
    body: str = ""
    importance: Importance = Importance.NORMAL
    whole_county: bool = False
    target_unit_ids: list[int] = []
    requires_confirmation: bool = True
    expires_on: date | None = None


class NoticeUpdateIn(Schema):
    title: str
    body: str = ""
    importance: Importance = Importance.NORMAL
    whole_county: bool = False
    target_unit_ids: list[int] = []
    requires_confirmation: bool = True
    expires_on: date | None = None


class WithdrawIn(Schema):
    reason: str = ""


class NoticePublishOut(Schema):
    id: int
    audience: int


class RemindOut(Schema):
    reminded: int


class UnreadOut(Schema):
    unread: int


class NoticePersonOut(Schema):
    user_id: int
    name: str


class UnitStatusOut(Schema):
    unit_id: int | None
    unit: str
    total: int
    read: int
    confirmed: int
    not_read: list[NoticePersonOut]
    read_unconfirmed: list[NoticePersonOut]


class ReadStatusOut(Schema):
    id: int
    total: int
    read: int
    confirmed: int
    units: list[UnitStatusOut]


def _summary(n: Notice, read_at: Any = None, confirmed_at: Any = None) -> dict[str, Any]:
    return {
        "id": n.pk,
        "title": n.title,
        "unit_id": n.unit_id,
        "unit": n.unit.name,
        "importance": n.importance,
        "status": n.status,
        "whole_county": n.whole_county,
        "requires_confirmation": n.requires_confirmation,
        "published_at": n.published_at,
        "expires_on": n.expires_on,
        "read_at": getattr(n, "my_read_at", read_at),
        "confirmed_at": getattr(n, "my_confirmed_at", confirmed_at),
    }


def _full(n: Notice, user: User) -> dict[str, Any]:
    receipt = selectors.receipt_of(notice=n, user=user)
    out = _summary(
        n,
        receipt.read_at if receipt is not None else None,
        receipt.confirmed_at if receipt is not None else None,
    )
    out.update(
        body=n.body,
        target_unit_ids=[u.pk for u in selectors.target_units(n)],
        attachments=list(n.attachments.all()),
        can_manage=selectors.can_manage(user, n),
    )
    return out


def _unit(request: HttpRequest, unit_id: int) -> Any:
    user = _caller(request)
    for unit in selectors.publishable_units(user):
        if unit.pk == unit_id:
            return unit
    raise PermissionDenied(
        "notices.not_publisher", _("只有本单位的文书、办公室主任或单位领导可以拟发通知。"), field="unit_id"
    )


@router.get("", response={200: NoticePage, **errors(422)}, summary="收到的通知（未读在前，分页，按标题查找）")
def list_notices(
    request: HttpRequest, q: str = "", unread: bool = False, limit: int = 20, offset: Offset = 0
) -> dict[str, Any]:
    user = _caller(request)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = selectors.notices_for(user=user, q=q[:100], unread_only=unread)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(n) for n in qs[offset : offset + limit]],
    }


@router.get("/managed", response={200: NoticePage, **errors(422)}, summary="本单位发布的通知（含草稿）")
def list_managed(request: HttpRequest, q: str = "", limit: int = 20, offset: Offset = 0) -> dict[str, Any]:
    user = _caller(request)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = selectors.managed_notices(user=user, q=q[:100])
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(n) for n in qs[offset : offset + limit]],
    }


@router.get("/unread-count", response={200: UnreadOut, **errors()}, summary="未读通知数")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(user=_caller(request))}


@router.post("", response={201: NoticeOut, **errors(400, 403, 422)}, summary="拟稿（草稿）")
def create_notice(request: HttpRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    user = _caller(request)
    unit = _unit(request, payload.unit_id)
    notice = services.notice_create(
        actor=user,
        unit=unit,
        title=payload.title,
        body=payload.body,
        importance=payload.importance,
        whole_county=payload.whole_county,
        target_unit_ids=payload.target_unit_ids,
        requires_confirmation=payload.requires_confirmation,
        expires_on=payload.expires_on,
        request=request,
    )
    return Status(201, _full(notice, user))


@router.get("/{notice_id}", response={200: NoticeOut, **errors(403, 404)}, summary="查看通知（记为已读）")
def get_notice(request: HttpRequest, notice_id: Id) -> dict[str, Any]:
    user = _caller(request)
    notice = selectors.access_notice(notice_id, user)
    services.notice_read(actor=user, notice=notice, request=request)
    return _full(notice, user)


@router.put("/{notice_id}", response={200: NoticeOut, **errors(400, 403, 404, 422)}, summary="修改草稿")
def update_notice(request: HttpRequest, notice_id: Id, payload: NoticeUpdateIn) -> dict[str, Any]:
    user = _caller(request)
    notice = selectors.access_managed_notice(notice_id, user)
    notice = services.notice_update(actor=user, notice=notice, request=request, **payload.dict())
    return _full(notice, user)


@router.post(
    "/{notice_id}/publish", response={200: NoticePublishOut, **errors(400, 403, 404)}, summary="发布"
)
def publish_notice(request: HttpRequest, notice_id: Id) -> dict[str, int]:
    user = _caller(request)
    notice = selectors.access_managed_notice(notice_id, user)
    return {"id": notice.pk, "audience": services.notice_publish(actor=user, notice=notice, request=request)}


@router.post("/{notice_id}/confirm", response={200: NoticeOut, **errors(400, 403, 404)}, summary="确认已读")
def confirm_notice(request: HttpRequest, notice_id: Id) -> dict[str, Any]:
    user = _caller(request)
    notice = selectors.access_notice(notice_id, user)
    services.notice_confirm(actor=user, notice=notice, request=request)
    return _full(notice, user)


@router.get(
    "/{notice_id}/read-status",
    response={200: ReadStatusOut, **errors(403, 404)},
    summary="阅读情况（按单位）",
)
def read_status(request: HttpRequest, notice_id: Id) -> dict[str, Any]:
    user = _caller(request)
    notice = selectors.access_managed_notice(notice_id, user)
    st = selectors.read_status(notice=notice, actor=user)

    def people(users: list[User]) -> list[dict[str, Any]]:
        return [{"user_id": u.pk, "name": u.full_name or u.username} for u in users]

    return {
        "id": notice.pk,
        "total": st.total,
        "read": st.read,
        "confirmed": st.confirmed,
        "units": [
            {
                "unit_id": u.unit_id,
                "unit": u.unit_name,
                "total": u.total,
                "read": u.read,
                "confirmed": u.confirmed,
                "not_read": people(u.not_read),
                "read_unconfirmed": people(u.read_unconfirmed),
            }
            for u in st.units
        ],
    }


@router.post(
    "/{notice_id}/remind",
    response={200: RemindOut, **errors(400, 403, 404)},
    summary="提醒未读人员（每小时最多一次）",
)
def remind_notice(request: HttpRequest, notice_id: Id) -> dict[str, int]:
    user = _caller(request)
    notice = selectors.access_managed_notice(notice_id, user)
    return {"reminded": services.notice_remind(actor=user, notice=notice, request=request)}


@router.post("/{notice_id}/withdraw", response={200: NoticeOut, **errors(400, 403, 404, 422)}, summary="撤回")
def withdraw_notice(request: HttpRequest, notice_id: Id, payload: WithdrawIn) -> dict[str, Any]:
    user = _caller(request)
    notice = selectors.access_managed_notice(notice_id, user)
    notice = services.notice_withdraw(actor=user, notice=notice, reason=payload.reason, request=request)
    return _full(notice, user)


@router.post(
    "/{notice_id}/attachments",
    response={201: NoticeAttachmentOut, **errors(400, 403, 404)},
    summary="上传附件（草稿；pdf/doc(x)/xls(x)/ppt(x)/wps/ofd/txt/jpg/png/zip，≤50 MB）",
)
def upload_attachment(request: HttpRequest, notice_id: Id, file: UploadedFile = UPLOAD) -> Status[Any]:
    user = _caller(request)
    notice = selectors.access_managed_notice(notice_id, user)
    with transaction.atomic():
        att = services.notice_attach(
            actor=user, notice=notice, file=file, name=file.name or "", request=request
        )
    return Status(201, att)


@router.get(
    "/{notice_id}/attachments/{attachment_id}",
    response={200: None, **errors(403, 404)},
    summary="下载附件",
)
def download_attachment(request: HttpRequest, notice_id: Id, attachment_id: Id) -> HttpResponse:
    from tongban.notices.views import attachment_response

    user = _caller(request)
    notice = selectors.access_notice(notice_id, user)
    return attachment_response(selectors.access_attachment(notice, attachment_id))
