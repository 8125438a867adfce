"""What every endpoint shares: the error body and the documented error responses."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str | None = None


def errors(*codes: int) -> dict[int, Any]:
    """Document error answers, e.g. ``response={200: UnitOut, **errors(404)}``. 401 is always there:
    every endpoint needs a bearer token or a logged-in session."""
    return {code: ErrorOut for code in (401, *codes)}
