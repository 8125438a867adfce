"""Django's ``flush`` (empty every table), allowed past the audit log's SQLite delete trigger —
but only where wiping the audit log is not an alteration of evidence: the test suite (Django's
test teardown flushes between tests), a debug install, or an explicit reinstall with
``--reinstall``. Everywhere else it refuses (GB/T 22239-2019 8.1.4.3: audit records protected
against deletion)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.flush import Command as DjangoFlush
from django.utils.translation import gettext as _

from tongban.core.dbguard import whole_database_flush


class Command(DjangoFlush):
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--reinstall",
            action="store_true",
            help="确认这是重新安装：清空全部数据，包括审计日志。",
        )

    def handle(self, **options: Any) -> None:
        if not (settings.TESTING or settings.DEBUG or options.get("reinstall")):
            raise CommandError(
                _(
                    "flush 会清空审计日志，生产环境中拒绝执行。确需重新安装时请加 --reinstall（此操作不可恢复）。"
                )
            )
        with whole_database_flush():
            super().handle(**options)
