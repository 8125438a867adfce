"""``manage.py seed_cases N``: bulk demo cases (办件) with their clock events, over the published
catalogue, until the demo county has N cases; ``--more`` adds N more whatever is there. About 10 %
stay open in every state, with their clock dates computed by the clock. Demo and benchmark
databases only."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.approvals import bulk_seed
from tongban.approvals.models import Case


class Command(BaseCommand):
    help = "批量生成演示办件（含计时事件，约一成在办），直到演示县共有 N 件办件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="办件总数（已有的计入；与 --more 同用时为新增件数）")
        parser.add_argument("--more", action="store_true", help="不论已有多少，再新增 N 件")
        parser.add_argument("--batch", type=int, default=5000, help="每批写入件数，默认 5000")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")
        parser.add_argument(
            "--open-share", type=float, default=bulk_seed.OPEN_SHARE, help="在办件所占比例，默认 0.1"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["count"]
        if n < 0:
            raise CommandError("N 不能为负数。")
        if not 0 <= options["open_share"] <= 1:
            raise CommandError("--open-share 应在 0 到 1 之间。")
        try:
            county = bulk_seed.county_for_seeding(None)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        existing = Case.objects.filter(county=county).count()
        to_add = n if options["more"] else max(0, n - existing)
        if to_add == 0:
            self.stdout.write(f"{county.name}已有 {existing:,} 件办件，不再新增（要再加请用 --more）。")
            return
        self.stdout.write(f"{county.name}：已有 {existing:,} 件办件，新增 {to_add:,} 件……")
        try:
            result = bulk_seed.seed_cases(
                to_add,
                county=county,
                stdout=cast(TextIO, self.stdout),
                batch_size=max(100, options["batch"]),
                seed=options["seed"],
                open_share=options["open_share"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        r = result.rows
        self.stdout.write(
            f"办件 {r['cases']:,} 件（在办 {r['open']:,} 件）、计时事件 {r['events']:,} 条、"
            f"补正告知 {r['supplements']:,} 件、延期 {r['extensions']:,} 件、办事账户 {r['accounts']:,} 个"
            f"（{result.seconds:.1f} 秒，{r['cases'] / max(result.seconds, 1e-6):,.0f} 件/秒）"
        )
