from __future__ import annotations

import datetime as dt

import pytest

from tongban.documents import rules
from tongban.documents.sanitize import clean_html, html_to_text


@pytest.mark.parametrize(
    ("prefix", "year", "serial", "text"),
    [
        ("青政发", 2026, 12, "青政发〔2026〕12号"),
        ("青政办函", 2026, 1, "青政办函〔2026〕1号"),
        ("青财发", 2027, 105, "青财发〔2027〕105号"),
    ],
)
def test_number_format_exact(prefix: str, year: int, serial: int, text: str) -> None:
    assert rules.format_number(prefix, year, serial) == text
    assert "第" not in text and "[" not in text
    assert rules.parse_number(text) == (prefix, year, serial)


@pytest.mark.parametrize(
    "bad",
    [
        "青政发〔2026〕012号",
        "青政发[2026]12号",
        "青政发〔26〕12号",
        "青政发〔2026〕第12号",
        "青政发〔2026〕0号",
    ],
)
def test_parse_refuses_wrong_forms(bad: str) -> None:
    assert rules.parse_number(bad) is None


def test_format_refuses_bad_parts() -> None:
    for args in (("", 2026, 1), ("青政发", 26, 1), ("青政发", 2026, 0), ("青〔政发", 2026, 1)):
        with pytest.raises(ValueError):
            rules.format_number(*args)


def test_written_date_is_last_signers() -> None:
    assert rules.written_date([dt.date(2026, 3, 1), dt.date(2026, 3, 5), dt.date(2026, 3, 2)]) == dt.date(
        2026, 3, 5
    )
    assert rules.written_date([]) is None
    assert rules.chinese_date(dt.date(2026, 7, 1)) == "2026年7月1日"


def test_sanitiser_keeps_structure_and_drops_everything_else() -> None:
    dirty = (
        '<h1 onclick="x()">一、总体要求</h1><p class="ql-align-center evil">居中<script>alert(1)</script></p>'
        '<p><a href="javascript:alert(1)">链接</a><img src=x onerror=alert(1)><b>粗</b><i>斜</i></p>'
        "<style>p{}</style><table><tr><td colspan=2 style='x'>格</td></tr></table><p>a &lt; b</p><ul><li>未闭合"
    )
    clean = clean_html(dirty)
    assert "<h1>一、总体要求</h1>" in clean
    assert '<p class="ql-align-center">居中</p>' in clean
    assert "script" not in clean and "alert" not in clean and "onerror" not in clean and "href" not in clean
    assert "<strong>粗</strong><em>斜</em>" in clean
    assert '<td colspan="2">格</td>' in clean
    assert "a &lt; b" in clean
    assert clean.endswith("</li></ul>")
    assert clean_html("<p><br></p>") == ""
    assert html_to_text("<h1>一</h1><p>二</p>") == "一\n二"
