"""``manage.py check_invariants [--since ISO] [--only CODE …]``: the cross-domain invariants of
:mod:`tongban.stats.invariants` as a table; exit status 1 when any is violated (for the load test,
an upgrade or a restore drill)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tongban.stats import invariants


class Command(BaseCommand):
    help = "检查跨模块数据不变量（公文有流程、办件有计时事件、来信有事件等）；有违反时退出码为 1。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="", help="只检查此时刻（ISO 8601）之后创建的记录")
        parser.add_argument(
            "--only",
            nargs="*",
            default=None,
            choices=[c.code for c in invariants.CHECKS],
            help="只做这些检查",
        )

    def handle(self, *args: Any, since: str, only: list[str] | None, **options: Any) -> None:
        moment: datetime | None = None
        if since:
            moment = parse_datetime(since)
            if moment is None:
                raise CommandError(f"--since 不是有效的时间：{since}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        results = invariants.run(moment, only=only)
        width = max(len(r.code) for r in results) if results else 10
        self.stdout.write(f"{'check':<{width}}  {'rows':>9}  {'bad':>6}  result")
        for r in results:
            state = "OK" if r.ok else "FAIL " + ", ".join(str(i) for i in r.bad_ids)
            self.stdout.write(f"{r.code:<{width}}  {r.checked:>9}  {r.bad_count:>6}  {state}  {r.label}")
        broken = [r.code for r in results if not r.ok]
        if broken:
            raise CommandError("不变量被违反：" + "，".join(broken), returncode=1)
        self.stdout.write(self.style.SUCCESS("全部不变量成立。"))
