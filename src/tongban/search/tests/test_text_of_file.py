from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.search.services import text_of_file


def test_docx() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("关于下达乡村振兴衔接资金的通知")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "项目名称"
    table.cell(0, 1).text = "高标准农田"
    buf = io.BytesIO()
    d.save(buf)
    text = text_of_file(SimpleUploadedFile("a.docx", buf.getvalue()), "附件1.docx")
    assert "乡村振兴衔接资金" in text and "高标准农田" in text


def test_xlsx() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["单位", "预算金额"])
    wb.active.append(["财政局", 1200])
    buf = io.BytesIO()
    wb.save(buf)
    text = text_of_file(io.BytesIO(buf.getvalue()), "明细表.XLSX")
    assert "预算金额" in text and "财政局 1200" in text


def test_pdf() -> None:
    weasyprint = pytest.importorskip("weasyprint")
    pdf = weasyprint.HTML(string="<p>Flood control duty roster 2026</p>").write_pdf()
    assert "Flood control duty roster" in text_of_file(io.BytesIO(pdf), "roster.pdf")


def test_txt_and_html_in_either_encoding() -> None:
    assert text_of_file(io.BytesIO("防汛值班表".encode("gb18030")), "a.txt") == "防汛值班表"
    assert text_of_file(b"<p>\xe9\x98\xb2\xe6\xb1\x9b<script>x</script></p>", "a.html") == "防汛x"


def test_bad_or_unknown_files_give_empty_text(caplog: pytest.LogCaptureFixture) -> None:
    assert text_of_file(io.BytesIO(b"not a pdf"), "broken.pdf") == ""
    assert text_of_file(io.BytesIO(b"PK\x03\x04garbage"), "broken.docx") == ""
    assert text_of_file(io.BytesIO(b"\x00\x01"), "broken.xlsx") == ""
    assert text_of_file(io.BytesIO(b"MZ\x90\x00"), "virus.exe") == ""
    assert text_of_file(io.BytesIO(b""), "noext") == ""
    assert "could not read" in caplog.text
