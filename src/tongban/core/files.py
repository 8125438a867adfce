"""Upload checks shared by every domain: an allow-list of office formats (by extension AND by the
file's first bytes), a size limit, a safe display name and the SHA-256 of the content.

Callers choose the allowed extensions, the limit, the error-code prefix and the form field, e.g.
``check(f, name, allowed={"pdf", "jpg", "png"}, limit=20 * 2**20, prefix="approvals.material")``."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_PDF = (b"%PDF-",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc/.xls/.ppt/.wps (compound file)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # .docx/.xlsx/.pptx/.ofd/.zip (and newer .wps)
_JPG = (b"\xff\xd8\xff",)
_PNG = (b"\x89PNG\r\n\x1a\n",)

# extension -> (content type served on download, accepted leading bytes; None = text)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", _PDF),
    "doc": ("application/msword", _OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xls": ("application/vnd.ms-excel", _OLE),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "wps": ("application/vnd.ms-works", _OLE + _ZIP),
    "ofd": ("application/ofd", _ZIP),
    "txt": ("text/plain; charset=utf-8", None),
    "jpg": ("image/jpeg", _JPG),
    "jpeg": ("image/jpeg", _JPG),
    "png": ("image/png", _PNG),
    "zip": ("application/zip", _ZIP),
}

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def safe_name(name: str) -> str:
    """The display name: the last path component, no control or reserved characters, NFC, at most
    150 characters (the extension is kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "file"


def extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


@dataclass(frozen=True)
class Checked:
    name: str
    ext: str
    content_type: str
    size: int
    sha256: str


def check(
    file: IO[bytes],
    name: str,
    size: int | None = None,
    *,
    allowed: Iterable[str] | None = None,
    limit: int | None = None,
    prefix: str = "files.upload",
    field: str = "attachments",
) -> Checked:
    """Validate an uploaded file; raises TongbanError (``<prefix>_type|_too_large|_empty|_content``)
    when refused. ``allowed`` is a subset of :data:`ALLOWED` (default: all of it)."""
    display = safe_name(name)
    ext = extension(display)
    kinds = [k for k in ALLOWED if allowed is None or k in set(allowed)]
    if ext not in kinds:
        raise TongbanError(
            f"{prefix}_type",
            _("不支持的文件类型“%(name)s”。允许：%(kinds)s。") % {"name": display, "kinds": "、".join(kinds)},
            field=field,
        )
    limit = limit or max_bytes()
    digest = hashlib.sha256()
    total = 0
    head = b""
    file.seek(0)
    while chunk := file.read(1024 * 1024):
        if len(head) < 16:
            head += chunk[:16]
        total += len(chunk)
        if total > limit:
            raise TongbanError(
                f"{prefix}_too_large",
                _("文件“%(name)s”超过 %(mb)d MB。") % {"name": display, "mb": limit // (1024 * 1024)},
                field=field,
            )
        digest.update(chunk)
    file.seek(0)
    if total == 0:
        raise TongbanError(f"{prefix}_empty", _("文件“%(name)s”是空文件。") % {"name": display}, field=field)
    content_type, magic = ALLOWED[ext]
    if magic is None:
        if b"\x00" in head:
            raise _mismatch(display, prefix, field)
    elif not any(head.startswith(m) for m in magic):
        raise _mismatch(display, prefix, field)
    return Checked(name=display, ext=ext, content_type=content_type, size=total, sha256=digest.hexdigest())


def _mismatch(name: str, prefix: str, field: str) -> TongbanError:
    return TongbanError(
        f"{prefix}_content", _("文件“%(name)s”的内容与扩展名不符。") % {"name": name}, field=field
    )
