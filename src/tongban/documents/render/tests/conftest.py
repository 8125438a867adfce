from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import pytest

from tongban.documents.render import DocumentSpec
from tongban.documents.render import layout as L

MM = 72 / 25.4  # points per millimetre

PARA = "政府工作报告全面总结过去一年的成绩" * 60  # no punctuation: every full line holds 28


def long_spec(paragraphs: int = 3, **kwargs: Any) -> DocumentSpec:
    fields: dict[str, Any] = {
        "copy_no": "000123",
        "title": "青山县人民政府关于做好春季森林防火工作的通知",
        "doc_number": "青政发〔2026〕12号",
        "organs": ["青山县人民政府"],
        "main_to": "各乡镇人民政府，县政府各部门",
        "body_html": "<p>一、总体要求</p><p>（一）工作目标</p>"
        + "".join(f"<p>{PARA}</p>" for _ in range(paragraphs)),
        "attachments": ["森林防火责任书"],
        "signature": "青山县人民政府",
        "written_date": "2026-07-01",
        "note": "此件公开发布",
        "cc": "县委各部门，县人大常委会办公室",
        "printer_organ": "青山县人民政府办公室",
        "printed_date": "2026-07-02",
    }
    fields.update(kwargs)
    return DocumentSpec(**fields)


class Page:
    """The text lines of one PDF page (pdfplumber), in millimetres."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.width_mm = page.width / MM
        self.height_mm = page.height / MM
        rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
        for ch in page.chars:
            # group by baseline: fonts of one line differ in ascent, so their tops differ
            rows[round(page.height - ch["matrix"][5], 0)].append(ch)
        self.lines = [sorted(rows[b], key=lambda c: c["x0"]) for b in sorted(rows)]

    @staticmethod
    def text(line: list[dict[str, Any]]) -> str:
        return "".join(c["text"] for c in line)

    def body_lines(self) -> list[list[dict[str, Any]]]:
        return [ln for ln in self.lines if abs(ln[0]["size"] - L.BODY_PT) < 0.05]

    def find(self, text: str) -> list[dict[str, Any]]:
        for ln in self.lines:
            if text in self.text(ln):
                return ln
        raise AssertionError(f"{text!r} not on the page: {[self.text(x) for x in self.lines]}")


def pages_of(pdf: bytes) -> list[Page]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [Page(p) for p in doc.pages]


def ink_rows_mm(
    pdf: bytes, page_index: int, predicate: Any, top_mm: float = 0, bottom_mm: float = 297
) -> list[float]:
    """Millimetre rows (from the page top) that hold a pixel matching ``predicate`` at 600 dpi."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    scale = 600 / 72
    img = doc[page_index].render(scale=scale).to_pil().convert("RGB")
    px = img.load()
    to_px = scale * MM
    rows = []
    for y in range(int(top_mm * to_px), min(int(bottom_mm * to_px), img.height)):
        if any(predicate(px[x, y]) for x in range(0, img.width, 2)):
            rows.append(y / to_px)
    return rows


def is_red(p: tuple[int, int, int]) -> bool:
    return p[0] > 150 and p[1] < 110 and p[2] < 110


def is_dark(p: tuple[int, int, int]) -> bool:
    return p[0] < 110 and p[1] < 110 and p[2] < 110


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    from tongban.documents.render import render_pdf

    return render_pdf(long_spec())
