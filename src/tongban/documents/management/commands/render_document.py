"""manage.py render_document DOC.json OUT.pdf [--docx] [--seal UNIT_CODE]: render a document described
in the API's document JSON schema (DocumentSpec) without storing anything — for previewing layouts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from tongban.documents.render import DocumentSpec, render_docx, render_pdf


class Command(BaseCommand):
    help = "按 GB/T 9704 把公文 JSON（DocumentSpec）排成 PDF（或 --docx），不保存任何数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("spec", help="公文 JSON 文件（- 表示标准输入）")
        parser.add_argument("out", help="输出文件")
        parser.add_argument("--docx", action="store_true", help="输出 .docx 而不是 PDF")
        parser.add_argument("--seal", metavar="UNIT_CODE", help="盖上该单位的印章图像（不签名）")

    def handle(self, *args: Any, **options: Any) -> None:
        import sys

        raw = (
            sys.stdin.read() if options["spec"] == "-" else Path(options["spec"]).read_text(encoding="utf-8")
        )
        try:
            spec = DocumentSpec.model_validate(json.loads(raw))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise CommandError(f"公文 JSON 不正确：{exc}") from exc
        seal = None
        if options["seal"]:
            from tongban.orgs.models import Unit
            from tongban.seals import selectors

            unit = Unit.objects.filter(unit_code=options["seal"]).first()
            seal = selectors.seal_image_png(unit) if unit else None
            if seal is None:
                raise CommandError("该单位没有印章。")
        data = render_docx(spec) if options["docx"] else render_pdf(spec, seal_png=seal)
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"{options['out']}：{len(data)} 字节")
