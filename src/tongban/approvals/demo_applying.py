"""Demo public accounts (网上办事账户): a citizen and a restaurant company, password Tongban@2026.
Idempotent: an account that exists is left as it is. (Demo cases are seeded by the handling part.)"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.identity.models import PublicAccount, PublicAccountKind

PASSWORD = "Tongban@2026"  # noqa: S105 — the published demo password
ACCOUNTS = [
    # kind, phone, credit code, name, id number, contact
    (PublicAccountKind.PERSON, "13800000001", "", "张明", "33010219800101123X", ""),
    (PublicAccountKind.PERSON, "13800000002", "", "王芳", "330102198502022340", ""),
    (
        PublicAccountKind.ENTERPRISE,
        "13800000003",
        "91331100MA2A1B2C37",
        "青山县好味餐饮有限公司",
        "",
        "刘经理",
    ),
]


def seed(context: DemoContext) -> str:
    made = 0
    for kind, phone, code, name, id_number, contact in ACCOUNTS:
        lookup = {"kind": kind, "credit_code": code} if code else {"kind": kind, "phone": phone}
        _account, created = PublicAccount.objects.get_or_create(
            **lookup,
            defaults={
                "phone": phone,
                "credit_code": code,
                "name": name,
                "id_number": id_number,
                "contact_name": contact,
                "password": make_password(PASSWORD),
                "phone_verified_at": timezone.now(),
            },
        )
        made += created
    return f"网上办事账户：新建 {made} 个（个人 13800000001 张明、企业 91331100MA2A1B2C37；密码 {PASSWORD}）"
