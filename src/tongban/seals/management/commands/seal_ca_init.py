"""manage.py seal_ca_init [--county CODE]: create the county's seal CA (for the demo and first setup)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.orgs.models import County
from tongban.seals import services


class Command(BaseCommand):
    help = "创建本县电子印章根证书（已存在则不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", help="行政区划代码；只有一个县时可省略")

    def handle(self, *args: Any, **options: Any) -> None:
        counties = County.objects.all()
        if options["county"]:
            counties = counties.filter(code=options["county"])
        counties = list(counties[:2])
        if len(counties) != 1:
            raise CommandError("请用 --county 指定一个县（行政区划代码）。")
        ca = services.ca_init(county=counties[0])
        self.stdout.write(f"{ca.name}  序列号 {ca.serial}  有效期至 {ca.not_after:%Y-%m-%d}")
