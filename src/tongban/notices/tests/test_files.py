from __future__ import annotations

import io

import pytest

from tongban.core.errors import TongbanError
from tongban.notices import files
from tongban.notices.tests.conftest import PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", PDF),
        ("b.DOCX", b"PK\x03\x04rest"),
        ("c.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("d.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("e.ofd", b"PK\x03\x04rest"),
        ("f.txt", "纯文本".encode()),
        ("g.jpg", b"\xff\xd8\xff\xe0rest"),
        ("h.png", b"\x89PNG\r\n\x1a\nrest"),
        ("i.zip", b"PK\x05\x06rest"),
    ],
)
def test_allowed(name, content):
    checked = files.check(io.BytesIO(content), name)
    assert checked.size == len(content) and len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("x.html", b"<script>alert(1)</script>", "notices.attachment_type"),
        ("x.exe", b"MZ", "notices.attachment_type"),
        ("noext", b"abc", "notices.attachment_type"),
        ("x.pdf", b"<html>", "notices.attachment_content"),
        ("x.png", b"%PDF-", "notices.attachment_content"),
        ("x.txt", b"\x00\x01bin", "notices.attachment_content"),
        ("x.pdf", b"", "notices.attachment_empty"),
    ],
)
def test_refused(name, content, code):
    with pytest.raises(TongbanError) as exc:
        files.check(io.BytesIO(content), name)
    assert exc.value.code == code


def test_size_limit(settings):
    settings.TONGBAN_NOTICES_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(TongbanError) as exc:
        files.check(io.BytesIO(PDF), "big.pdf")
    assert exc.value.code == "notices.attachment_too_large"
    assert files.DEFAULT_MAX_ATTACHMENT_BYTES == 50 * 1024 * 1024


def test_safe_name():
    assert files.safe_name("C:\\Users\\x\\报告.pdf") == "报告.pdf"
    assert files.safe_name("../../etc/passwd") == "passwd"
    assert files.safe_name('a<b>:"c|?*.pdf') == "a_b_c_.pdf"
    assert files.safe_name("\x00\x1f") == "_"
    long = "长" * 300 + ".docx"
    assert len(files.safe_name(long)) == 150 and files.safe_name(long).endswith(".docx")
    assert files.safe_name("") == "file"
