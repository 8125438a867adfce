"""The only writers of the search index. Domains call ``index_upsert`` when a searchable object is
created or changed (title, number, body, attachments) and ``index_delete`` when it goes away;
``text_of_file`` extracts the text of an uploaded attachment once, at upload time."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import zipfile
from typing import Any

from django.db import transaction

from tongban.search import text as textmod
from tongban.search.models import SearchEntry

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 100_000
MAX_ATTACHMENT_CHARS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a docx/xlsx is a zip: refuse bombs


def entry_fields(
    *,
    title: str,
    number: str = "",
    body: str = "",
    attachments_text: str = "",
    year: int | None = None,
    doc_type: str = "",
    date: dt.date | None = None,
) -> dict[str, Any]:
    """The stored columns of an entry (used by ``index_upsert`` and by bulk seeding)."""
    title = textmod.plain_text(title)[:300]
    number = (number or "").strip()[:64]
    body = textmod.plain_text(body)[:MAX_BODY_CHARS]
    attachments_text = textmod.plain_text(attachments_text)[:MAX_ATTACHMENT_CHARS]
    if year is None and date is not None:
        year = date.year
    return {
        "title": title,
        "number": number,
        "body": body,
        "attachments_text": attachments_text,
        "year": year,
        "doc_type": doc_type or "",
        "date": date,
        "terms": textmod.segment(title, number, body, attachments_text),
    }


@transaction.atomic
def index_upsert(
    *,
    kind: str,
    object_id: int,
    county: Any,
    unit_id: int | None,
    title: str,
    number: str = "",
    body: str = "",
    attachments_text: str = "",
    year: int | None = None,
    doc_type: str = "",
    date: dt.date | None = None,
) -> SearchEntry:
    """Create or replace the entry of (kind, object_id). ``body`` may be HTML (tags are dropped).
    The full-text index follows by trigger (SQLite) or generated column (PostgreSQL)."""
    county_id = getattr(county, "pk", county)
    fields = entry_fields(
        title=title,
        number=number,
        body=body,
        attachments_text=attachments_text,
        year=year,
        doc_type=doc_type,
        date=date,
    )
    entry, _created = SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"county_id": county_id, "unit_id": unit_id, **fields}
    )
    return entry


@transaction.atomic
def index_delete(*, kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def text_of_file(file: Any, name: str) -> str:
    """The text of an uploaded file for the index: .pdf (pypdf), .docx (python-docx), .xlsx
    (openpyxl), .txt/.csv/.md, .html/.htm. Any other type, or a file that cannot be read, gives
    "" (and a log line): extraction never makes an upload fail."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        data = _read_bytes(file)
        if data is None:
            return ""
        if ext == "pdf":
            out = _pdf_text(data)
        elif ext == "docx":
            out = _docx_text(data)
        elif ext == "xlsx":
            out = _xlsx_text(data)
        elif ext in ("txt", "csv", "md"):
            out = _decode(data)
        elif ext in ("html", "htm"):
            out = textmod.plain_text(_decode(data))
        else:
            return ""
    except Exception:
        log.warning("search.text_of_file: could not read %s", name, exc_info=True)
        return ""
    return textmod.plain_text(out)[:MAX_ATTACHMENT_CHARS]


def _read_bytes(file: Any) -> bytes | None:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif hasattr(file, "read"):
        with contextlib.suppress(Exception):  # unseekable streams are read as they are
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
        with contextlib.suppress(Exception):
            file.seek(0)
    else:
        with open(file, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        log.warning("search.text_of_file: file larger than %s bytes skipped", MAX_FILE_BYTES)
        return None
    return data


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _check_zip(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED_BYTES:
            raise ValueError("archive unpacks too large")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts: list[str] = []
    size = 0
    for page in reader.pages:
        piece = page.extract_text() or ""
        parts.append(piece)
        size += len(piece)
        if size > MAX_ATTACHMENT_CHARS:
            break
    return "\n".join(parts)


def _docx_text(data: bytes) -> str:
    _check_zip(data)
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    _check_zip(data)
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts: list[str] = []
    size = 0
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                line = " ".join(str(v) for v in row if v is not None)
                if line:
                    parts.append(line)
                    size += len(line)
                if size > MAX_ATTACHMENT_CHARS:
                    return "\n".join(parts)
    finally:
        wb.close()
    return "\n".join(parts)
