"""``manage.py audit_verify``: walk the audit log's hash chain. Exit 0 on an intact log; exit 1
naming the first broken record when a row was altered or deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core import audit


class Command(BaseCommand):
    help = "校验审计日志的哈希链：完好时返回 0，否则返回 1 并指出第一条损坏的记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完好：已校验 {result.checked} 条记录。"))
            return
        raise CommandError(
            f"第一条损坏记录：#{result.first_broken_seq} — {result.reason}（此前 {result.checked} 条记录完好）",
            returncode=1,
        )
