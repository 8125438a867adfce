"""``manage.py workdays add 2025-09-26 5`` → 2025-10-10; ``manage.py workdays between 2025-09-26 2025-10-10`` → 5."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongban.core import calendar as workcal
from tongban.core.errors import TongbanError


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("日期“%(text)s”格式不对，应为 YYYY-MM-DD，例如 2025-09-26。") % {"text": text}, returncode=2
        ) from None


class Command(BaseCommand):
    help = "工作日计算：add 日期 天数（第 N 个工作日）；between 起 止（起日之后到止日的工作日数）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        add = sub.add_parser("add", help="从某日起加 N 个工作日（当日不计）")
        add.add_argument("date")
        add.add_argument("days")
        between = sub.add_parser("between", help="两日之间的工作日数（起日不计，止日计）")
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", workcal.CalendarFallbackWarning)
            try:
                if action == "add":
                    d = parse_date(options["date"])
                    try:
                        n = int(options["days"])
                    except ValueError:
                        raise CommandError(
                            _("天数“%(days)s”应为整数，例如 5。") % {"days": options["days"]}, returncode=2
                        ) from None
                    self.stdout.write(workcal.add_workdays(d, n).isoformat())
                else:
                    a, b = parse_date(options["start"]), parse_date(options["end"])
                    self.stdout.write(str(workcal.workdays_between(a, b)))
            except TongbanError as exc:
                raise CommandError(str(exc.message), returncode=2) from exc
        for w in {str(w.message) for w in caught}:
            self.stderr.write(_("注意：%(warning)s") % {"warning": w})
