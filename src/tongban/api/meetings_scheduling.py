"""REST endpoints of the meetings' scheduling part (/api/v1/meetings/): my meetings (boxes, with
limit/offset), create and change a meeting (clashes come back as warnings: 409 unless
``force``), notify, cancel, the confirmation table, a unit's 参会回执, the venues and a clash
check. Thin: the access functions, the selectors and the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tongban.api.common import Id, Offset, OptionalId, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import PermissionDenied
from tongban.meetings import access, scheduling
from tongban.meetings import selectors as sel
from tongban.meetings.models import Meeting, Venue

router = Router(tags=["会议：安排与回执"])

MAX_LIMIT = 100


# --- schemas -----------------------------------------------------------------------------------
class VenueOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    address: str
    capacity: int
    has_video: bool
    terminal_id: int | None
    is_active: bool


class MeetingVenueOut(Schema):
    venue_id: int
    name: str
    is_main: bool


class AgendaOut(Schema):
    order: int
    title: str
    presenter_id: int | None
    presenter: str
    minutes: int


class InvitationOut(Schema):
    id: int
    unit_id: int
    unit: str
    seats: int
    status: str


class AttendeeOut(Schema):
    id: int
    user_id: int
    name: str
    role: str
    reply: str
    unit_id: int | None
    venue_id: int | None


class MeetingMaterialOut(Schema):
    id: int
    name: str
    size: int
    agenda_order: int | None
    url: str


class MeetingSummaryOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    status_label: str
    host_unit_id: int
    host_unit: str
    chair_id: int
    chair: str
    starts_at: datetime
    ends_at: datetime
    main_venue: str
    invitations: int
    confirmed: int


class MeetingOut(MeetingSummaryOut):
    organiser_id: int
    summary: str
    requirements: str
    contact_phone: str
    confirm_deadline: datetime | None
    late_after_minutes: int
    needs_admission: bool
    cancelled_reason: str
    can_manage: bool
    venues: list[MeetingVenueOut]
    agenda: list[AgendaOut]
    invitations_detail: list[InvitationOut]
    attendees: list[AttendeeOut]
    materials: list[MeetingMaterialOut]


class ClashOut(Schema):
    kind: str
    message: str
    meeting_id: int | None
    meeting_title: str
    entry_id: int | None
    venue_id: int | None
    user_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None


class MeetingSavedOut(Schema):
    meeting: MeetingOut
    warnings: list[ClashOut]


class ClashRefusedOut(Schema):
    detail: str
    code: str
    warnings: list[ClashOut]


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    counts: dict[str, int]
    items: list[MeetingSummaryOut]


class AgendaIn(Schema):
    title: str
    presenter_id: int | None = None
    presenter_name: str = ""
    minutes: int = 0
    notes: str = ""


class InvitationIn(Schema):
    unit_id: int
    seats: int = 1


class MeetingIn(Schema):
    title: str
    kind: str
    host_unit_id: int | None = None
    chair_id: int
    starts_at: datetime
    ends_at: datetime
    main_venue_id: int
    venue_ids: list[int] = []
    people: list[int] = []
    agenda: list[AgendaIn] = []
    invitations: list[InvitationIn] = []
    confirm_deadline: datetime | None = None
    late_after_minutes: int = 0
    needs_admission: bool = False
    summary: str = ""
    requirements: str = ""
    contact_phone: str = ""
    force: bool = False


class MeetingPatch(Schema):
    title: str | None = None
    kind: str | None = None
    chair_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    main_venue_id: int | None = None
    venue_ids: list[int] | None = None
    people: list[int] | None = None
    agenda: list[AgendaIn] | None = None
    invitations: list[InvitationIn] | None = None
    confirm_deadline: datetime | None = None
    late_after_minutes: int | None = None
    needs_admission: bool | None = None
    summary: str | None = None
    requirements: str | None = None
    contact_phone: str | None = None
    force: bool = False


class NotifyOut(Schema):
    meeting: MeetingOut
    notices: int


class CancelIn(Schema):
    reason: str


class PersonIn(Schema):
    user_id: int
    reply: str
    leave_reason: str = ""


class ConfirmIn(Schema):
    people: list[PersonIn]
    note: str = ""


class MeetingPersonOut(Schema):
    attendee_id: int
    user_id: int
    name: str
    reply: str
    leave_reason: str
    signed_in: bool


class ConfirmationOut(Schema):
    invitation_id: int
    unit_id: int
    unit: str
    seats: int
    status: str
    status_label: str
    people: list[MeetingPersonOut]
    confirmed_by: str
    confirmed_at: datetime | None
    reminders_sent: int
    note: str


class ConfirmationsOut(Schema):
    totals: dict[str, int]
    rows: list[ConfirmationOut]


# --- converters --------------------------------------------------------------------------------
def _main(m: Meeting) -> str:
    for link in m.venue_links.all():
        if link.is_main:
            return link.venue.name
    return ""


def _summary(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "kind": m.kind,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "host_unit_id": m.host_unit_id,
        "host_unit": m.host_unit.name,
        "chair_id": m.chair_id,
        "chair": m.chair.full_name,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "main_venue": _main(m),
        "invitations": getattr(m, "n_invitations", None) or m.invitations.count(),
        "confirmed": getattr(m, "n_confirmed", None) or m.invitations.filter(status="confirmed").count(),
    }


def _detail(user: Any, m: Meeting) -> dict[str, Any]:
    m = Meeting.objects.select_related("host_unit", "chair").get(pk=m.pk)
    links = sel.venue_links(m)
    return {
        **_summary(m),
        "organiser_id": m.organiser_id,
        "summary": m.summary,
        "requirements": m.requirements,
        "contact_phone": m.contact_phone,
        "confirm_deadline": m.confirm_deadline,
        "late_after_minutes": m.late_after_minutes,
        "needs_admission": m.needs_admission,
        "cancelled_reason": m.cancelled_reason,
        "can_manage": access.can_manage(user, m),
        "venues": [{"venue_id": x.venue_id, "name": x.venue.name, "is_main": x.is_main} for x in links],
        "agenda": [
            {
                "order": a.order,
                "title": a.title,
                "presenter_id": a.presenter_id,
                "presenter": a.presenter.full_name if a.presenter else a.presenter_name,
                "minutes": a.minutes,
            }
            for a in sel.agenda_of(m)
        ],
        "invitations_detail": [
            {"id": i.pk, "unit_id": i.unit_id, "unit": i.unit.name, "seats": i.seats, "status": i.status}
            for i in m.invitations.select_related("unit").order_by("unit__sort", "id")
        ],
        "attendees": [
            {
                "id": a.pk,
                "user_id": a.user_id,
                "name": a.user.full_name,
                "role": a.role,
                "reply": a.reply,
                "unit_id": a.unit_id,
                "venue_id": a.venue_id,
            }
            for a in m.attendees.select_related("user").order_by("id")
        ],
        "materials": [
            {
                "id": x.pk,
                "name": x.name,
                "size": x.size,
                "agenda_order": x.agenda_item.order if x.agenda_item else None,
                "url": f"/meetings/{m.pk}/materials/{x.pk}/",
            }
            for x in m.materials.select_related("agenda_item").order_by("id")
        ],
    }


def _clash(c: scheduling.Clash) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "message": c.message,
        "meeting_id": c.meeting_id,
        "meeting_title": c.meeting_title,
        "entry_id": c.entry_id,
        "venue_id": c.venue_id,
        "user_id": c.user_id,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
    }


def _body(body: Schema, *, exclude_unset: bool = False) -> dict[str, Any]:
    data = body.dict(exclude_unset=exclude_unset)
    return data


def _existing(m: Meeting) -> dict[str, Any]:
    links = sel.venue_links(m)
    return {
        "title": m.title,
        "kind": m.kind,
        "host_unit_id": m.host_unit_id,
        "chair_id": m.chair_id,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "main_venue_id": next((x.venue_id for x in links if x.is_main), None),
        "venue_ids": [x.venue_id for x in links if not x.is_main],
        "people": list(
            m.attendees.filter(invitation__isnull=True, role="participant").values_list("user_id", flat=True)
        ),
        "agenda": [
            {
                "title": a.title,
                "presenter_id": a.presenter_id,
                "presenter_name": a.presenter_name,
                "minutes": a.minutes,
                "notes": a.notes,
            }
            for a in m.agenda.order_by("order", "id")
        ],
        "invitations": [{"unit_id": u, "seats": s} for u, s in m.invitations.values_list("unit_id", "seats")],
        "confirm_deadline": m.confirm_deadline,
        "late_after_minutes": m.late_after_minutes,
        "needs_admission": m.needs_admission,
        "summary": m.summary,
        "requirements": m.requirements,
        "contact_phone": m.contact_phone,
    }


# --- endpoints ---------------------------------------------------------------------------------
@router.get("", response={200: MeetingPage, **errors()}, summary="我的会议")
def meeting_list(
    request: HttpRequest,
    box: str = "upcoming",
    q: str = "",
    kind: str = "",
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Boxes: upcoming (即将召开), today (今日), confirm (待回执), organised (我组织的), past (已结束)."""
    user = _caller(request)
    if box not in dict(sel.BOXES):
        box = "upcoming"
    qs = sel.meetings_for(user, sel.MeetingFilter(box=box, q=q[:50], kind=kind))
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "counts": sel.box_counts(user),
        "items": [_summary(m) for m in qs[offset : offset + limit]],
    }


@router.post(
    "",
    response={201: MeetingSavedOut, 409: ClashRefusedOut, **errors(400, 403)},
    summary="安排会议（草稿）",
)
def meeting_create(request: HttpRequest, body: MeetingIn) -> Status:
    """Clashes (room, leader) and a capacity shortfall answer 409 with the warnings; send again
    with ``force: true`` to save anyway (the warnings come back with the meeting)."""
    user = _caller(request)
    data = _body(body)
    try:
        m = scheduling.meeting_create(actor=user, data=data, request=request)
    except scheduling.ClashWarning as exc:
        return Status(
            409,
            {
                "detail": str(exc.message),
                "code": exc.code,
                "warnings": [_clash(c) for c in exc.warnings],
            },
        )
    warnings = scheduling.check(actor=user, data=data, meeting=m) if body.force else []
    return Status(201, {"meeting": _detail(user, m), "warnings": [_clash(c) for c in warnings]})


@router.get("venues", response={200: list[VenueOut], **errors()}, summary="会场列表")
def venue_list(request: HttpRequest, active: bool = True) -> list[dict[str, Any]]:
    """The venues of the counties where the caller organises meetings or attends them."""
    user = _caller(request)
    county_ids = sel.county_ids_of(user) | set(user.posts.values_list("county_id", flat=True))
    qs = Venue.objects.filter(county_id__in=county_ids).select_related("unit")
    if active:
        qs = qs.filter(is_active=True)
    return [
        {
            "id": v.pk,
            "name": v.name,
            "unit_id": v.unit_id,
            "unit": v.unit.name,
            "address": v.address,
            "capacity": v.capacity,
            "has_video": v.has_video,
            "terminal_id": v.terminal_id,
            "is_active": v.is_active,
        }
        for v in qs
    ]


@router.get("clashes", response={200: list[ClashOut], **errors(400, 403)}, summary="冲突检查")
def clash_check(
    request: HttpRequest,
    starts_at: datetime,
    ends_at: datetime,
    venue_ids: list[int] = Query(None),  # noqa: B008 — a repeated query parameter
    user_ids: list[int] = Query(None),  # noqa: B008 — a repeated query parameter
    exclude_meeting_id: OptionalId = None,
) -> list[dict[str, Any]]:
    """Room and leader clashes for a planned time (meeting organisers only)."""
    user = _caller(request)
    counties = sorted(sel.county_ids_of(user))
    if not counties:
        raise PermissionDenied("meetings.not_organiser", _("只有会务管理员可以检查会议冲突。"))
    found = scheduling.clashes(
        county=counties[0],
        starts_at=starts_at,
        ends_at=ends_at,
        venue_ids=venue_ids or [],
        user_ids=user_ids or [],
        exclude_meeting_id=exclude_meeting_id,
    )
    return [_clash(c) for c in found]


@router.get("{meeting_id}", response={200: MeetingOut, **errors(404)}, summary="会议详情")
def meeting_detail(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _detail(user, access.get_meeting_for(user, meeting_id))


@router.patch(
    "{meeting_id}",
    response={200: MeetingSavedOut, 409: ClashRefusedOut, **errors(400, 403, 404)},
    summary="修改会议",
)
def meeting_patch(request: HttpRequest, meeting_id: Id, body: MeetingPatch) -> Status:
    """Only the fields sent change. A notified meeting whose time or venues change sends 会议变更."""
    user = _caller(request)
    m = access.get_meeting_for(user, meeting_id)
    access.require_manage(user, m)
    data = _existing(m)
    data.update(
        {k: v for k, v in _body(body, exclude_unset=True).items() if v is not None or k == "confirm_deadline"}
    )
    data["force"] = body.force
    try:
        m = scheduling.meeting_update(meeting=m, actor=user, data=data, request=request)
    except scheduling.ClashWarning as exc:
        return Status(
            409,
            {
                "detail": str(exc.message),
                "code": exc.code,
                "warnings": [_clash(c) for c in exc.warnings],
            },
        )
    warnings = scheduling.check(actor=user, data={**data, "force": True}, meeting=m) if body.force else []
    return Status(200, {"meeting": _detail(user, m), "warnings": [_clash(c) for c in warnings]})


@router.post(
    "{meeting_id}/notify", response={200: NotifyOut, **errors(400, 403, 404)}, summary="发送会议通知"
)
def meeting_notify(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    user = _caller(request)
    m = access.get_meeting_for(user, meeting_id)
    n = scheduling.meeting_notify(meeting=m, actor=user, request=request)
    return {"meeting": _detail(user, m), "notices": n}


@router.post("{meeting_id}/cancel", response={200: MeetingOut, **errors(400, 403, 404)}, summary="取消会议")
def meeting_cancel(request: HttpRequest, meeting_id: Id, body: CancelIn) -> dict[str, Any]:
    user = _caller(request)
    m = access.get_meeting_for(user, meeting_id)
    scheduling.meeting_cancel(meeting=m, actor=user, reason=body.reason, request=request)
    return _detail(user, m)


def _row(r: sel.ConfirmationRow) -> dict[str, Any]:
    return {
        "invitation_id": r.invitation.pk,
        "unit_id": r.unit.pk,
        "unit": r.unit.name,
        "seats": r.seats,
        "status": r.status,
        "status_label": r.status_label,
        "people": [
            {
                "attendee_id": a.pk,
                "user_id": a.user_id,
                "name": a.user.full_name,
                "reply": a.reply,
                "leave_reason": a.leave_reason,
                "signed_in": a.signed_in_at is not None,
            }
            for a in (*r.attending, *r.leaving)
        ],
        "confirmed_by": r.confirmed_by,
        "confirmed_at": r.confirmed_at,
        "reminders_sent": r.reminders_sent,
        "note": r.note,
    }


@router.get(
    "{meeting_id}/confirmations", response={200: ConfirmationsOut, **errors(403, 404)}, summary="参会回执汇总"
)
def confirmations(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    """The whole table for the organisers and the chair; a unit's confirmer sees its own rows."""
    user = _caller(request)
    m = access.get_meeting_for(user, meeting_id)
    rows = sel.confirmation_rows(m)
    if not (access.can_manage(user, m) or m.chair_id == user.pk):
        units = access.confirmer_unit_ids(user)
        rows = [r for r in rows if r.unit.pk in units]
        if not rows:
            raise PermissionDenied(
                "meetings.not_organiser", _("只有会议的会务人员或主持人可以查看回执汇总。")
            )
    return {"totals": sel.confirmation_totals(rows), "rows": [_row(r) for r in rows]}


@router.post(
    "{meeting_id}/invitations/{invitation_id}/confirm",
    response={200: ConfirmationOut, **errors(400, 403, 404)},
    summary="填报参会回执",
)
def confirm(request: HttpRequest, meeting_id: Id, invitation_id: Id, body: ConfirmIn) -> dict[str, Any]:
    user = _caller(request)
    m = access.get_meeting_for(user, meeting_id)
    inv = scheduling.get_invitation_for(user, m, invitation_id)
    scheduling.invitation_confirm(
        invitation=inv,
        actor=user,
        people=[p.dict() for p in body.people],
        note=body.note,
        request=request,
    )
    row = next(r for r in sel.confirmation_rows(m) if r.invitation.pk == inv.pk)
    return _row(row)
