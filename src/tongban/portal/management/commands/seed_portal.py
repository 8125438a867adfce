"""``manage.py seed_portal``: re-run just the portal's demo content (for a database seeded before
the portal existed). Idempotent: pages already there are not created again."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.demo import DemoContext
from tongban.orgs import demo as orgs_demo
from tongban.orgs.models import County
from tongban.portal import demo_site


class Command(BaseCommand):
    help = "为演示县（青山县）补建门户网站演示内容：栏目文章、政策文件、部门导航、图片等（可重复运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        if not County.objects.filter(code=orgs_demo.COUNTY_CODE).exists():
            raise CommandError("未找到演示县，请先运行 manage.py seed_demo。")
        started = time.perf_counter()
        line = demo_site.seed(DemoContext(usernames=[a[1] for a in orgs_demo.DEMO_ACCOUNTS]))
        self.stdout.write(f"{line}（{time.perf_counter() - started:.1f} 秒）")
