"""manage.py reindex_portal [--county CODE]: rebuild the portal's site search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.portal import search
from tongban.portal.models import HomePage


class Command(BaseCommand):
    help = "重建门户网站站内搜索索引（全部县或 --county 指定的县）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", default="", help="县代码；留空为全部县")

    def handle(self, *args: Any, **options: Any) -> None:
        homes = HomePage.objects.select_related("county").order_by("id")
        if options["county"]:
            homes = homes.filter(county__code=options["county"])
            if not homes.exists():
                raise CommandError(f"no portal site for county {options['county']}")
        for home in homes:
            count = search.reindex_site(home)
            self.stdout.write(f"{home.county.name}: {count}")
