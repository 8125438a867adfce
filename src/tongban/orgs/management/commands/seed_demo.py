"""``manage.py seed_demo``: build the demo county deterministically; running it again changes nothing."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tongban.core import demo as demo_hooks
from tongban.identity.models import User
from tongban.orgs import demo, selectors
from tongban.orgs.services import seed_apply


class Command(BaseCommand):
    help = "建立演示县（青山县）：四大家、120 个县直单位、10 个乡镇、2,018 名人员和各角色演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--staff", type=int, default=demo.TOTAL_STAFF, help="人员总数（含演示账号），默认 2018"
        )
        parser.add_argument("--seed", type=int, default=demo.SEED, help="随机种子（固定，保证可重复）")
        parser.add_argument(
            "--documents",
            type=int,
            default=0,
            help="再批量生成演示公文，直到共有 N 件（如 200000，供压力测试；由 seed_documents 命令完成）",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="再批量生成演示办件，直到共有 N 件（如 1000000，供压力测试；由 seed_cases 命令完成）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        plan = demo.build_plan(staff=options["staff"], seed=options["seed"])
        result = seed_apply(plan=plan)
        r = result.apply
        self.stdout.write(
            f"{plan.county_name}：单位 新增 {r.units.created}，更新 {r.units.updated}，未变 {r.units.unchanged}；"
            f"人员 新增 {r.staff.created}，更新 {r.staff.updated}，未变 {r.staff.unchanged}；"
            f"分管 新增 {result.duties_created}；业务角色 新增 {result.grants_created}；"
            f"共新增 {result.created} 项（{time.perf_counter() - started:.1f} 秒）"
        )
        # Then every other domain's demo data (each hook is idempotent).
        for line in demo_hooks.run(demo_hooks.DemoContext(usernames=[a[1] for a in demo.DEMO_ACCOUNTS])):
            self.stdout.write(line)
        if options["documents"] > 0:
            # by command name: orgs does not import the documents app that provides it
            call_command("seed_documents", options["documents"], stdout=self.stdout)
        if options["cases"] > 0:
            # by command name: orgs does not import the approvals app that provides it
            call_command("seed_cases", options["cases"], stdout=self.stdout)
        users = {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}
        rows = []
        for label, login, *_rest in demo.DEMO_ACCOUNTS:
            user = users.get(login)
            unit = selectors.user_primary_unit(user) if user else None
            rows.append(
                (label, login, demo.DEMO_PASSWORD, user.full_name if user else "", unit.name if unit else "")
            )
        self.stdout.write("")
        self.stdout.write("演示账号（首次创建时设置的密码）：")
        header = ("角色", "登录名", "密码", "姓名", "单位")
        widths = [max(_width(str(row[i])) for row in [header, *rows]) for i in range(5)]
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(str(c), w) for c, w in zip(row, widths, strict=True)))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
