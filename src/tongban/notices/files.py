"""Attachment checks: an allow-list of office formats (by extension AND by the file's first bytes),
a size limit, a safe display name and the SHA-256 of the content."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError

# Overridable with settings.TONGBAN_NOTICES_MAX_ATTACHMENT_BYTES (settings.py is not ours to edit).
DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_ATTACHMENTS = 20

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
    return int(getattr(settings, "TONGBAN_NOTICES_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


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


def check(file: IO[bytes], name: str, size: int | None = None) -> Checked:
    """Validate an uploaded file; raises TongbanError (``notices.attachment_*``) when refused."""
    display = safe_name(name)
    ext = extension(display)
    if ext not in ALLOWED:
        raise TongbanError(
            "notices.attachment_type",
            _(
                "不支持的附件类型“%(name)s”。允许：pdf、doc、docx、xls、xlsx、ppt、pptx、wps、ofd、txt、jpg、png、zip。"
            )
            % {"name": display},
            field="attachments",
        )
    limit = max_bytes()
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
                "notices.attachment_too_large",
                _("附件“%(name)s”超过 %(mb)d MB。") % {"name": display, "mb": limit // (1024 * 1024)},
                field="attachments",
            )
        digest.update(chunk)
    file.seek(0)
    if total == 0:
        raise TongbanError(
            "notices.attachment_empty", _("附件“%(name)s”是空文件。") % {"name": display}, field="attachments"
        )
    content_type, magic = ALLOWED[ext]
    if magic is None:
        if b"\x00" in head:
            raise _mismatch(display)
    elif not any(head.startswith(m) for m in magic):
        raise _mismatch(display)
    return Checked(name=display, ext=ext, content_type=content_type, size=total, sha256=digest.hexdigest())


def _mismatch(name: str) -> TongbanError:
    return TongbanError(
        "notices.attachment_content",
        _("附件“%(name)s”的内容与扩展名不符。") % {"name": name},
        field="attachments",
    )
