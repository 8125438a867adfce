from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.exchange.receiver import Receiver


class Command(BaseCommand):
    help = "在本机启动一个数据推送接收端（校验签名、按批次号去重），用于演示和联调。Ctrl+C 结束。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--secret", required=True, help="与推送目标相同的签名密钥")
        parser.add_argument("--fail-first", type=int, default=0, help="前 N 次请求故意返回 503（演示重试）")

    def handle(self, *args: Any, **options: Any) -> None:
        receiver = Receiver(options["secret"], port=options["port"], fail_first=options["fail_first"]).start()
        self.stdout.write(f"接收端：{receiver.url}")
        shown = 0
        try:
            while True:
                time.sleep(0.5)
                for rec in receiver.state.requests[shown:]:
                    shown += 1
                    body = rec.json() if rec.signature_ok else {}
                    self.stdout.write(
                        f"{rec.status} 签名{'正确' if rec.signature_ok else '错误'} "
                        f"批次 {rec.headers.get('X-Tongban-Batch-Id', '')} "
                        f"{body.get('kind', '')} {body.get('count', '')} 条"
                    )
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
