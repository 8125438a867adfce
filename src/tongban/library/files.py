"""Uploads of the resource library: the shared checks of :mod:`tongban.core.files` (type by name
AND content, size, safe name, SHA-256) plus CSV, which core does not list; then, for datasets, the
table read back (CSV in UTF-8 or GB18030, XLSX with openpyxl), its schema inferred and the first rows
kept for the preview. Nothing is stored here: the service saves only what passed every check."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.core import files as core_files
from tongban.core.errors import TongbanError
from tongban.library.models import ColumnType, ResourceKind

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 10
MAX_COLUMNS = 200
INFER_ROWS = 1000
MAX_CELL = 200  # characters of a cell kept in the preview

DATASET_EXTS = ("csv", "xlsx")
FILE_EXTS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "ofd", "txt", "zip", "csv")

_INT = re.compile(r"^[+-]?\d{1,18}$")
_DATE = re.compile(r"^(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})日?$")


def max_bytes() -> int:
    """Overridable with settings.TONGBAN_LIBRARY_MAX_BYTES."""
    return int(getattr(settings, "TONGBAN_LIBRARY_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_for(kind: str) -> tuple[str, ...]:
    return DATASET_EXTS if kind == ResourceKind.DATASET else FILE_EXTS


@dataclass
class Parsed:
    """A checked upload, with the table of a dataset."""

    name: str
    ext: str
    content_type: str
    size: int
    sha256: str
    encoding: str = ""
    schema: list[dict[str, str]] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    row_count: int | None = None


def _bad(code: str, message: str) -> TongbanError:
    return TongbanError(f"library.file_{code}", message, field="file")


def _check_csv(file: IO[bytes], display: str, limit: int) -> tuple[int, str, bytes]:
    digest = hashlib.sha256()
    total = 0
    chunks: list[bytes] = []
    file.seek(0)
    while chunk := file.read(1024 * 1024):
        total += len(chunk)
        if total > limit:
            raise _bad(
                "too_large",
                _("文件“%(name)s”超过 %(mb)d MB。") % {"name": display, "mb": limit // (1024 * 1024)},
            )
        digest.update(chunk)
        chunks.append(chunk)
    file.seek(0)
    if total == 0:
        raise _bad("empty", _("文件“%(name)s”是空文件。") % {"name": display})
    data = b"".join(chunks)
    if b"\x00" in data[:4096]:
        raise _bad("content", _("文件“%(name)s”的内容与扩展名不符。") % {"name": display})
    return total, digest.hexdigest(), data


def decode_csv(data: bytes, display: str) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM) first, then GB18030 (which covers
    GBK and GB2312, what Excel writes on a Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8" if encoding == "utf-8-sig" else encoding)
    raise _bad(
        "encoding",
        _("无法识别文件“%(name)s”的编码，请以 UTF-8 或 GB18030（GBK）编码另存为 CSV 后再上传。")
        % {"name": display},
    )


def check(file: IO[bytes], name: str, *, kind: str) -> Parsed:
    """Validate an upload for a resource of ``kind``; raises TongbanError ``library.file_*``."""
    display = core_files.safe_name(name)
    ext = core_files.extension(display)
    allowed = allowed_for(kind)
    if ext not in allowed:
        raise _bad(
            "type",
            _("不支持的文件类型“%(name)s”。允许：%(kinds)s。")
            % {"name": display, "kinds": "、".join(allowed)},
        )
    limit = max_bytes()
    if ext == "csv":
        size, sha, data = _check_csv(file, display, limit)
        parsed = Parsed(name=display, ext=ext, content_type="text/csv", size=size, sha256=sha)
        if kind == ResourceKind.DATASET:
            text, parsed.encoding = decode_csv(data, display)
            rows = list(_csv_rows(text, display))
            _fill_table(parsed, rows, display)
        parsed.content_type = f"text/csv; charset={parsed.encoding or 'utf-8'}"
        return parsed
    try:
        checked = core_files.check(
            file, display, allowed=[ext], limit=limit, prefix="library.file", field="file"
        )
    except TongbanError:
        raise
    parsed = Parsed(
        name=checked.name,
        ext=checked.ext,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    if kind == ResourceKind.DATASET and ext == "xlsx":
        _fill_table(parsed, _xlsx_rows(file, display), display)
    return parsed


def _csv_rows(text: str, display: str) -> list[list[str]]:
    try:
        return [row for row in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise _bad(
            "table", _("文件“%(name)s”不是有效的 CSV 表格：%(error)s") % {"name": display, "error": exc}
        ) from exc


def _xlsx_rows(file: IO[bytes], display: str) -> list[list[Any]]:
    from openpyxl import load_workbook

    file.seek(0)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            rows = [
                list(r)
                for r in ws.iter_rows(values_only=True)
                if any(c is not None and str(c).strip() for c in r)
            ]
        finally:
            wb.close()
    except Exception as exc:  # openpyxl raises many types for a damaged or non-Excel zip
        raise _bad(
            "table", _("无法读取 Excel 文件“%(name)s”，请确认它是有效的 .xlsx 文件。") % {"name": display}
        ) from exc
    finally:
        file.seek(0)
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fill_table(parsed: Parsed, rows: list[list[Any]], display: str) -> None:
    if not rows:
        raise _bad("no_rows", _("文件“%(name)s”中没有数据。") % {"name": display})
    header = [_text(c) for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _bad("no_header", _("文件“%(name)s”的第一行应为列名。") % {"name": display})
    if len(header) > MAX_COLUMNS:
        raise _bad("too_wide", _("表格最多 %(n)d 列。") % {"n": MAX_COLUMNS})
    names: list[str] = []
    for i, h in enumerate(header, start=1):
        base = (h or _("第%(n)d列") % {"n": i})[:100]
        candidate, k = base, 2
        while candidate in names:
            candidate, k = f"{base}_{k}", k + 1
        names.append(candidate)
    body = rows[1:]
    width = len(names)
    parsed.row_count = len(body)
    parsed.schema = [
        {
            "name": n,
            "type": infer_type([r[i] if i < len(r) else None for r in body[:INFER_ROWS]]),
            "description": "",
        }
        for i, n in enumerate(names)
    ]
    parsed.preview = [
        [_text(r[i] if i < len(r) else None)[:MAX_CELL] for i in range(width)] for r in body[:PREVIEW_ROWS]
    ]


def _is_date(value: Any) -> bool:
    if isinstance(value, date):
        return True
    m = _DATE.match(str(value).strip())
    if not m:
        return False
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return bool(_INT.match(str(value).strip().replace(",", "")))


def _is_decimal(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    try:
        Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return False
    s = str(value).strip().lower()
    return s not in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity", "snan"}


def infer_type(values: list[Any]) -> str:
    """The narrowest type every non-empty value fits: 整数 ⊂ 小数; 日期; otherwise 文本. A column
    without any value is 文本."""
    present = [v for v in values if v is not None and str(v).strip() != ""]
    if not present:
        return ColumnType.TEXT
    if all(_is_int(v) for v in present):
        return ColumnType.INTEGER
    if all(_is_decimal(v) for v in present):
        return ColumnType.DECIMAL
    if all(_is_date(v) for v in present):
        return ColumnType.DATE
    return ColumnType.TEXT
