"""What every endpoint shares: the error body and the documented error responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError

from tongban.identity.models import User


class ErrorOut(Schema):
    detail: str
    code: str | None = None


def errors(*codes: int) -> dict[int, Any]:
    """Document error answers, e.g. ``response={200: UnitOut, **errors(404)}``. 401 is always there:
    every endpoint needs a bearer token or a logged-in session."""
    return {code: ErrorOut for code in (401, *codes)}


def caller(request: HttpRequest) -> User:
    """The authenticated staff user: from an API token (``request.auth``) or the session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise HttpError(401, _("未登录或令牌无效。"))
