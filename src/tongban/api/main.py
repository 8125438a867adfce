"""The REST API at /api/v1/: django-ninja, OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs.

Each domain's endpoints live in ``tongban/api/<domain>.py`` and are added here as routers."""

from __future__ import annotations

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import django_auth

from tongban.api import (
    approvals_cases,
    approvals_catalogue,
    approvals_guide,
    approvals_public,
    interaction_disclosure,
    interaction_interviews,
    interaction_letters,
    interaction_surveys,
    meetings_attendance,
    meetings_records,
    meetings_schedules,
    meetings_scheduling,
    meetings_video,
    netmon,
    notify,
    portal,
    stats_assess,
    stats_dash,
    stats_rollup,
    supervision_complaints,
)
from tongban.api import archive as archive_api
from tongban.api import calendar as calendar_api
from tongban.api import documents as documents_api
from tongban.api import exchange as exchange_api
from tongban.api import identity as identity_api
from tongban.api import library as library_api
from tongban.api import notices as notices_api
from tongban.api import orgs as orgs_api
from tongban.api import receiving as receiving_api
from tongban.api import render as render_api
from tongban.api import seals as seals_api
from tongban.api import search as search_api
from tongban.api import supervision as supervision_api
from tongban.api import workflow as workflow_api
from tongban.core.errors import TongbanError
from tongban.identity.api_auth import ApiTokenAuth

api = NinjaAPI(
    title="通办 Tongban API",
    version="1",
    description="县电子政务平台开放接口。以 Bearer 令牌（manage.py create_api_token）或登录会话访问。",
    urls_namespace="api",
    # Every endpoint needs a live bearer token or a logged-in session (GB/T 22239-2019 8.1.4.2 a).
    auth=[ApiTokenAuth(), django_auth],
)
api.add_router("/", identity_api.router)
api.add_router("/notifications/", notify.router)
api.add_router("/", orgs_api.router)
api.add_router("/calendar/", calendar_api.router)
api.add_router("/workflow/", workflow_api.router)
api.add_router("/documents/", documents_api.router)
api.add_router("/incoming/", receiving_api.router)
api.add_router("/archive/", archive_api.router)
api.add_router("/search/", search_api.router)
api.add_router("/seals/", seals_api.router)
api.add_router("/render/", render_api.router)
api.add_router("/notices/", notices_api.router)
# Approvals: the catalogue (staff), cases (staff), and the public side (/public/: anonymous
# catalogue and progress lookup; the applicant's own cases with a public-account session).
api.add_router("/approvals/", approvals_catalogue.router)
api.add_router("/cases/", approvals_cases.router)
api.add_router("/public/catalogue/", approvals_guide.router)
api.add_router("/public/", approvals_public.router)
api.add_router("/supervision/", supervision_api.router)
api.add_router("/", supervision_complaints.router)
api.add_router("/public/complaints/", supervision_complaints.public_router)
# Citizen interaction (staff side, then the public side under /public/) and the portal.
api.add_router("/letters/", interaction_letters.router)
api.add_router("/public/letters/", interaction_letters.public_router)
api.add_router("/disclosure-requests/", interaction_disclosure.router)
api.add_router("/public/disclosure-requests/", interaction_disclosure.public_router)
api.add_router("/interviews/", interaction_interviews.router)
api.add_router("/public/interviews/", interaction_interviews.public_router)
api.add_router("/surveys/", interaction_surveys.router)
api.add_router("/public/surveys/", interaction_surveys.public_router)
# Meetings (scheduling, attendance, video, recordings and minutes) and the leaders' schedules.
api.add_router("/meetings/", meetings_scheduling.router)
api.add_router("/meetings/", meetings_attendance.router)
api.add_router("/meetings/", meetings_video.router)
api.add_router("/meetings/", meetings_records.router)
api.add_router("/schedules/", meetings_schedules.router)
api.add_router("/portal/", portal.router)
api.add_router("/public/portal/", portal.public_router)
# Usage assessment and statistics, the shared resource library, site monitoring, data exchange.
api.add_router("/stats/", stats_rollup.router)
api.add_router("/stats/", stats_assess.router)
api.add_router("/stats/", stats_dash.router)
api.add_router("/library/", library_api.router)
api.add_router("/netmon/", netmon.router)
api.add_router("/exchange/", exchange_api.router)


@api.exception_handler(TongbanError)
def tongban_error(request: HttpRequest, exc: TongbanError) -> HttpResponse:
    """A refused operation: its HTTP status (400, 403 or 404), the translated message and the code."""
    return api.create_response(request, {"detail": str(exc.message), "code": exc.code}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Parameters that do not fit the schema: a Chinese sentence first, pydantic's details after."""
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors} - {""})
    detail = _("请求参数不正确：%(fields)s") % {"fields": "、".join(fields) or _("请求体")}
    return api.create_response(
        request, {"detail": detail, "code": "api.invalid", "errors": exc.errors}, status=422
    )


def unstorable_value(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database cannot store or compare — a NUL character in a text, a number beyond
    64 bits, a date or time offset out of range: a 422 like any other bad parameter, nothing changed
    (the services run in transaction.atomic, which rolls back on the exception)."""
    return api.create_response(
        request,
        {"detail": _("请求参数含有无法处理的字符或超出范围的数值。"), "code": "api.invalid"},
        status=422,
    )


api.add_exception_handler(DataError, unstorable_value)
api.add_exception_handler(OverflowError, unstorable_value)
