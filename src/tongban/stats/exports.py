"""Every statistics table as an XLSX workbook: one function for all of them, so the title row, the
bold header, the column widths, the note under the table (a formula, the period) and the file
name look the same wherever a user presses 导出 Excel."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One sheet: a title row, the header, the rows, and notes printed under the table."""

    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=list)
    name: str = ""  # the sheet tab (≤ 31 characters); the title when empty


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an XLSX file (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = True
    for sheet in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        tab = (sheet.name or str(sheet.title))[:31]
        for ch in "[]:*?/\\":
            tab = tab.replace(ch, " ")
        ws.title = tab or "Sheet"
        ws.append([str(sheet.title)])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([str(h) for h in sheet.headers])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) * 2 + 2 for h in sheet.headers]
        for row in sheet.rows:
            values = [_cell(v) for v in row]
            ws.append(values)
            for i, v in enumerate(values[: len(widths)]):
                widths[i] = max(widths[i], min(60, len(str(v)) * 2 + 2))
        if sheet.notes:
            ws.append([])
            for note in sheet.notes:
                ws.append([str(note)])
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A download of ``data`` named ``filename`` (Chinese names encoded per RFC 6266/5987)."""
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    resp = HttpResponse(data, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return resp


def sheet_response(sheet: Sheet, filename: str) -> HttpResponse:
    return xlsx_response(workbook([sheet]), filename)
