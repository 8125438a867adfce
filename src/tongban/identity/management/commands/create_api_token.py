from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError
from tongban.identity import services
from tongban.identity.models import User


class Command(BaseCommand):
    help = "为集成系统创建接口令牌（Bearer）。令牌只显示这一次，库中只存其哈希。--scope 限定只读范围。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="令牌代表的账号（登录名）")
        parser.add_argument("--name", default="", help="用途说明")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            help="授权范围（可重复），如 approvals:read；不给则为完整令牌（以账号本身的权限访问全部接口）",
        )
        parser.add_argument("--rate", type=int, default=0, help="每分钟请求上限（0：系统默认值）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("账号不存在：%(username)s") % {"username": options["user"]})
        try:
            if options["scope"]:
                _token, raw = services.api_token_issue(
                    actor=None,
                    user=user,
                    name=options["name"],
                    scopes=options["scope"],
                    rate_per_minute=options["rate"],
                )
            else:
                _token, raw = services.api_token_create(actor=None, user=user, name=options["name"])
                if options["rate"]:
                    _token.rate_per_minute = options["rate"]
                    _token.save(update_fields=["rate_per_minute"])
        except TongbanError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(raw)
