from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError
from tongban.identity import services
from tongban.identity.models import User


class Command(BaseCommand):
    help = "三员分立：为账号指定 system（系统管理员）、security（安全管理员）、audit（审计管理员）或 none。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=["system", "security", "audit", "none"])

    def handle(self, *args: Any, username: str, role: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("账号不存在：%(username)s") % {"username": username})
        try:
            services.admin_role_grant(actor=None, user=user, role="" if role == "none" else role)
        except TongbanError as exc:
            raise CommandError(str(exc)) from exc
        label = user.get_admin_role_display() if user.admin_role else _("无")
        self.stdout.write(f"{username}: {label}")
