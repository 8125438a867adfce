"""System checks (run by ``manage.py check``, ``check --deploy``, ``runserver`` and ``migrate``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _


def superuser_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """三员分立 (GB/T 22239-2019 8.1.4.2): the Django superuser is for installation only; warn
    when an active superuser has ever logged in."""
    try:
        names = list(
            get_user_model()
            .objects.filter(is_superuser=True, is_active=True, last_login__isnull=False)
            .values_list("username", flat=True)[:5]
        )
    except DatabaseError:  # not migrated yet
        return []
    if not names:
        return []
    return [
        checks.Warning(
            _("超级用户仅用于安装，日常运维请使用三员账号"),
            hint=_(
                "已登录过的超级用户：%(names)s。请停用超级用户（is_active=False），改用系统管理员、安全管理员、审计管理员账号。"
            )
            % {"names": "、".join(names)},
            id="tongban.W001",
        )
    ]


def register_all() -> None:
    checks.register(superuser_in_use, checks.Tags.security)
