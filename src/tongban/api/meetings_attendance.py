"""REST endpoints of the meetings' attendance part (/api/v1/meetings/): the attendance report, the
QR sign-in of the calling user, and the organisers' sign-in, leave and undo of one attendee.
Thin: ``access`` loads the meeting, ``attendance`` does the work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tongban.api.common import Id, caller, errors
from tongban.core.errors import NotFound
from tongban.meetings import access
from tongban.meetings import attendance as att
from tongban.meetings.models import Attendee, Meeting

router = Router(tags=["会议：签到与出勤"])


class AttendancePersonOut(Schema):
    attendee_id: int
    user_id: int
    name: str
    status: str
    status_label: str
    signed_in_at: datetime | None
    sign_method: str
    reason: str


class AttendanceCountsOut(Schema):
    unit_id: int | None
    unit: str
    seats: int | None
    confirmed: bool | None
    expected: int
    present: int
    late: int
    leave: int
    absent: int
    waiting: int
    attended: int
    rate: float | None


class AttendanceUnitOut(AttendanceCountsOut):
    people: list[AttendancePersonOut]


class AttendanceVenueOut(Schema):
    attendee_id: int
    venue: str
    unit: str
    online: bool
    at: datetime | None


class AttendanceReportOut(Schema):
    meeting_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    late_after: datetime
    ended: bool
    units: list[AttendanceUnitOut]
    totals: AttendanceCountsOut
    venues: list[AttendanceVenueOut]


class TokenIn(Schema):
    token: str


class ReasonIn(Schema):
    reason: str


class SignInOut(Schema):
    attendee_id: int
    already: bool
    signed_in_at: datetime
    status: str
    message: str


class AttendanceAttendeeOut(Schema):
    id: int
    name: str
    unit: str
    reply: str
    leave_reason: str
    signed_in_at: datetime | None
    sign_method: str
    status: str
    status_label: str


def _attendee_out(a: Attendee, meeting: Meeting) -> dict[str, Any]:
    st = att.status_of(a, meeting)
    return {
        "id": a.pk,
        "name": att.person_name(a),
        "unit": a.unit.name if a.unit else "",
        "reply": a.reply,
        "leave_reason": a.leave_reason,
        "signed_in_at": a.signed_in_at,
        "sign_method": a.sign_method,
        "status": st,
        "status_label": att.status_label(st),
    }


def _attendee(meeting: Meeting, attendee_id: int) -> Attendee:
    a = Attendee.objects.filter(meeting=meeting, pk=attendee_id).select_related("user", "unit").first()
    if a is None:
        raise NotFound("meetings.attendee_not_found", _("参会人员不存在。"))
    return a


@router.get(
    "{id}/attendance",
    response={200: AttendanceReportOut, **errors(403, 404)},
    summary="出勤统计（各单位到会、迟到、请假、缺席）",
)
def attendance_report(request: HttpRequest, id: Id) -> dict[str, Any]:
    user = caller(request)
    meeting = access.get_meeting_for(user, id)
    return att.report_json(att.report_for(user, meeting))


@router.post("{id}/signin", response={200: SignInOut, **errors(400, 403, 404)}, summary="扫码签到（本人）")
def signin_qr(request: HttpRequest, id: Id, body: TokenIn) -> dict[str, Any]:
    user = caller(request)
    meeting = Meeting.objects.filter(pk=id).first()
    if meeting is None or (not att.token_valid(meeting, body.token) and not access.can_view(user, meeting)):
        raise NotFound("meetings.not_found", _("会议不存在或您无权查看。"))
    r = att.sign_in_qr(meeting=meeting, user=user, token=body.token)
    return {
        "attendee_id": r.attendee.pk,
        "already": r.already,
        "signed_in_at": r.at,
        "status": r.status,
        "message": r.message,
    }


@router.post(
    "{id}/attendance/{attendee_id}/signin",
    response={200: AttendanceAttendeeOut, **errors(400, 403, 404)},
    summary="会务代签到",
)
def attendee_signin(request: HttpRequest, id: Id, attendee_id: Id) -> dict[str, Any]:
    user = caller(request)
    meeting = access.get_meeting_for(user, id)
    a = att.sign_in_by_organiser(meeting=meeting, attendee=_attendee(meeting, attendee_id), actor=user)
    return _attendee_out(a, meeting)


@router.post(
    "{id}/attendance/{attendee_id}/leave",
    response={200: AttendanceAttendeeOut, **errors(400, 403, 404)},
    summary="登记请假（会务人员或本单位文书）",
)
def attendee_leave(request: HttpRequest, id: Id, attendee_id: Id, body: ReasonIn) -> dict[str, Any]:
    user = caller(request)
    meeting = access.get_meeting_for(user, id)
    a = att.mark_leave(
        meeting=meeting, attendee=_attendee(meeting, attendee_id), actor=user, reason=body.reason
    )
    return _attendee_out(a, meeting)


@router.post(
    "{id}/attendance/{attendee_id}/undo",
    response={200: AttendanceAttendeeOut, **errors(400, 403, 404)},
    summary="撤销签到（须填写原因）",
)
def attendee_undo(request: HttpRequest, id: Id, attendee_id: Id, body: ReasonIn) -> dict[str, Any]:
    user = caller(request)
    meeting = access.get_meeting_for(user, id)
    a = att.undo_sign_in(
        meeting=meeting, attendee=_attendee(meeting, attendee_id), actor=user, reason=body.reason
    )
    return _attendee_out(a, meeting)
