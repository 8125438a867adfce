"""Pages of the meetings' scheduling part (/meetings/): 我的会议 (boxes), the meeting form (one
page, no JavaScript), the meeting page (info, agenda and materials, venues, invitations, actions),
the unit's 参会回执, the confirmation table (+ XLSX), material downloads and 会场管理.
Thin: load through the access functions, call one service, show its Chinese message."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.meetings import access, scheduling
from tongban.meetings import selectors as sel
from tongban.meetings.forms_scheduling import (
    REPLY_CHOICES,
    AgendaFormSet,
    CancelForm,
    MaterialForm,
    MeetingForm,
    VenueForm,
)
from tongban.meetings.models import (
    Invitation,
    Meeting,
    MeetingKind,
    MeetingMaterial,
    MeetingStatus,
    Reply,
    Venue,
)
from tongban.orgs.models import Post, Unit, UnitKind

PAGE_SIZE = 20
AGENDA_STEP = 3


def staff_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required; NotFound → 404 and PermissionDenied → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not isinstance(request.user, User):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- 我的会议 ------------------------------------------------------------------------------------
@staff_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    box = request.GET.get("box", "upcoming")
    if box not in dict(sel.BOXES):
        box = "upcoming"
    kind = request.GET.get("kind", "")
    f = sel.MeetingFilter(
        box=box, q=request.GET.get("q", "").strip()[:50], kind=kind if kind in MeetingKind.values else ""
    )
    page = Paginator(sel.meetings_for(user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = sel.box_counts(user)
    q = request.GET.copy()
    q.pop("page", None)
    return render(
        request,
        "meetings/scheduling/index.html",
        {
            "page": page,
            "f": f,
            "boxes": [(k, label, counts.get(k, 0)) for k, label in sel.BOXES],
            "kinds": MeetingKind.choices,
            "to_confirm": list(sel.units_to_confirm(user)[:20]),
            "organiser": sel.is_organiser(user),
            "query": q.urlencode(),
            "now": timezone.now(),
        },
    )


# --- the meeting form ----------------------------------------------------------------------------
def _label(users: list[User], county_id: int) -> list[tuple[int, str]]:
    posts: dict[int, str] = {}
    for uid, short, name, title in (
        Post.objects.filter(user_id__in=[u.pk for u in users], county_id=county_id)
        .order_by("-is_primary", "sort", "id")
        .values_list("user_id", "unit__short_name", "unit__name", "title")
    ):
        posts.setdefault(uid, f"{short or name} {title}".strip())
    return [(u.pk, f"{u.full_name}（{posts[u.pk]}）" if posts.get(u.pk) else u.full_name) for u in users]


def _county_id(user: User, meeting: Meeting | None) -> int:
    if meeting is not None:
        return meeting.county_id
    ids = sorted(sel.county_ids_of(user))
    if not ids:
        raise PermissionDenied("meetings.not_organiser", _("只有会务管理员可以安排会议。"))
    return ids[0]


def _form_context(user: User, meeting: Meeting | None) -> dict[str, Any]:
    cid = _county_id(user, meeting)
    host_units = sel.organiser_units(user)
    if meeting is not None and meeting.host_unit not in host_units:
        host_units.insert(0, meeting.host_unit)
    leaders = sel.county_leaders(cid)
    chairs = sel.presenters_choices(cid)
    if meeting is not None and meeting.chair not in chairs:
        chairs.append(meeting.chair)
    venues = sel.venues_of_county(cid)
    return {
        "county_id": cid,
        "host_units": [(u.pk, u.name) for u in host_units],
        "chairs": _label(chairs, cid),
        "venues": [
            (
                v.pk,
                _("%(name)s（%(n)d 座%(video)s）")
                % {"name": v.name, "n": v.capacity, "video": _("，视频") if v.has_video else ""},
            )
            for v in venues
        ],
        "leaders": _label(leaders, cid),
        "presenters": _label(chairs, cid),
        "units": sel.invitable_units(cid),
    }


def _unit_groups(units: list[Unit], chosen: dict[int, int]) -> list[tuple[str, list[dict[str, Any]]]]:
    labels = dict(UnitKind.choices)
    groups: dict[str, list[dict[str, Any]]] = {}
    for u in units:
        groups.setdefault(u.kind, []).append(
            {
                "unit": u,
                "checked": u.pk in chosen,
                "seats": chosen.get(u.pk, 2 if u.kind == "township" else 1),
            }
        )
    order = ["township", "gov_dept", "party_dept", "public_institution", "vertical_agency", "leading_body"]
    keys = sorted(groups, key=lambda k: order.index(k) if k in order else len(order))
    return [(str(labels.get(k, k)), groups[k]) for k in keys]


def _initial(meeting: Meeting) -> tuple[dict[str, Any], list[dict[str, Any]], dict[int, int]]:
    links = sel.venue_links(meeting)
    main = next((link.venue_id for link in links if link.is_main), None)
    people = list(
        meeting.attendees.filter(invitation__isnull=True, role="participant").values_list(
            "user_id", flat=True
        )
    )
    initial = {
        "title": meeting.title,
        "kind": meeting.kind,
        "host_unit": meeting.host_unit_id,
        "chair": meeting.chair_id,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at),
        "main_venue": main,
        "venues": [link.venue_id for link in links if not link.is_main],
        "people": people,
        "confirm_deadline": timezone.localtime(meeting.confirm_deadline)
        if meeting.confirm_deadline
        else None,
        "late_after_minutes": meeting.late_after_minutes,
        "needs_admission": meeting.needs_admission,
        "summary": meeting.summary,
        "requirements": meeting.requirements,
        "contact_phone": meeting.contact_phone,
    }
    agenda = [
        {
            "title": a.title,
            "presenter": a.presenter_id,
            "presenter_name": a.presenter_name,
            "minutes": a.minutes,
        }
        for a in meeting.agenda.order_by("order", "id")
    ]
    chosen = dict(meeting.invitations.values_list("unit_id", "seats"))
    return initial, agenda, chosen


def _chosen_units(post: Any) -> dict[int, Any]:
    chosen: dict[int, Any] = {}
    for raw in post.getlist("inv"):
        if str(raw).isdigit():
            chosen[int(raw)] = post.get(f"seats_{raw}", "1").strip()
    return chosen


def _meeting_form(request: HttpRequest, meeting: Meeting | None) -> HttpResponse:
    user = _user(request)
    ctx = _form_context(user, meeting)
    choices = {k: ctx[k] for k in ("host_units", "chairs", "venues", "leaders")}
    warnings: list[scheduling.Clash] = []
    status = 200
    if request.method == "POST":
        post = request.POST.copy()
        add_rows = "add_agenda" in post
        if add_rows:
            try:
                total = int(post.get("agenda-TOTAL_FORMS", "0"))
            except ValueError:
                total = 0
            post["agenda-TOTAL_FORMS"] = str(min(total + AGENDA_STEP, scheduling.MAX_AGENDA))
        form = MeetingForm(post, **choices)
        agenda = AgendaFormSet(post, prefix="agenda", form_kwargs={"presenters": ctx["presenters"]})
        chosen = _chosen_units(post)
        if not add_rows and form.is_valid() and agenda.is_valid():
            cd = form.cleaned_data
            data = {
                "title": cd["title"],
                "kind": cd["kind"],
                "host_unit_id": cd["host_unit"],
                "chair_id": cd["chair"],
                "starts_at": cd["starts_at"],
                "ends_at": cd["ends_at"],
                "main_venue_id": cd["main_venue"],
                "venue_ids": cd["venues"],
                "people": cd["people"],
                "confirm_deadline": cd["confirm_deadline"],
                "late_after_minutes": cd["late_after_minutes"] or 0,
                "needs_admission": cd["needs_admission"],
                "summary": cd["summary"],
                "requirements": cd["requirements"],
                "contact_phone": cd["contact_phone"],
                "force": cd["force"],
                "agenda": [
                    {
                        "title": row.get("title", ""),
                        "presenter_id": row.get("presenter"),
                        "presenter_name": row.get("presenter_name", ""),
                        "minutes": row.get("minutes") or 0,
                    }
                    for row in agenda.cleaned_data
                    if row.get("title")
                ],
                "invitations": [{"unit_id": uid, "seats": seats} for uid, seats in chosen.items()],
            }
            try:
                if meeting is None:
                    saved = scheduling.meeting_create(actor=user, data=data, request=request)
                    messages.success(request, _("会议已保存为草稿。核对无误后请点击“发送会议通知”。"))
                else:
                    saved = scheduling.meeting_update(meeting=meeting, actor=user, data=data, request=request)
                    messages.success(request, _("会议已修改。"))
                return redirect("meetings:detail", pk=saved.pk)
            except scheduling.ClashWarning as exc:
                warnings = exc.warnings
                form.add_error(None, str(exc.message))
            except PermissionDenied:
                raise
            except TongbanError as exc:
                target = {
                    "host_unit_id": "host_unit",
                    "chair_id": "chair",
                    "main_venue_id": "main_venue",
                    "venue_ids": "venues",
                }.get(exc.field or "", exc.field)
                if target in form.fields:
                    form.add_error(target, str(exc.message))
                else:
                    form.add_error(None, str(exc.message))
            status = 400
        elif not add_rows:
            status = 400
    else:
        if meeting is not None:
            initial, rows, chosen = _initial(meeting)
        else:
            start = (timezone.localtime() + timedelta(days=1)).replace(
                hour=9, minute=0, second=0, microsecond=0
            )
            hosts = ctx["host_units"]
            initial = {
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "confirm_deadline": start - timedelta(hours=3),
                "kind": MeetingKind.VIDEO,
                "host_unit": hosts[0][0] if hosts else None,
                "late_after_minutes": 5,
            }
            rows, chosen = [], {}
        form = MeetingForm(initial=initial, **choices)
        agenda = AgendaFormSet(
            initial=rows + [{}] * AGENDA_STEP if len(rows) < scheduling.MAX_AGENDA else rows,
            prefix="agenda",
            form_kwargs={"presenters": ctx["presenters"]},
        )
        agenda.extra = 0
    return render(
        request,
        "meetings/scheduling/form.html",
        {
            "meeting": meeting,
            "form": form,
            "agenda": agenda,
            "unit_groups": _unit_groups(ctx["units"], chosen),
            "warnings": warnings,
            "max_agenda": scheduling.MAX_AGENDA,
        },
        status=status,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not sel.is_organiser(_user(request)):
        raise PermissionDenied("meetings.not_organiser", _("只有会务管理员可以安排会议。"))
    return _meeting_form(request, None)


@staff_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = access.get_meeting_for(user, pk)
    access.require_manage(user, meeting)
    if meeting.status not in scheduling.EDITABLE:
        messages.error(
            request, _("会议当前状态为“%(status)s”，不能修改。") % {"status": meeting.get_status_display()}
        )
        return redirect("meetings:detail", pk=meeting.pk)
    return _meeting_form(request, meeting)


# --- the meeting page ----------------------------------------------------------------------------
def _detail(request: HttpRequest, meeting: Meeting, status: int = 200, **forms: Any) -> HttpResponse:
    user = _user(request)
    manage = access.can_manage(user, meeting)
    agenda = sel.agenda_of(meeting)
    materials = list(meeting.materials.select_related("agenda_item").order_by("id"))
    rows = sel.confirmation_rows(meeting) if manage else []
    now = timezone.now()
    ctx = {
        "meeting": meeting,
        "tab": "detail",
        "manage": manage,
        "venue_links": sel.venue_links(meeting),
        "agenda": agenda,
        "materials": materials,
        "loose_materials": [m for m in materials if m.agenda_item_id is None],
        "named": sel.named_attendees(meeting),
        "rows": rows,
        "totals": sel.confirmation_totals(rows) if manage else {},
        "invitations": list(meeting.invitations.select_related("unit").order_by("unit__sort", "id")),
        "mine": sel.my_invitations(user, meeting),
        "me": access.attendee_of(user, meeting),
        "can_edit": manage and meeting.status in scheduling.EDITABLE and meeting.starts_at > now,
        "can_notify": manage and meeting.status == MeetingStatus.DRAFT and meeting.starts_at > now,
        "can_cancel": manage and meeting.status in (MeetingStatus.DRAFT, MeetingStatus.NOTIFIED),
        "confirm_open": meeting.status == MeetingStatus.NOTIFIED and meeting.starts_at > now,
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
        "material_form": forms.get("material_form")
        or MaterialForm(prefix="material", items=[(a.pk, f"{a.order}. {a.title}") for a in agenda]),
        "max_mb": scheduling.material_max_bytes() // (1024 * 1024),
        "material_types": "、".join(scheduling.MATERIAL_TYPES),
        "events": list(meeting.events.select_related("actor").order_by("-at", "-id")[:30]) if manage else [],
    }
    return render(request, "meetings/scheduling/detail.html", ctx, status=status)


@staff_view
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_meeting_for(_user(request), pk))


@staff_view
@require_POST
def notify(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = access.get_meeting_for(user, pk)
    access.require_manage(user, meeting)
    try:
        n = scheduling.meeting_notify(meeting=meeting, actor=user, request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("会议通知已发送（%(n)d 条）。") % {"n": n})
    return redirect("meetings:detail", pk=meeting.pk)


@staff_view
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = access.get_meeting_for(user, pk)
    access.require_manage(user, meeting)
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            scheduling.meeting_cancel(
                meeting=meeting, actor=user, reason=form.cleaned_data["reason"], request=request
            )
        except PermissionDenied:
            raise
        except TongbanError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("会议已取消，已通知参会人员。"))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, status=400, cancel_form=form)


# --- materials -----------------------------------------------------------------------------------
@staff_view
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = access.get_meeting_for(user, pk)
    access.require_manage(user, meeting)
    items = [(a.pk, a.title) for a in meeting.agenda.all()]
    form = MaterialForm(request.POST, request.FILES, prefix="material", items=items)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            scheduling.material_add(
                meeting=meeting,
                actor=user,
                file=f,
                name=f.name,
                agenda_item_id=form.cleaned_data["agenda_item"],
                request=request,
            )
        except PermissionDenied:
            raise
        except TongbanError as exc:
            form.add_error("file", str(exc.message))
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, status=400, material_form=form)


def _material(user: User, pk: int, material_id: int) -> tuple[Meeting, MeetingMaterial]:
    meeting = access.get_meeting_for(user, pk)
    m = MeetingMaterial.objects.filter(meeting=meeting, pk=material_id).first()
    if m is None:
        raise NotFound("meetings.material_not_found", _("材料不存在。"))
    return meeting, m


@staff_view
@require_GET
def material(request: HttpRequest, pk: int, material_id: int) -> HttpResponseBase:
    """Download a material: only people who may see the meeting (invitees, confirmers, managers)."""
    user = _user(request)
    meeting, m = _material(user, pk, material_id)
    audit.record(
        "meetings.material_downloaded", actor=user, request=request, obj=meeting, new={"name": m.name}
    )
    response = FileResponse(
        m.file.open("rb"),
        as_attachment=True,
        filename=m.name,
        content_type=scheduling.material_content_type(m),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view
@require_POST
def material_delete(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    user = _user(request)
    meeting, m = _material(user, pk, material_id)
    scheduling.material_delete(material=m, actor=user, request=request)
    messages.success(request, _("材料已删除。"))
    return redirect("meetings:detail", pk=meeting.pk)


# --- 参会回执 ------------------------------------------------------------------------------------
def _confirm_people(inv: Invitation) -> list[dict[str, Any]]:
    current = {a.user_id: a for a in inv.attendees.all()}
    titles: dict[int, str] = {}
    for uid, title in Post.objects.filter(unit=inv.unit).values_list("user_id", "title"):
        titles.setdefault(uid, title)
    return [
        {
            "user": u,
            "title": titles.get(u.pk, ""),
            "reply": current[u.pk].reply if u.pk in current else "",
            "leave_reason": current[u.pk].leave_reason if u.pk in current else "",
            "signed_in": bool(current[u.pk].signed_in_at) if u.pk in current else False,
        }
        for u in scheduling.unit_staff(inv.unit)
    ]


@staff_view
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    user = _user(request)
    meeting = access.get_meeting_for(user, pk)
    inv = scheduling.get_invitation_for(user, meeting, invitation_pk)
    access.require_confirm(user, inv)
    error = ""
    status = 200
    people = _confirm_people(inv)
    note = inv.note
    if request.method == "POST":
        rows = []
        for p in people:
            uid = p["user"].pk
            reply = request.POST.get(f"reply_{uid}", "")
            reason = request.POST.get(f"reason_{uid}", "").strip()
            p["reply"], p["leave_reason"] = reply, reason
            if reply:
                rows.append({"user_id": uid, "reply": reply, "leave_reason": reason})
        note = request.POST.get("note", "").strip()
        try:
            scheduling.invitation_confirm(invitation=inv, actor=user, people=rows, note=note, request=request)
        except PermissionDenied:
            raise
        except TongbanError as exc:
            error = str(exc.message)
            status = 400
        else:
            messages.success(request, _("参会回执已提交。"))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/scheduling/confirm.html",
        {
            "meeting": meeting,
            "inv": inv,
            "people": people,
            "note": note,
            "error": error,
            "reply_choices": REPLY_CHOICES,
            "venue_text": scheduling.venue_text(meeting),
            "open": meeting.status == MeetingStatus.NOTIFIED and meeting.starts_at > timezone.now(),
            "attending": sum(1 for p in people if p["reply"] == Reply.ATTEND),
        },
        status=status,
    )


# --- the confirmation table ----------------------------------------------------------------------
def _xlsx(meeting: Meeting, rows: list[sel.ConfirmationRow]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(_("参会回执")))
    ws.append([meeting.title])
    ws.append(
        [
            str(_("参会单位")),
            str(_("名额")),
            str(_("回执状态")),
            str(_("参会人员")),
            str(_("请假人员及事由")),
            str(_("回执人")),
            str(_("回执时间")),
            str(_("催报次数")),
            str(_("说明")),
        ]
    )

    def cell(value: str) -> str:
        return "'" + value if value[:1] in ("=", "+", "-", "@") else value

    for r in rows:
        ws.append(
            [
                cell(r.unit.name),
                r.seats,
                r.status_label,
                cell("、".join(a.user.full_name for a in r.attending)),
                cell("；".join(f"{a.user.full_name}（{a.leave_reason}）" for a in r.leaving)),
                cell(r.confirmed_by),
                timezone.localtime(r.confirmed_at).strftime("%Y-%m-%d %H:%M") if r.confirmed_at else "",
                r.reminders_sent,
                cell(r.note),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-confirmations.xlsx"'
    return response


@staff_view
@require_GET
def confirmations(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = access.get_meeting_for(user, pk)
    if not (access.can_manage(user, meeting) or meeting.chair_id == user.pk):
        raise PermissionDenied("meetings.not_organiser", _("只有会议的会务人员或主持人可以查看回执汇总。"))
    rows = sel.confirmation_rows(meeting)
    if request.GET.get("format") == "xlsx":
        audit.record("meetings.confirmations_exported", actor=user, request=request, obj=meeting)
        return _xlsx(meeting, rows)
    return render(
        request,
        "meetings/scheduling/confirmations.html",
        {"meeting": meeting, "tab": "confirmations", "rows": rows, "totals": sel.confirmation_totals(rows)},
    )


# --- 会场管理 ------------------------------------------------------------------------------------
def _venue_form(user: User, county_id: int, *args: Any, **kwargs: Any) -> VenueForm:
    units = [(u.pk, u.name) for u in sel.organiser_units(user)]
    terminals = [(u.pk, f"{u.full_name}（{u.username}）") for u in sel.terminal_choices(county_id)]
    return VenueForm(*args, units=units, terminals=terminals, **kwargs)


def _venue_data(cd: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": cd["name"],
        "unit_id": cd["unit"],
        "address": cd["address"],
        "capacity": cd["capacity"],
        "has_video": cd["has_video"],
        "terminal_id": cd["terminal"],
        "sort": cd["sort"] or 0,
        "is_active": cd["is_active"],
    }


@staff_view
@require_http_methods(["GET", "POST"])
def venues(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sel.is_organiser(user):
        raise PermissionDenied("meetings.not_organiser", _("只有会务管理员可以管理会场。"))
    cid = _county_id(user, None)
    form = _venue_form(user, cid, initial={"is_active": True, "capacity": 0})
    status = 200
    if request.method == "POST":
        form = _venue_form(user, cid, request.POST)
        if form.is_valid():
            try:
                scheduling.venue_save(actor=user, data=_venue_data(form.cleaned_data), request=request)
            except PermissionDenied:
                raise
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("会场已添加。"))
                return redirect("meetings:venues")
        status = 400
    managed = set(sel.venues_managed_by(user).values_list("pk", flat=True))
    rows = Venue.objects.filter(county_id=cid).select_related("unit", "terminal").order_by("sort", "id")
    return render(
        request,
        "meetings/scheduling/venues.html",
        {"venues": rows, "managed": managed, "form": form},
        status=status,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, venue_id: int) -> HttpResponse:
    user = _user(request)
    venue = sel.venues_managed_by(user).filter(pk=venue_id).first()
    if venue is None:
        raise NotFound("meetings.venue_not_found", _("会场不存在或您无权管理。"))
    status = 200
    if request.method == "POST":
        form = _venue_form(user, venue.county_id, request.POST)
        if form.is_valid():
            try:
                scheduling.venue_save(
                    actor=user, venue=venue, data=_venue_data(form.cleaned_data), request=request
                )
            except PermissionDenied:
                raise
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("会场已保存。"))
                return redirect("meetings:venues")
        status = 400
    else:
        form = _venue_form(
            user,
            venue.county_id,
            initial={
                "name": venue.name,
                "unit": venue.unit_id,
                "address": venue.address,
                "capacity": venue.capacity,
                "has_video": venue.has_video,
                "terminal": venue.terminal_id,
                "sort": venue.sort,
                "is_active": venue.is_active,
            },
        )
    return render(
        request, "meetings/scheduling/venue_form.html", {"venue": venue, "form": form}, status=status
    )
