"""``manage.py stats_rollup [--from D --to D] [--recompute]``: compute the pending days of the
roll-ups (as the scheduled job does), or only those of a range; ``--recompute`` computes every day
of the range again. Shows a progress bar."""

from __future__ import annotations

import time
from datetime import date
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongban.core.progress import Progress
from tongban.stats import rollup


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = "计算日统计（缺失、待重算及当天）；--recompute 重新计算指定范围"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=_date, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=_date, help="结束日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--recompute", action="store_true", help="重新计算范围内的每一天")

    def handle(self, *args: Any, **opts: Any) -> None:
        today = timezone.localdate()
        first: date | None = opts["first"]
        last: date = min(opts["last"] or today, today)
        if opts["recompute"] and first is None:
            raise CommandError("--recompute 需要 --from")
        if first is not None and first > last:
            raise CommandError("开始日期不能晚于结束日期")
        bar: Progress | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = Progress(total, cast(TextIO, self.stdout) if total else None, "日统计 ")
            bar.update(done)

        t0 = time.perf_counter()
        if opts["recompute"]:
            assert first is not None
            n = rollup.recompute(first, last, progress=progress)
        elif first is not None:
            rollup.scan_late()
            days = rollup.pending_days(last, start=first)
            progress(0, len(days))
            for i, d in enumerate(days, start=1):
                rollup.compute_day(d)
                progress(i, len(days))
            n = len(days)
        else:
            n = rollup.run_pending(until=last, progress=progress)
        if bar is not None:
            bar.finish()
        failed = rollup.summary().get("failed", 0)
        self.stdout.write(f"计算了 {n} 天，用时 {time.perf_counter() - t0:.1f} 秒；失败的日期 {failed} 个")
