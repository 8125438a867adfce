"""What every endpoint shares: the error body and the documented error responses."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Schema
from ninja.errors import HttpError

from tongban.identity.models import User

# Ids in paths are positive and fit the databases' 64-bit keys: anything else is a 422 (documented),
# not a database overflow (500).
MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# A year in a query (filters, statistics): 1900–2999, which Python's dates and the databases take.
Year = Annotated[int, Query(ge=1900, le=2999)]
OptionalYear = Annotated[int | None, Query(ge=1900, le=2999)]
# Paging: from where (0 … 10 million) or which page (1 … 100,000); larger values are a 422.
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]


class ErrorOut(Schema):
    detail: str
    code: str | None = None


def errors(*codes: int) -> dict[int, Any]:
    """Document error answers, e.g. ``response={200: UnitOut, **errors(404)}``. 401 and 422 are always
    there: every endpoint needs a bearer token or a logged-in session, and any parameter or body that
    does not fit the schema (or that the database cannot take) is answered with 422."""
    return {code: ErrorOut for code in sorted({401, 422, *codes})}


def public_errors(*codes: int) -> dict[int, Any]:
    """Error answers of an anonymous endpoint (``auth=None``): no 401; 422 always (bad parameters)."""
    return {code: ErrorOut for code in sorted({422, *codes})}


def caller(request: HttpRequest) -> User:
    """The authenticated staff user: from an API token (``request.auth``) or the session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise HttpError(401, _("未登录或令牌无效。"))
