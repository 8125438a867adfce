"""One error type for the application: a stable code for logs and a translatable message for people."""

from __future__ import annotations

from typing import Any


class TongbanError(Exception):
    """Raised by services when an operation is refused.

    ``code`` is stable (``<domain>.<reason>``) and goes to logs and API clients; ``message`` is a
    translatable Chinese sentence shown to the user; ``field`` names the form field at fault.
    """

    status = 400

    def __init__(
        self, code: str, message: Any, *, field: str | None = None, params: dict[str, Any] | None = None
    ):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.params = params or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(TongbanError):
    """The actor may not do this. Views answer 403; nothing has been changed."""

    status = 403


class NotFound(TongbanError):
    """The object does not exist or is not visible to the actor (the two are not told apart)."""

    status = 404
