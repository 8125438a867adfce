"""manage.py seal_issue --unit <unit_code|all> [--county CODE]: issue unit seal certificates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import TongbanError
from tongban.orgs.models import County, Unit
from tongban.seals import demo, services


class Command(BaseCommand):
    help = "为单位签发电子印章证书（--unit 单位代码，或 all 为所有尚无证书的单位签发）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="单位代码（unit_code），或 all")
        parser.add_argument("--county", help="行政区划代码；只有一个县时可省略")

    def handle(self, *args: Any, **options: Any) -> None:
        counties = County.objects.all()
        if options["county"]:
            counties = counties.filter(code=options["county"])
        found = list(counties[:2])
        if len(found) != 1:
            raise CommandError("请用 --county 指定一个县（行政区划代码）。")
        county = found[0]
        if options["unit"] == "all":
            issued = demo.issue_all(county=county)
            self.stdout.write(f"已签发 {issued} 张印章证书。")
            return
        unit = Unit.objects.filter(county=county, unit_code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"没有单位代码为 {options['unit']} 的单位。")
        try:
            cert = services.certificate_issue(unit=unit)
        except TongbanError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{unit.name}  序列号 {cert.serial}  有效期至 {cert.not_after:%Y-%m-%d}")
