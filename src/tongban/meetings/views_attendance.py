"""Sign-in and attendance pages of a meeting (/meetings/<pk>/signin/..., /meetings/<pk>/attendance/):

- ``qr``: the venue screen (organisers): title, time, a big QR code and the live count;
- ``signin``: the phone page the QR code opens (login first, then one big button);
- ``console``: the organisers' table (search, sign in, leave with reason, undo); an invited unit's
  confirmer sees their own unit's people and may register leave;
- ``report``: the attendance report per unit with a chart, and ``?format=xlsx``.

Thin: load through ``access``, call one service of ``attendance``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import Template
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.meetings import access
from tongban.meetings import attendance as att
from tongban.meetings.forms_attendance import ConsoleFilter, ReasonForm
from tongban.meetings.models import Attendee, AttendeeRole, Meeting


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; NotFound → 404 and PermissionDenied → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _tabs() -> Template | Any:
    """The meeting's tab bar (owned by the scheduling part), or nothing until it exists."""
    return select_template(["meetings/_meeting_tabs.html", "meetings/attendance/_no_tabs.html"])


def _ctx(meeting: Meeting, **extra: Any) -> dict[str, Any]:
    return {"meeting": meeting, "tab": "attendance", "tabs_template": _tabs(), **extra}


def _confirmer_units(user: Any, meeting: Meeting) -> set[int]:
    invited = set(meeting.invitations.values_list("unit_id", flat=True))
    return access.confirmer_unit_ids(user) & invited


# --- the venue screen -------------------------------------------------------------------------
@staff_view
@require_GET
def qr(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    access.require_manage(request.user, meeting)
    url = att.signin_url(meeting)
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, title=_("签到二维码"))
    return render(
        request,
        "meetings/attendance/qr.html",
        _ctx(
            meeting,
            url=url,
            qr_svg=svg,
            counts=att.live_counts(meeting),
            opens_at=att.opens_at(meeting),
            late_after=att.late_after(meeting),
        ),
    )


@staff_view
@require_POST
def rotate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    att.rotate_key(meeting, request.user)
    messages.success(request, _("已更换签到码，此前展示或打印的签到码全部失效。"))
    return redirect("meetings_attendance:qr", pk=meeting.pk)


@staff_view
@require_GET
@never_cache
def count(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    access.require_manage(request.user, meeting)
    return JsonResponse(att.live_counts(meeting))


# --- the phone page ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    meeting = Meeting.objects.filter(pk=pk).select_related("host_unit").first()
    if meeting is None or (
        not att.token_valid(meeting, token) and not access.can_view(request.user, meeting)
    ):
        raise Http404(_("签到码无效。"))
    state, message, attendee = "ready", "", None
    status = 200
    try:
        if request.method == "POST":
            result = att.sign_in_qr(meeting=meeting, user=request.user, token=token)
            attendee = result.attendee
            state = "already" if result.already else "done"
            message = result.message
        else:
            attendee = att.check_qr(meeting=meeting, user=request.user, token=token)
            if attendee is not None and attendee.signed_in_at is not None:
                state = "already"
                message = _("您已于 %(at)s 签到。") % {"at": att.hm(attendee.signed_in_at)}
    except TongbanError as exc:
        state, message = "refused", str(exc.message)
        status = exc.status if request.method == "POST" else 200
    return render(
        request,
        "meetings/attendance/signin.html",
        {
            "meeting": meeting,
            "state": state,
            "message": message,
            "attendee": attendee,
            "status": att.status_of(attendee, meeting) if attendee and attendee.signed_in_at else "",
            "venue": meeting.venue_links.filter(is_main=True).select_related("venue").first(),
        },
        status=status,
    )


# --- the console ------------------------------------------------------------------------------
def _console_scope(user: Any, meeting: Meeting) -> tuple[bool, set[int]]:
    """(manages the meeting, units whose confirmer the user is); 403 if neither."""
    manage = access.can_manage(user, meeting)
    units = set() if manage else _confirmer_units(user, meeting)
    if not manage and not units:
        raise PermissionDenied("meetings.not_organiser", _("只有会议的会务人员可以进行此操作。"))
    return manage, units


@staff_view
@require_GET
def console(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    manage, units = _console_scope(request.user, meeting)
    f = ConsoleFilter(request.GET or None)
    q, want = "", ""
    if f.is_valid():
        q, want = f.cleaned_data["q"].strip(), f.cleaned_data["status"]
    attendees = att.attendees_of(meeting)
    primary = att.primary_units([a.user_id for a in attendees if a.unit is None and a.invitation is None])
    rows: list[dict[str, Any]] = []
    counts = {k: 0 for k in att.STATUS_LABELS}
    for a in attendees:
        if a.role == AttendeeRole.TERMINAL:
            continue
        unit = att.unit_of(a, primary)
        if not manage and (a.unit_id is None or a.unit_id not in units):
            continue
        status = att.status_of(a, meeting)
        counts[status] += 1
        name = att.person_name(a)
        if q and q not in name and (unit is None or (q not in unit.name and q not in unit.short_name)):
            continue
        if want and status != want:
            continue
        rows.append(
            {
                "a": a,
                "name": name,
                "unit": unit,
                "status": status,
                "status_label": att.status_label(status),
                "method": att.method_label(a.sign_method),
                "can_leave": a.signed_in_at is None and att.can_mark_leave(request.user, meeting, a),
            }
        )
    rows.sort(key=lambda r: (r["unit"] is None, r["unit"].sort if r["unit"] else 0, r["a"].pk))
    return render(
        request,
        "meetings/attendance/console.html",
        _ctx(
            meeting,
            rows=rows,
            f=f,
            manage=manage,
            counts=counts,
            labels=att.STATUS_LABELS,
            total=sum(counts.values()),
            query=request.GET.urlencode(),
            opens_at=att.opens_at(meeting),
            is_open=timezone.now() >= att.opens_at(meeting),
        ),
    )


def _attendee(meeting: Meeting, attendee_id: int) -> Attendee:
    a = Attendee.objects.filter(meeting=meeting, pk=attendee_id).select_related("user", "unit").first()
    if a is None:
        raise NotFound("meetings.attendee_not_found", _("参会人员不存在。"))
    return a


def _back(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    url = reverse("meetings_attendance:console", kwargs={"pk": meeting.pk})
    query = request.POST.get("query", "")
    return redirect(f"{url}?{query}" if query and len(query) < 200 else url)


def _act(request: HttpRequest, pk: int, attendee_id: int, action: str) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    a = _attendee(meeting, attendee_id)
    name = att.person_name(a)
    try:
        if action == "signin":
            att.sign_in_by_organiser(meeting=meeting, attendee=a, actor=request.user)
            messages.success(request, _("已为 %(name)s 代签到。") % {"name": name})
        else:
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
            if action == "leave":
                att.mark_leave(meeting=meeting, attendee=a, actor=request.user, reason=reason)
                messages.success(request, _("已登记 %(name)s 请假。") % {"name": name})
            else:
                att.undo_sign_in(meeting=meeting, attendee=a, actor=request.user, reason=reason)
                messages.success(request, _("已撤销 %(name)s 的签到。") % {"name": name})
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    return _back(request, meeting)


@staff_view
@require_POST
def attendee_signin(request: HttpRequest, pk: int, attendee_id: int) -> HttpResponse:
    return _act(request, pk, attendee_id, "signin")


@staff_view
@require_POST
def attendee_leave(request: HttpRequest, pk: int, attendee_id: int) -> HttpResponse:
    return _act(request, pk, attendee_id, "leave")


@staff_view
@require_POST
def attendee_undo(request: HttpRequest, pk: int, attendee_id: int) -> HttpResponse:
    return _act(request, pk, attendee_id, "undo")


# --- the report -------------------------------------------------------------------------------
@staff_view
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    try:
        rep = att.report_for(request.user, meeting)
    except PermissionDenied:
        if request.GET.get("format") == "xlsx":
            raise
        # a participant sees their own sign-in, not the others'
        mine = access.attendee_of(request.user, meeting)
        return render(
            request,
            "meetings/attendance/mine.html",
            _ctx(
                meeting,
                mine=mine,
                status=att.status_of(mine, meeting) if mine else "",
                status_label=att.status_label(att.status_of(mine, meeting)) if mine else "",
                method=att.method_label(mine.sign_method) if mine else "",
            ),
        )
    if request.GET.get("format") == "xlsx":
        data = att.export_xlsx(rep)
        audit.record("meetings.attendance_exported", request=request, obj=meeting)
        resp = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"attendance-{meeting.pk}-{timezone.localtime(meeting.starts_at):%Y%m%d}.xlsx"
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp
    chart = {
        "units": [r.name for r in rep.rows if r.expected],
        "series": [
            {
                "key": key,
                "name": att.status_label(att.EXPECTED if key == "waiting" else key),
                "data": [len(getattr(r, key)) for r in rep.rows if r.expected],
            }
            for key in ("present", "late", "leave", "absent", "waiting")
        ],
        "empty": _("暂无参会人员。"),
    }
    return render(
        request,
        "meetings/attendance/report.html",
        _ctx(
            meeting,
            rep=rep,
            chart=chart,
            manage=access.can_manage(request.user, meeting),
            xlsx_url=reverse("meetings_attendance:report", kwargs={"pk": meeting.pk})
            + "?"
            + urlencode({"format": "xlsx"}),
        ),
    )
