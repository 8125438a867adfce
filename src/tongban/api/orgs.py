"""Organisation endpoints: the unit tree, a unit with its offices and people, address-book search."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from tongban.api.common import Id, OptionalId, PageNo, errors
from tongban.core.errors import NotFound
from tongban.orgs import selectors
from tongban.orgs.models import Post, Unit

router = Router(tags=["orgs"])


def _user(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or request.user


def _county(request: HttpRequest) -> Any:
    try:
        return selectors.access_county(_user(request))
    except NotFound as exc:
        raise HttpError(404, str(exc)) from exc


class UnitNodeOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    children: list[UnitNodeOut]


UnitNodeOut.model_rebuild()


class PersonOut(Schema):
    user_id: int
    name: str
    unit_id: int
    unit: str
    office: str
    title: str
    office_phone: str
    mobile: str
    is_primary: bool


class OfficeOut(Schema):
    id: int | None
    name: str
    people: list[PersonOut]


class UnitOut(Schema):
    id: int
    unit_code: str
    name: str
    short_name: str
    code: str
    kind: str
    parent_id: int | None
    phone: str
    address: str
    leaders_in_charge: list[str]
    offices: list[OfficeOut]


class AddressBookOut(Schema):
    count: int
    page: int
    pages: int
    items: list[PersonOut]


def _node(node: selectors.UnitNode) -> dict[str, Any]:
    u = node.unit
    return {
        "id": u.pk,
        "name": u.name,
        "short_name": u.short_name,
        "code": u.code,
        "kind": u.kind,
        "children": [_node(c) for c in node.children],
    }


def _person(post: Post) -> PersonOut:
    return PersonOut(
        user_id=post.user_id,
        name=post.user.full_name,
        unit_id=post.unit_id,
        unit=post.unit.name,
        office=post.office.name if post.office is not None else "",
        title=post.title,
        office_phone=post.office_phone,
        mobile=post.user.mobile,
        is_primary=post.is_primary,
    )


@router.get("/org/tree", response={200: list[UnitNodeOut], **errors()}, summary="组织机构树")
def org_tree(request: HttpRequest) -> list[dict[str, Any]]:
    return [_node(n) for n in selectors.unit_tree(_county(request))]


@router.get("/org/units/{unit_id}", response={200: UnitOut, **errors(404)}, summary="单位详情（科室与人员）")
def org_unit(request: HttpRequest, unit_id: Id) -> UnitOut:
    try:
        unit: Unit = selectors.access_unit(unit_id, _user(request))
    except NotFound as exc:
        raise HttpError(404, str(exc)) from exc
    offices = []
    for group in selectors.unit_people(unit):
        for post in group.posts:
            post.unit = unit
        offices.append(
            OfficeOut(
                id=group.office.pk if group.office else None,
                name=group.office.name if group.office else "",
                people=[_person(p) for p in group.posts],
            )
        )
    return UnitOut(
        id=unit.pk,
        unit_code=unit.unit_code,
        name=unit.name,
        short_name=unit.short_name,
        code=unit.code,
        kind=unit.kind,
        parent_id=unit.parent_id,
        phone=unit.phone,
        address=unit.address,
        leaders_in_charge=[u.full_name for u in selectors.leaders_in_charge_of(unit)],
        offices=offices,
    )


@router.get(
    "/addressbook",
    response={200: AddressBookOut, **errors(404, 422)},
    summary="通讯录查找（姓名、拼音、首字母、单位、电话）",
)
def addressbook(
    request: HttpRequest, q: str = "", unit: OptionalId = None, page: PageNo = 1, per_page: int = 20
) -> AddressBookOut:
    county = _county(request)
    unit_obj = None
    if unit is not None:
        try:
            unit_obj = selectors.access_unit(unit, _user(request))
        except NotFound as exc:
            raise HttpError(404, str(exc)) from exc
    result = selectors.addressbook_search(
        county=county, q=q[:50], unit=unit_obj, page=page, per_page=max(1, min(per_page, 100))
    )
    return AddressBookOut(
        count=result.paginator.count,
        page=result.number,
        pages=result.paginator.num_pages,
        items=[_person(p) for p in result.object_list],
    )
