"""Notice attachments: the shared upload checks (tongban.core.files) with the notices' limit and
error codes (``notices.attachment_*``)."""

from __future__ import annotations

from typing import IO

from django.conf import settings

from tongban.core.files import ALLOWED, Checked, extension, safe_name
from tongban.core.files import check as _check

__all__ = ["ALLOWED", "MAX_ATTACHMENTS", "Checked", "check", "extension", "max_bytes", "safe_name"]

# Overridable with settings.TONGBAN_NOTICES_MAX_ATTACHMENT_BYTES.
DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_ATTACHMENTS = 20


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_NOTICES_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


def check(file: IO[bytes], name: str, size: int | None = None) -> Checked:
    """Validate an attachment; raises TongbanError (``notices.attachment_*``) when refused."""
    return _check(file, name, size, limit=max_bytes(), prefix="notices.attachment", field="attachments")
