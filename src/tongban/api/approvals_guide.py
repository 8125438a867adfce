"""The public service catalogue (办事指南), anonymous, under /api/v1/public/catalogue/: search the
published items, read an item's guide by its code (every element of rules.md §3), and the
departments with published items. Only published items are ever returned."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from tongban.api.common import ErrorOut, Offset, OptionalId, public_errors
from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.models import ServiceItem

router = Router(tags=["办事指南（公开）"], auth=None)
MAX_LIMIT = 100


class PublicItemOut(Schema):
    code: str
    name: str
    item_type: str
    item_type_label: str
    variant: str
    department_id: int
    department: str
    committed_limit: int
    statutory_limit: int
    online: bool


class PublicItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PublicItemOut]


class PublicMaterialOut(Schema):
    id: int
    name: str
    form: str
    form_label: str
    copies: int
    required: bool
    note: str
    sample_url: str | None


class PublicFeeOut(Schema):
    name: str
    amount: Decimal
    basis: str


class PublicStepOut(Schema):
    key: str
    name: str
    limit: int
    counts: bool


class PublicGuideOut(PublicItemOut):
    version: int
    published_at: datetime | None
    implementing_unit: str
    legal_basis: str
    conditions: str
    place: str
    hours: str
    phone: str
    joint: bool
    visits: int
    fee_free: bool
    certificate_name: str
    certificate_valid_years: int | None
    form_schema: list[dict[str, Any]]
    materials: list[PublicMaterialOut]
    fees: list[PublicFeeOut]
    steps: list[PublicStepOut]
    parent_code: str | None
    children: list[PublicItemOut]


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    items: int


def _item(i: ServiceItem) -> dict[str, Any]:
    v = i.current
    assert v is not None
    return {
        "code": i.code,
        "name": i.name,
        "item_type": i.item_type,
        "item_type_label": str(i.get_item_type_display()),
        "variant": i.variant,
        "department_id": i.department_id,
        "department": i.department.name,
        "committed_limit": v.committed_limit,
        "statutory_limit": v.statutory_limit,
        "online": v.online,
    }


@router.get(
    "/items",
    response={200: PublicItemPage, 422: ErrorOut},
    summary="查找已发布事项（名称、编码、部门、类型）",
)
def list_items(
    request: HttpRequest,
    q: str = "",
    department_id: OptionalId = None,
    item_type: str = "",
    limit: int = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = sel.items_published(
        county=sel.hall_county(), q=q[:100], department_id=department_id, item_type=item_type
    )
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_item(i) for i in qs[offset : offset + limit]],
    }


@router.get("/departments", response={200: list[DepartmentOut]}, summary="有已发布事项的部门")
def departments(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": d.pk, "name": d.name, "short_name": d.short_name, "items": getattr(d, "n", 0)}
        for d in sel.published_departments(sel.hall_county())
    ]


@router.get(
    "/items/{code}", response={200: PublicGuideOut, **public_errors(404)}, summary="办事指南（按事项编码）"
)
def item_guide(request: HttpRequest, code: str) -> dict[str, Any]:
    item = sel.item_by_code(code)
    v = sel.guide_version(item)
    return {
        **_item(item),
        "version": v.number,
        "published_at": v.published_at,
        "implementing_unit": v.implementing_unit.name,
        "legal_basis": v.legal_basis,
        "conditions": v.conditions,
        "place": v.place,
        "hours": v.hours,
        "phone": v.phone,
        "joint": v.joint,
        "visits": v.visits,
        "fee_free": v.fee_free,
        "certificate_name": v.certificate_name,
        "certificate_valid_years": v.certificate_valid_years,
        "form_schema": v.form_schema or [],
        "materials": [
            {
                "id": m.pk,
                "name": m.name,
                "form": m.form,
                "form_label": str(m.get_form_display()),
                "copies": m.copies,
                "required": m.required,
                "note": m.note,
                "sample_url": reverse("ban:sample", args=[item.code, m.pk]) if m.sample else None,
            }
            for m in v.materials.all()
        ],
        "fees": [{"name": f.name, "amount": f.amount, "basis": f.basis} for f in v.fees.all()],
        "steps": [
            {"key": s.key, "name": s.name, "limit": s.limit, "counts": s.counts} for s in v.steps.all()
        ],
        "parent_code": item.parent.code if item.parent is not None else None,
        "children": [_item(c) for c in sel.published_children(item)],
    }
