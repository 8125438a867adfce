"""The service catalogue for staff (事项管理), under /api/v1/approvals/: list and read items and
versions, create an item, draft a revision, edit a draft (every element, materials, fees, steps,
form fields), upload a sample, submit, publish or return, withdraw or restore. Thin: every
endpoint loads through catalogue_selectors.access_* and calls one service of
:mod:`tongban.approvals.catalogue` (the same the pages call)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.api.common import Id, Offset, OptionalId, errors
from tongban.api.common import caller as _caller
from tongban.approvals import catalogue
from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.models import ItemVersion, ServiceItem
from tongban.core.errors import TongbanError
from tongban.identity.models import User
from tongban.orgs.models import Unit

router = Router(tags=["事项管理"])
UPLOAD = File(...)
MAX_LIMIT = 100


class MaterialOut(Schema):
    id: int
    name: str
    form: str
    copies: int
    required: bool
    note: str
    has_sample: bool


class ItemFeeOut(Schema):
    name: str
    amount: Decimal
    basis: str


class ItemStepOut(Schema):
    key: str
    name: str
    limit: int
    counts: bool


class ItemVersionOut(Schema):
    id: int
    item_id: int
    number: int
    status: str
    name: str
    item_type: str
    implementing_unit_id: int
    implementing_unit: str
    legal_basis: str
    conditions: str
    place: str
    hours: str
    phone: str
    statutory_limit: int
    committed_limit: int
    joint: bool
    visits: int
    online: bool
    fee_free: bool
    certificate_name: str
    certificate_valid_years: int | None
    process_key: str
    form_schema: list[dict[str, Any]]
    note: str
    return_reason: str
    submitted_at: datetime | None
    published_at: datetime | None
    materials: list[MaterialOut]
    fees: list[ItemFeeOut]
    steps: list[ItemStepOut]


class VersionSummaryOut(Schema):
    id: int
    number: int
    status: str
    committed_limit: int
    statutory_limit: int
    published_at: datetime | None


class ItemSummaryOut(Schema):
    id: int
    code: str
    name: str
    item_type: str
    status: str
    department_id: int
    department: str
    parent_id: int | None
    variant: str
    current_version: int | None
    committed_limit: int | None
    statutory_limit: int | None
    pending: bool = False


class ItemOut(ItemSummaryOut):
    versions: list[VersionSummaryOut]
    current: ItemVersionOut | None
    open_version: ItemVersionOut | None


class ItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ItemSummaryOut]


class ItemIn(Schema):
    department_id: int
    code: str
    name: str
    item_type: str
    legal_basis: str
    statutory_limit: int
    committed_limit: int
    parent_id: int | None = None
    variant: str = ""
    implementing_unit_id: int | None = None
    process_key: str = "approval-standard"


class MaterialIn(Schema):
    id: int | None = None
    name: str
    form: str = "electronic"
    copies: int = 1
    required: bool = True
    note: str = ""
    clear_sample: bool = False


class ItemFeeIn(Schema):
    name: str
    amount: Decimal
    basis: str


class ItemStepIn(Schema):
    key: str
    limit: int
    counts: bool = True
    name: str = ""


class VersionIn(Schema):
    """Any element of the draft; lists given replace the draft's lists."""

    name: str | None = None
    item_type: str | None = None
    implementing_unit_id: int | None = None
    legal_basis: str | None = None
    conditions: str | None = None
    place: str | None = None
    hours: str | None = None
    phone: str | None = None
    statutory_limit: int | None = None
    committed_limit: int | None = None
    joint: bool | None = None
    visits: int | None = None
    online: bool | None = None
    fee_free: bool | None = None
    certificate_name: str | None = None
    certificate_valid_years: int | None = None
    process_key: str | None = None
    form_schema: list[dict[str, Any]] | None = None
    note: str | None = None
    materials: list[MaterialIn] | None = None
    fees: list[ItemFeeIn] | None = None
    steps: list[ItemStepIn] | None = None


class ItemDraftIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


def version_out(v: ItemVersion) -> dict[str, Any]:
    return {
        **{f: getattr(v, f) for f in catalogue.VERSION_FIELDS if f not in ("implementing_unit",)},
        "id": v.pk,
        "item_id": v.item_id,
        "number": v.number,
        "status": v.status,
        "implementing_unit_id": v.implementing_unit_id,
        "implementing_unit": v.implementing_unit.name,
        "return_reason": v.return_reason,
        "submitted_at": v.submitted_at,
        "published_at": v.published_at,
        "form_schema": v.form_schema or [],
        "materials": [
            {
                "id": m.pk,
                "name": m.name,
                "form": m.form,
                "copies": m.copies,
                "required": m.required,
                "note": m.note,
                "has_sample": bool(m.sample),
            }
            for m in v.materials.all()
        ],
        "fees": [{"name": f.name, "amount": f.amount, "basis": f.basis} for f in v.fees.all()],
        "steps": [
            {"key": s.key, "name": s.name, "limit": s.limit, "counts": s.counts} for s in v.steps.all()
        ],
    }


def _summary(i: ServiceItem) -> dict[str, Any]:
    cur = i.current
    return {
        "id": i.pk,
        "code": i.code,
        "name": i.name,
        "item_type": i.item_type,
        "status": i.status,
        "department_id": i.department_id,
        "department": i.department.name,
        "parent_id": i.parent_id,
        "variant": i.variant,
        "current_version": cur.number if cur else None,
        "committed_limit": cur.committed_limit if cur else None,
        "statutory_limit": cur.statutory_limit if cur else None,
        "pending": bool(getattr(i, "pending", False)),
    }


def _item_out(i: ServiceItem) -> dict[str, Any]:
    versions = sel.item_versions(i)
    open_v = next((v for v in versions if v.status in sel.OPEN_VERSION_STATUSES), None)
    return {
        **_summary(i),
        "pending": bool(open_v and open_v.status == "submitted"),
        "versions": [
            {
                "id": v.pk,
                "number": v.number,
                "status": v.status,
                "committed_limit": v.committed_limit,
                "statutory_limit": v.statutory_limit,
                "published_at": v.published_at,
            }
            for v in versions
        ],
        "current": version_out(sel.version_detail(i.current_id)) if i.current_id else None,
        "open_version": version_out(sel.version_detail(open_v.pk)) if open_v else None,
    }


def _unit(user: User, unit_id: int | None, field: str) -> Unit | None:
    if unit_id is None:
        return None
    r = sel.rights(user)
    unit = Unit.objects.filter(pk=unit_id, county_id=r.county_id).first()
    if unit is None:
        raise TongbanError("approvals.unit_invalid", _("请选择本县的单位。"), field=field)
    return unit


@router.get(
    "/items", response={200: ItemPage, **errors(403, 422)}, summary="事项列表（本部门；审批局为全县）"
)
def list_items(
    request: HttpRequest,
    q: str = "",
    department_id: OptionalId = None,
    status: str = "",
    item_type: str = "",
    limit: int = 30,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = _caller(request)
    sel.require_catalogue_admin(user)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = sel.items_for_staff(user, department_id=department_id, status=status, item_type=item_type, q=q[:100])
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(i) for i in qs[offset : offset + limit]],
    }


@router.get(
    "/items/{item_id}",
    response={200: ItemOut, **errors(403, 404)},
    summary="事项（版本记录、现行版本、修订中的版本）",
)
def get_item(request: HttpRequest, item_id: Id) -> dict[str, Any]:
    return _item_out(sel.access_item(_caller(request), item_id))


@router.post("/items", response={201: ItemOut, **errors(400, 403, 422)}, summary="新增事项（含首个草稿）")
def create_item(request: HttpRequest, payload: ItemIn) -> Status[dict[str, Any]]:
    user = _caller(request)
    sel.require_catalogue_admin(user)
    department = sel.editable_departments(user).filter(pk=payload.department_id).first()
    if department is None:
        raise TongbanError("approvals.item_forbidden", _("只能为本部门新增事项。"), field="department_id")
    parent = None
    if payload.parent_id is not None:
        parent = ServiceItem.objects.filter(pk=payload.parent_id, county_id=department.county_id).first()
        if parent is None:
            raise TongbanError("approvals.parent_invalid", _("上级事项不存在。"), field="parent_id")
    item = catalogue.item_create(
        actor=user,
        department=department,
        code=payload.code,
        name=payload.name,
        item_type=payload.item_type,
        legal_basis=payload.legal_basis,
        statutory_limit=payload.statutory_limit,
        committed_limit=payload.committed_limit,
        parent=parent,
        variant=payload.variant,
        implementing_unit=_unit(user, payload.implementing_unit_id, "implementing_unit_id"),
        process_key=payload.process_key,
        request=request,
    )
    return Status(201, _item_out(sel.access_item(user, item.pk)))


@router.post(
    "/items/{item_id}/drafts",
    response={201: ItemVersionOut, **errors(400, 403, 404)},
    summary="新建修订草稿（复制现行版本）",
)
def draft_item(request: HttpRequest, item_id: Id, payload: ItemDraftIn) -> Status[dict[str, Any]]:
    user = _caller(request)
    item = sel.access_item(user, item_id)
    v = catalogue.version_draft(actor=user, item=item, note=payload.note, request=request)
    return Status(201, version_out(sel.version_detail(v.pk)))


@router.get("/versions/{version_id}", response={200: ItemVersionOut, **errors(403, 404)}, summary="事项版本")
def get_version(request: HttpRequest, version_id: Id) -> dict[str, Any]:
    v = sel.access_version(_caller(request), version_id)
    return version_out(sel.version_detail(v.pk))


@router.put(
    "/versions/{version_id}", response={200: ItemVersionOut, **errors(400, 403, 404, 422)}, summary="修改草稿"
)
def update_version(request: HttpRequest, version_id: Id, payload: VersionIn) -> dict[str, Any]:
    user = _caller(request)
    v = sel.access_version(user, version_id)
    data = payload.dict(exclude_unset=True)
    materials = data.pop("materials", None)
    fees = data.pop("fees", None)
    steps = data.pop("steps", None)
    if "implementing_unit_id" in data:
        data["implementing_unit"] = _unit(user, data.pop("implementing_unit_id"), "implementing_unit_id")
    fields = {k: val for k, val in data.items() if val is not None or k == "certificate_valid_years"}
    v = catalogue.version_update(
        actor=user,
        version=v,
        fields=fields,
        materials=[catalogue.MaterialIn(**m) for m in materials] if materials is not None else None,
        fees=[catalogue.FeeIn(**f) for f in fees] if fees is not None else None,
        steps=[catalogue.StepIn(**s) for s in steps] if steps is not None else None,
        request=request,
    )
    return version_out(sel.version_detail(v.pk))


@router.post(
    "/versions/{version_id}/materials/{material_id}/sample",
    response={200: ItemVersionOut, **errors(400, 403, 404)},
    summary="上传材料示范文本",
)
def upload_sample(
    request: HttpRequest, version_id: Id, material_id: Id, file: UploadedFile = UPLOAD
) -> dict[str, Any]:
    user = _caller(request)
    material = sel.access_material(user, material_id)
    if material.version_id != version_id:
        raise TongbanError("approvals.material_not_found", _("材料不存在。"))
    catalogue.material_sample_upload(actor=user, material=material, file=file, request=request)
    return version_out(sel.version_detail(version_id))


@router.post(
    "/versions/{version_id}/submit",
    response={200: ItemVersionOut, **errors(400, 403, 404)},
    summary="提交发布",
)
def submit_version(request: HttpRequest, version_id: Id) -> dict[str, Any]:
    user = _caller(request)
    v = catalogue.version_submit(actor=user, version=sel.access_version(user, version_id), request=request)
    return version_out(sel.version_detail(v.pk))


@router.post(
    "/versions/{version_id}/publish",
    response={200: ItemVersionOut, **errors(400, 403, 404)},
    summary="发布（县行政审批局）",
)
def publish_version(request: HttpRequest, version_id: Id) -> dict[str, Any]:
    user = _caller(request)
    v = catalogue.version_publish(actor=user, version=sel.access_version(user, version_id), request=request)
    return version_out(sel.version_detail(v.pk))


@router.post(
    "/versions/{version_id}/return",
    response={200: ItemVersionOut, **errors(400, 403, 404, 422)},
    summary="退回修改（县行政审批局）",
)
def return_version(request: HttpRequest, version_id: Id, payload: ReasonIn) -> dict[str, Any]:
    user = _caller(request)
    v = catalogue.version_return(
        actor=user, version=sel.access_version(user, version_id), reason=payload.reason, request=request
    )
    return version_out(sel.version_detail(v.pk))


@router.post(
    "/items/{item_id}/withdraw",
    response={200: ItemOut, **errors(400, 403, 404, 422)},
    summary="停用事项（县行政审批局）",
)
def withdraw_item(request: HttpRequest, item_id: Id, payload: ReasonIn) -> dict[str, Any]:
    user = _caller(request)
    item = catalogue.item_withdraw(
        actor=user, item=sel.access_item(user, item_id), reason=payload.reason, request=request
    )
    return _item_out(sel.access_item(user, item.pk))


@router.post(
    "/items/{item_id}/restore",
    response={200: ItemOut, **errors(400, 403, 404)},
    summary="恢复事项（县行政审批局）",
)
def restore_item(request: HttpRequest, item_id: Id) -> dict[str, Any]:
    user = _caller(request)
    item = catalogue.item_restore(actor=user, item=sel.access_item(user, item_id), request=request)
    return _item_out(sel.access_item(user, item.pk))
