"""/api/v1/library/: the shared resource library — catalogue (search and filters), a resource with
its versions, downloads (audited), access requests (request, approve, refuse) and the download log.
Thin: every endpoint loads through tongban.library.access/selectors and calls one service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tongban.api.common import Id, Offset, OptionalId, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import NotFound
from tongban.library import access, selectors, services
from tongban.library.models import (
    AccessRequest,
    RequestStatus,
    Resource,
    ResourceKind,
    ResourceVersion,
    SharingLevel,
)
from tongban.library.views import download_response

router = Router(tags=["共享资源库"])

MAX_LIMIT = 100


class ColumnOut(Schema):
    name: str
    type: str
    description: str = ""


class VersionOut(Schema):
    number: int
    name: str
    ext: str
    size: int
    content_type: str
    sha256: str
    encoding: str
    row_count: int | None
    note: str
    uploaded_at: datetime


class ResourceSummaryOut(Schema):
    id: int
    title: str
    kind: str
    owner_unit_id: int
    owner_unit: str
    sharing: str
    update_frequency: str
    category: str
    keywords: str
    updated_at: datetime
    current_version: int | None
    can_download: bool


class ResourceOut(ResourceSummaryOut):
    description: str
    contact: str
    shared_unit_ids: list[int]
    columns: list[ColumnOut]
    preview: list[list[str]]
    can_manage: bool
    can_request: bool


class ResourcePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ResourceSummaryOut]


class RequestIn(Schema):
    reason: str
    unit_id: int | None = None


class ApproveIn(Schema):
    expires_on: date | None = None
    note: str = ""


class RefuseIn(Schema):
    reason: str


class RequestOut(Schema):
    id: int
    resource_id: int
    resource: str
    unit_id: int
    unit: str
    requester: str
    reason: str
    status: str
    reply_due: date | None
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    expires_on: date | None


class RequestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RequestOut]


class DownloadOut(Schema):
    at: datetime
    user: str
    unit_id: int | None
    unit: str
    version: int
    ip: str | None


class UnitCountOut(Schema):
    unit_id: int | None
    unit: str
    count: int


class MonthCountOut(Schema):
    month: str
    count: int


class DownloadLogOut(Schema):
    total: int
    users: int
    units: int
    by_unit: list[UnitCountOut]
    by_month: list[MonthCountOut]
    count: int
    limit: int
    offset: int
    items: list[DownloadOut]


def _summary(r: Resource, user: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "title": r.title,
        "kind": r.kind,
        "owner_unit_id": r.owner_unit_id,
        "owner_unit": r.owner_unit.name,
        "sharing": r.sharing,
        "update_frequency": r.update_frequency,
        "category": r.category,
        "keywords": r.keywords,
        "updated_at": r.updated_at,
        "current_version": r.current_version.number if r.current_version is not None else None,
        "can_download": access.can_download(user, r),
    }


def _full(r: Resource, user: Any) -> dict[str, Any]:
    out = _summary(r, user)
    v = r.current_version
    out.update(
        description=r.description,
        contact=r.contact,
        shared_unit_ids=[u.pk for u in selectors.shared_units(r)],
        columns=v.schema if v is not None else [],
        preview=v.preview if v is not None else [],
        can_manage=access.can_manage(user, r),
        can_request=bool(access.requestable_units(user, r)) and not out["can_download"],
    )
    return out


def _request(req: AccessRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "resource_id": req.resource_id,
        "resource": req.resource.title,
        "unit_id": req.unit_id,
        "unit": req.unit.name,
        "requester": req.requester.full_name or req.requester.username,
        "reason": req.reason,
        "status": req.status,
        "reply_due": req.reply_due,
        "created_at": req.created_at,
        "decided_at": req.decided_at,
        "decision_note": req.decision_note,
        "expires_on": req.expires_on,
    }


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


@router.get(
    "/resources",
    response={200: ResourcePage, **errors(422)},
    summary="资源目录（按名称、摘要、关键词、提供单位查找；按类型、提供单位、共享类型筛选）",
)
def list_resources(
    request: HttpRequest,
    q: str = "",
    kind: ResourceKind | None = None,
    owner_unit_id: OptionalId = None,
    sharing: SharingLevel | None = None,
    limit: int = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = _caller(request)
    limit, offset = _page(limit, offset)
    qs = selectors.catalogue(
        user=user, q=q[:100], kind=kind or "", owner_unit_id=owner_unit_id, sharing=sharing or ""
    )
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(r, user) for r in qs[offset : offset + limit]],
    }


@router.get("/resources/{resource_id}", response={200: ResourceOut, **errors(404)}, summary="资源详情")
def get_resource(request: HttpRequest, resource_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _full(access.access_resource(resource_id, user), user)


@router.get(
    "/resources/{resource_id}/versions", response={200: list[VersionOut], **errors(404)}, summary="历史版本"
)
def list_versions(request: HttpRequest, resource_id: Id) -> list[ResourceVersion]:
    user = _caller(request)
    return selectors.versions(access.access_resource(resource_id, user))


def _download(request: HttpRequest, resource_id: int, number: int | None) -> HttpResponseBase:
    user = _caller(request)
    resource = access.access_resource(resource_id, user)
    version = resource.current_version if number is None else selectors.access_version(resource, number)
    if version is None:
        raise NotFound("library.no_file", _("该资源还没有文件。"))
    services.download_record(actor=user, resource=resource, version=version, request=request)
    return download_response(version)


@router.get(
    "/resources/{resource_id}/download",
    response={200: None, **errors(403, 404)},
    summary="下载当前版本（记入下载记录）",
)
def download_current(request: HttpRequest, resource_id: Id) -> HttpResponseBase:
    return _download(request, resource_id, None)


@router.get(
    "/resources/{resource_id}/versions/{number}/download",
    response={200: None, **errors(403, 404)},
    summary="下载指定版本（记入下载记录）",
)
def download_version(request: HttpRequest, resource_id: Id, number: Id) -> HttpResponseBase:
    return _download(request, resource_id, number)


@router.post(
    "/resources/{resource_id}/requests",
    response={201: RequestOut, **errors(400, 403, 404, 422)},
    summary="提出共享申请（有条件共享、限定单位）",
)
def create_request(request: HttpRequest, resource_id: Id, payload: RequestIn) -> Status[dict[str, Any]]:
    user = _caller(request)
    resource = access.access_resource(resource_id, user)
    req = services.request_create(
        actor=user, resource=resource, reason=payload.reason, unit_id=payload.unit_id, request=request
    )
    req = AccessRequest.objects.select_related("resource", "unit", "requester").get(pk=req.pk)
    return Status(201, _request(req))


@router.get(
    "/requests",
    response={200: RequestPage, **errors(422)},
    summary="共享申请（incoming：本单位资源收到的；outgoing：本单位提出的）",
)
def list_requests(
    request: HttpRequest,
    box: Literal["incoming", "outgoing"] = "outgoing",
    status: RequestStatus | None = None,
    limit: int = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = _caller(request)
    limit, offset = _page(limit, offset)
    if box == "incoming":
        qs = selectors.incoming_requests(user, status=status or "")
    else:
        qs = selectors.outgoing_requests(user, status=status or "")
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_request(r) for r in qs[offset : offset + limit]],
    }


@router.post(
    "/requests/{request_id}/approve",
    response={200: RequestOut, **errors(400, 403, 404, 422)},
    summary="同意共享申请（可设使用期限）",
)
def approve_request(request: HttpRequest, request_id: Id, payload: ApproveIn) -> dict[str, Any]:
    user = _caller(request)
    req = selectors.access_request(request_id, user)
    req = services.request_approve(
        actor=user, req=req, expires_on=payload.expires_on, note=payload.note, request=request
    )
    return _request(req)


@router.post(
    "/requests/{request_id}/refuse",
    response={200: RequestOut, **errors(400, 403, 404, 422)},
    summary="不予同意（须说明理由）",
)
def refuse_request(request: HttpRequest, request_id: Id, payload: RefuseIn) -> dict[str, Any]:
    user = _caller(request)
    req = selectors.access_request(request_id, user)
    req = services.request_refuse(actor=user, req=req, reason=payload.reason, request=request)
    return _request(req)


@router.get(
    "/resources/{resource_id}/downloads",
    response={200: DownloadLogOut, **errors(403, 404, 422)},
    summary="下载记录与统计（提供单位资源管理员）",
)
def download_log(
    request: HttpRequest, resource_id: Id, limit: int = 50, offset: Offset = 0
) -> dict[str, Any]:
    user = _caller(request)
    resource = access.access_resource(resource_id, user)
    access.require_manager(user, resource)
    limit, offset = _page(limit, offset)
    stats = selectors.download_stats(resource)
    qs = selectors.download_log(resource)
    return {
        "total": stats.total,
        "users": stats.users,
        "units": stats.units,
        "by_unit": stats.by_unit,
        "by_month": stats.by_month,
        "count": stats.total,
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "at": d.at,
                "user": d.user.full_name or d.user.username,
                "unit_id": d.unit_id,
                "unit": d.unit.name if d.unit is not None else "",
                "version": d.version.number,
                "ip": d.ip,
            }
            for d in qs[offset : offset + limit]
        ],
    }
