from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError
from tongban.identity import services
from tongban.identity.models import User


class Command(BaseCommand):
    help = "三员分立：为账号指定 system（系统管理员）、security（安全管理员）、audit（审计管理员）或 none。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=["system", "security", "audit", "none"])
        parser.add_argument(
            "--create",
            metavar="FULL_NAME",
            help="安装时创建该账号（姓名），密码从标准输入读取一行（或交互输入）。",
        )

    def handle(self, *args: Any, username: str, role: str, create: str | None = None, **options: Any) -> None:
        # One transaction: a refused role leaves no half-made account behind.
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None and create:
                user = self._create(username, create)
            if user is None:
                raise CommandError(_("账号不存在：%(username)s") % {"username": username})
            try:
                services.admin_role_grant(actor=None, user=user, role="" if role == "none" else role)
            except TongbanError as exc:
                raise CommandError(str(exc)) from exc
        label = user.get_admin_role_display() if user.admin_role else _("无")
        self.stdout.write(f"{username}: {label}")

    def _create(self, username: str, full_name: str) -> User:
        """Installation: create the administrator's account with a password read once, so no
        superuser is needed to bootstrap the three administrators (GB/T 22239-2019 8.1.4.2)."""
        if sys.stdin.isatty():
            password = getpass.getpass(_("密码："))
            if getpass.getpass(_("再次输入密码：")) != password:
                raise CommandError(_("两次输入的密码不一致。"))
        else:
            password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError(_("请提供密码。"))
        try:
            with transaction.atomic():
                return services.user_create(
                    actor=None, username=username, full_name=full_name, password=password
                )
        except TongbanError as exc:
            raise CommandError(str(exc)) from exc
