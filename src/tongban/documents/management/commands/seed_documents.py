"""``manage.py seed_documents N``: bulk demo documents (issued and archived, with numbers, routes,
search entries and archive records) until the demo county has N documents; ``--more`` adds N
more whatever is there. Demo and benchmark databases only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.documents import bulk_seed
from tongban.documents.models import Document


class Command(BaseCommand):
    help = "批量生成演示公文（已核发、已归档，含文号、办理记录、检索条目和档案），直到演示县共有 N 件公文。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="公文总数（已有的计入；与 --more 同用时为新增件数）")
        parser.add_argument("--more", action="store_true", help="不论已有多少，再新增 N 件")
        parser.add_argument("--batch", type=int, default=2000, help="每批写入件数，默认 2000")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["count"]
        if n < 0:
            raise CommandError("N 不能为负数。")
        try:
            county = bulk_seed._county(None)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        existing = Document.objects.filter(county=county).count()
        to_add = n if options["more"] else max(0, n - existing)
        if to_add == 0:
            self.stdout.write(f"{county.name}已有 {existing:,} 件公文，不再新增（要再加请用 --more）。")
            return
        self.stdout.write(f"{county.name}：已有 {existing:,} 件公文，新增 {to_add:,} 件……")
        try:
            result = bulk_seed.seed_documents(
                to_add,
                county=county,
                stdout=self.stdout,
                batch_size=max(100, options["batch"]),
                seed=options["seed"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        r = result.rows
        self.stdout.write(
            f"公文 {r['documents']:,} 件、文号 {r['numbers']:,} 个、办理记录 {r['work_items']:,} 条、"
            f"检索条目 {r['search_entries']:,} 条、档案 {r['archive_records']:,} 件"
            f"（{result.seconds:.1f} 秒，{r['documents'] / max(result.seconds, 1e-6):,.0f} 件/秒）"
        )
