"""Upload checks and the table read back: encodings, schema inference, refusals."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from tongban.core.errors import TongbanError
from tongban.library import files
from tongban.library.models import ResourceKind
from tongban.library.tests.conftest import CSV, PDF, xlsx


def check(data: bytes, name: str, kind: str = ResourceKind.DATASET) -> files.Parsed:
    return files.check(io.BytesIO(data), name, kind=kind)


def test_csv_utf8_schema_and_preview() -> None:
    p = check(CSV, "人口.csv")
    assert p.encoding == "utf-8" and p.content_type == "text/csv; charset=utf-8"
    assert [(c["name"], c["type"]) for c in p.schema] == [
        ("地区", "text"),
        ("人口", "integer"),
        ("面积", "decimal"),
        ("统计日期", "date"),
    ]
    assert p.row_count == 2
    assert p.preview == [
        ["城关镇", "52000", "86.5", "2025-12-31"],
        ["青石镇", "31000", "120.25", "2025-12-31"],
    ]


def test_csv_gb18030_and_bom() -> None:
    text = "单位,金额\n财政局,1,234.5\n"
    p = check("单位,金额\n财政局,12\n".encode("gb18030"), "a.csv")
    assert p.encoding == "gb18030" and p.schema[0]["name"] == "单位" and p.preview == [["财政局", "12"]]
    q = check(b"\xef\xbb\xbf" + text.encode(), "b.csv")
    assert q.encoding == "utf-8" and q.schema[0]["name"] == "单位"


def test_csv_undecodable_refused_with_chinese_message() -> None:
    with pytest.raises(TongbanError) as exc:
        check(b"a,b\n\xff\xfe\x81\x20,1\n", "x.csv")
    assert exc.value.code == "library.file_encoding"
    assert "UTF-8" in str(exc.value.message) and "GB18030" in str(exc.value.message)


def test_xlsx_types_and_duplicate_or_blank_headers() -> None:
    data = xlsx(
        [
            ["乡镇", "户数", "比例", "日期", "乡镇", None, "备注"],
            ["城关镇", 8200, 0.62, datetime(2025, 12, 31), "x", 1, None],
            ["青石镇", 7670, 0.58, date(2025, 6, 30), "y", 2, None],
        ]
    )
    p = check(data, "人口.xlsx")
    assert [c["name"] for c in p.schema] == ["乡镇", "户数", "比例", "日期", "乡镇_2", "第6列", "备注"]
    assert [c["type"] for c in p.schema] == ["text", "integer", "decimal", "date", "text", "integer", "text"]
    assert p.preview[0] == ["城关镇", "8200", "0.62", "2025-12-31", "x", "1", ""]
    assert p.row_count == 2 and p.encoding == ""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "-2", "3,000"], "integer"),
        (["1", "2.5", ""], "decimal"),
        (["2025年1月2日", "2025/02/03", "2025-3-4"], "date"),
        (["2025-02-30"], "text"),
        (["1", "abc"], "text"),
        (["nan"], "text"),
        ([None, " "], "text"),
    ],
)
def test_infer_type(values: list[object], expected: str) -> None:
    assert files.infer_type(values) == expected


@pytest.mark.parametrize(
    ("data", "name", "kind", "code"),
    [
        (PDF, "表.pdf", ResourceKind.DATASET, "library.file_type"),  # a dataset is CSV or XLSX
        (b"MZ\x90\x00", "setup.exe", ResourceKind.DOCUMENT, "library.file_type"),
        (PDF, "假表格.xlsx", ResourceKind.DATASET, "library.file_content"),  # magic says PDF
        (b"PK\x03\x04not really a workbook", "坏.xlsx", ResourceKind.DATASET, "library.file_table"),
        (b"", "空.csv", ResourceKind.DATASET, "library.file_empty"),
        (b"a,b\x00\x00", "二进制.csv", ResourceKind.DATASET, "library.file_content"),
        (b"\n\n", "空行.csv", ResourceKind.DATASET, "library.file_no_rows"),
        (b"%PDF-1.4 fake", "说明.docx", ResourceKind.DOCUMENT, "library.file_content"),
    ],
)
def test_refused_uploads(data: bytes, name: str, kind: str, code: str) -> None:
    with pytest.raises(TongbanError) as exc:
        check(data, name, kind)
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value.message))


def test_size_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TONGBAN_LIBRARY_MAX_BYTES = 1024 * 1024
    big = b"a,b\n" + b"1,2\n" * 300_000
    with pytest.raises(TongbanError) as exc:
        check(big, "大.csv")
    assert exc.value.code == "library.file_too_large" and "1 MB" in str(exc.value.message)
    with pytest.raises(TongbanError) as exc:
        check(PDF + b"0" * (1024 * 1024), "大.pdf", ResourceKind.DOCUMENT)
    assert exc.value.code == "library.file_too_large"


def test_unsafe_name_cleaned() -> None:
    p = check(PDF, "../../etc/<通知>.pdf", ResourceKind.DOCUMENT)
    assert p.name == "_通知_.pdf" and p.content_type == "application/pdf"


def test_documents_accept_csv_without_table() -> None:
    p = check(CSV, "模板.csv", ResourceKind.TEMPLATE)
    assert p.schema == [] and p.row_count is None
