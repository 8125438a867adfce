"""Test builders for the approvals and supervision tests: a small county with the people who
apply, handle, publish and watch cases, a published item, and cases received on a given day.

``new_case`` files a case the short way (rows + the RECEIVED clock event) so that tests of other
parts can start from any date; the applying tests use the real ``applying`` services instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tongban.approvals import clock
from tongban.approvals.models import (
    Case,
    EventKind,
    ItemFee,
    ItemMaterial,
    ItemStatus,
    ItemStep,
    ItemVersion,
    ServiceItem,
    VersionStatus,
)
from tongban.identity.models import PublicAccount, User
from tongban.orgs.models import County, Office, Post, RoleGrant, Unit

PASSWORD = "Tongban@2026"  # noqa: S105 — the demo password, tests only
CITIZEN_PHONE = "13800000001"
ENTERPRISE_CODE = "91331100MA2A1B2C37"  # a valid 统一社会信用代码 (GB 32100-2015 check character)

UNITS = [
    # key, name, short, code, kind
    ("zf", "青山县人民政府", "县政府", "政", "leading_body"),
    ("scj", "青山县市场监督管理局", "市场监管局", "市监", "gov_dept"),
    ("zjj", "青山县住房和城乡建设局", "住建局", "住建", "gov_dept"),
    ("spj", "青山县行政审批局", "行政审批局", "审批", "gov_dept"),
    ("zwzx", "青山县政务服务中心", "政务服务中心", "政务", "public_institution"),
    ("jw", "中共青山县纪律检查委员会", "纪委监委", "纪", "party_dept"),
]

PEOPLE = [
    # key, unit, name, title, business role
    ("handler", "scj", "李审批", "科员", "case_handler"),
    ("handler2", "scj", "周审查", "科员", "case_handler"),
    ("scj_leader", "scj", "陈局长", "局长", "unit_leader"),
    ("scj_staff", "scj", "吴科员", "科员", ""),
    ("zj_handler", "zjj", "郑住建", "科员", "case_handler"),
    ("zj_leader", "zjj", "冯局长", "局长", "unit_leader"),
    ("catalogue", "spj", "韩事项", "科员", "catalogue_admin"),
    ("scj_catalogue", "scj", "钱事项", "科员", "catalogue_admin"),
    ("window", "zwzx", "孙窗口", "窗口人员", "window_clerk"),
    ("supervisor", "jw", "赵监察", "监察员", "supervisor"),
]


@dataclass
class ApprovalWorld:
    county: County
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    citizen: PublicAccount | None = None
    citizen2: PublicAccount | None = None
    enterprise: PublicAccount | None = None
    item: ServiceItem | None = None


def build_world(*, with_item: bool = True) -> ApprovalWorld:
    county = County.objects.create(name="青山县", code="990009")
    w = ApprovalWorld(county=county)
    for i, (key, name, short, code, kind) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=county, unit_code=key.upper(), name=name, short_name=short, code=code, kind=kind, sort=i
        )
    for key, unit_key, name, title, role in PEOPLE:
        unit = w.units[unit_key]
        user = User.objects.create_user(
            username=key, password=PASSWORD, full_name=name, mobile=f"1390000{len(w.users):04d}"
        )
        office = None
        if unit_key == "zwzx":
            office, _c = Office.objects.get_or_create(county=county, unit=unit, name="窗口服务股")
        Post.objects.create(county=county, user=user, unit=unit, office=office, title=title)
        if role:
            RoleGrant.objects.create(county=county, user=user, unit=unit, role=role)
        w.users[key] = user
    w.users["outsider"] = User.objects.create_user(username="outsider", password=PASSWORD, full_name="路人甲")
    w.citizen = PublicAccount.objects.create(
        kind="person", phone=CITIZEN_PHONE, name="张明", id_number="330102198001011234",
        password=make_password(PASSWORD), phone_verified_at=timezone.now(),
    )  # fmt: skip
    w.citizen2 = PublicAccount.objects.create(
        kind="person", phone="13800000002", name="王芳", id_number="330102198502022345",
        password=make_password(PASSWORD), phone_verified_at=timezone.now(),
    )  # fmt: skip
    w.enterprise = PublicAccount.objects.create(
        kind="enterprise", phone="13800000003", credit_code=ENTERPRISE_CODE, name="青山县好味餐饮有限公司",
        contact_name="刘经理", password=make_password(PASSWORD), phone_verified_at=timezone.now(),
    )  # fmt: skip
    if with_item:
        w.item = published_item(w)
    return w


DEFAULT_STEPS = [
    # key (BPMN user task id of approval-standard), name, limit, counts toward the total
    ("review", "审查", 3, True),
    ("decide", "决定", 2, True),
    ("certify", "制证送达", 10, False),
]
DEFAULT_MATERIALS = [
    ("食品经营许可申请书", "original", True),
    ("营业执照复印件", "copy", True),
    ("法定代表人身份证明", "copy", True),
    ("经营场所平面图", "electronic", False),
]


def published_item(
    w: ApprovalWorld,
    *,
    code: str = "330100-SCJ-XK-001",
    name: str = "食品经营许可（新办）",
    unit: str = "scj",
    statutory: int = 20,
    committed: int = 5,
    joint: bool = False,
    steps: list[tuple[str, str, int, bool]] | None = None,
    materials: list[tuple[str, str, bool]] | None = None,
    fees: list[tuple[str, str, str]] | None = None,
    certificate_name: str = "食品经营许可证",
    process_key: str = "approval-standard",
) -> ServiceItem:
    dept = w.units[unit]
    item = ServiceItem.objects.create(
        county=w.county, code=code, department=dept, status=ItemStatus.PUBLISHED, name=name, item_type="license",
        variant="new",
    )  # fmt: skip
    v = ItemVersion.objects.create(
        item=item, number=1, status=VersionStatus.PUBLISHED, name=name, item_type="license",
        implementing_unit=dept, legal_basis="《中华人民共和国食品安全法》第三十五条",
        conditions="有与经营的食品品种、数量相适应的经营场所。", place="青山县政务服务中心二楼市场监管窗口",
        hours="工作日 上午 8:30–12:00，下午 14:30–17:30", phone="0570-1234567",
        statutory_limit=statutory, committed_limit=committed, joint=joint, visits=0,
        fee_free=not fees, certificate_name=certificate_name, certificate_valid_years=5 if certificate_name else None,
        process_key=process_key, published_at=timezone.now(),
        form_schema=[
            {"key": "business_name", "label": "经营者名称", "type": "text", "required": True},
            {"key": "address", "label": "经营场所", "type": "text", "required": True},
            {"key": "scope", "label": "经营项目", "type": "select", "required": True,
             "choices": ["预包装食品销售", "散装食品销售", "热食类食品制售"]},
        ],
    )  # fmt: skip
    for i, (mname, form, required) in enumerate(materials if materials is not None else DEFAULT_MATERIALS):
        ItemMaterial.objects.create(version=v, name=mname, form=form, required=required, sort=i)
    for i, (fname, amount, basis) in enumerate(fees or []):
        ItemFee.objects.create(version=v, name=fname, amount=Decimal(amount), basis=basis, sort=i)
    for i, (key, sname, limit, counts) in enumerate(steps if steps is not None else DEFAULT_STEPS):
        ItemStep.objects.create(version=v, key=key, name=sname, limit=limit, counts=counts, sort=i)
    item.current = v
    item.save(update_fields=["current"])
    return item


_serial = [0]


def new_case(
    w: ApprovalWorld,
    *,
    item: ServiceItem | None = None,
    received_at: datetime | None = None,
    account: PublicAccount | None = None,
    **fields: Any,
) -> Case:
    """A case received at ``received_at`` (default now), with its RECEIVED event."""
    item = item or w.item
    assert item is not None and item.current is not None
    account = account if account is not None else w.citizen
    at = received_at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    _serial[0] += 1
    with transaction.atomic():
        case = Case.objects.create(
            county=w.county,
            tracking_no=fields.pop("tracking_no", f"T{timezone.localdate(at):%Y%m%d}{_serial[0]:06d}"),
            item=item,
            version=item.current,
            unit=item.current.implementing_unit,
            account=account,
            applicant_kind="person" if account is None or account.kind == "person" else "enterprise",
            applicant_name=account.name if account else "张明",
            applicant_id_number=(account.credit_code or account.id_number)
            if account
            else "330102198001011234",
            applicant_phone=account.phone if account else "13800000001",
            title=fields.pop("title", item.name),
            received_at=at,
            received_on=timezone.localdate(at),
            **fields,
        )
        case = clock.lock_case(case.pk)
        clock.record_event(case, EventKind.RECEIVED, at=at, data={"channel": case.channel})
    case.refresh_from_db()
    return case


def event(case: Case, kind: str, at: datetime, *, actor: Any = None, **data: Any) -> Case:
    """Record one clock event on ``case`` at ``at`` (the short way, for clock and supervision tests)."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    with transaction.atomic():
        locked = clock.lock_case(case.pk)
        clock.record_event(locked, kind, actor=actor, at=at, data=data)
    case.refresh_from_db()
    return case
