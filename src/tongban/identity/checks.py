"""System checks: the Django superuser is for installation only (GB/T 22239-2019 8.1.4.2 c —
no all-powerful account in daily operation). Runs with ``manage.py check`` and ``check --deploy``."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Q


@register(Tags.security)
def superuser_not_in_use(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from tongban.identity.models import User

    try:
        names = list(
            User.objects.filter(is_superuser=True)
            .filter(Q(is_active=True) | Q(last_login__isnull=False))
            .values_list("username", flat=True)[:10]
        )
    except DatabaseError:  # database not migrated yet: nothing to check
        return []
    if not names:
        return []
    return [
        Warning(
            "超级用户仅用于安装，日常运行中不得启用或使用（三员分立）：" + "、".join(names),
            hint="安装完成后停用超级用户（is_active=False），并用 manage.py grant_admin_role 为三员分别指定普通账号。",
            id="tongban.W002",
        )
    ]


@register(Tags.security, deploy=True)
def key_required_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """GB/T 22239-2019 8.1.4.1 d (level 3): staff log in with two factors — password and the
    electronic key. The demo starts with keys optional; a production install must switch them on."""
    from tongban.identity.models import SecurityPolicy

    try:
        row = SecurityPolicy.objects.filter(pk=1).first()
    except DatabaseError:
        return []
    if row is not None and row.require_key:
        return []
    return [
        Warning(
            "安全策略未要求电子钥匙：工作人员仅凭密码即可登录，不符合等保三级双因素身份鉴别要求。",
            hint="安全管理员在“安全策略”中勾选“登录须使用电子钥匙”（先为工作人员登记钥匙）。",
            id="tongban.W003",
        )
    ]
