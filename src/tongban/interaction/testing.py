"""Test builders for the interaction and portal tests: a small county with the people who run the
mailbox, answer letters and disclosure requests, host interviews, edit and review the portal, and
public accounts that write in."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tongban.identity.models import PublicAccount, User
from tongban.orgs.models import County, Post, RoleGrant, Unit

PASSWORD = "Tongban@2026"  # noqa: S105 — the demo password, tests only
CITIZEN_PHONE = "13800000001"

UNITS = [
    # key, name, short, code, kind
    ("zf", "青山县人民政府", "县政府", "政", "leading_body"),
    ("zfb", "青山县人民政府办公室", "政府办", "政办", "gov_dept"),
    ("xwb", "中共青山县委办公室", "县委办", "县委办", "party_dept"),
    ("scj", "青山县市场监督管理局", "市场监管局", "市监", "gov_dept"),
    ("czj", "青山县财政局", "财政局", "财", "gov_dept"),
    ("jtj", "青山县教育体育局", "教体局", "教", "gov_dept"),
    ("rmt", "青山县融媒体中心", "融媒体中心", "融媒", "public_institution"),
]

PEOPLE = [
    # key, unit, name, title, business roles
    ("portaladmin", "zfb", "黄网管", "科员", ["portal_admin"]),
    ("editor", "scj", "林编辑", "科员", ["portal_editor"]),
    ("reviewer", "scj", "何审核", "副局长", ["portal_reviewer"]),
    ("cz_editor", "czj", "罗编辑", "科员", ["portal_editor"]),
    ("zfb_editor", "zfb", "高编辑", "科员", ["portal_editor"]),
    ("zfb_reviewer", "zfb", "梁审核", "副主任", ["portal_reviewer"]),
    ("mailbox", "zfb", "谢信箱", "科员", ["mailbox_office"]),
    ("scj_letters", "scj", "宋承办", "科员", ["letter_handler"]),
    ("cz_letters", "czj", "唐承办", "科员", ["letter_handler"]),
    ("disclosure", "zfb", "许公开", "科员", ["disclosure_officer"]),
    ("scj_disclosure", "scj", "韩公开", "科员", ["disclosure_officer"]),
    ("host", "zfb", "冯主持", "科员", ["interview_host"]),
    ("guest", "scj", "陈局长", "局长", ["unit_leader"]),
    ("scj_staff", "scj", "吴科员", "科员", []),
]


@dataclass
class InteractionWorld:
    county: County
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    citizen: PublicAccount | None = None
    citizen2: PublicAccount | None = None
    enterprise: PublicAccount | None = None


def build_world(*, code: str = "990011") -> InteractionWorld:
    county = County.objects.create(name="青山县", code=code)
    w = InteractionWorld(county=county)
    for i, (key, name, short, agency_code, kind) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=county,
            unit_code=key.upper(),
            name=name,
            short_name=short,
            code=agency_code,
            kind=kind,
            sort=i,
        )
    for key, unit_key, name, title, roles in PEOPLE:
        unit = w.units[unit_key]
        user = User.objects.create_user(
            username=key, password=PASSWORD, full_name=name, mobile=f"1391000{len(w.users):04d}"
        )
        Post.objects.create(county=county, user=user, unit=unit, title=title)
        for role in roles:
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
        kind="enterprise", phone="13800000003", credit_code="91331100MA2A1B2C37", name="青山县好味餐饮有限公司",
        contact_name="刘经理", password=make_password(PASSWORD), phone_verified_at=timezone.now(),
    )  # fmt: skip
    return w
