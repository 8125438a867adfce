"""Pages of the leaders' schedules (/schedules/): the leaders a user may see, a leader's week
(‹ 上一周 · 本周 · 下一周 ›), the entry form, and the county's 领导周活动安排 (printable, XLSX, PDF)
with 发布到门户网站 for the schedule clerk. Thin: load through the selectors, call one service."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.meetings import schedules
from tongban.meetings import schedules_selectors as sel
from tongban.meetings.forms_schedules import EntryForm, PublishForm, VisibilityForm
from tongban.meetings.models import SchedulePublication, ScheduleVisibility
from tongban.orgs.models import County

WEEK = timedelta(days=7)


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


def _week_url(name: str, week: date, **kwargs: Any) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?week={week.isoformat()}"


@staff_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """A leader sees the own week; secretaries and clerks the leaders they serve."""
    user = request.user
    leaders = sel.leaders_for(user)
    if not leaders:
        raise PermissionDenied("schedules.no_access", _("您没有查看领导日程的权限。"))
    week = sel.parse_week(request.GET.get("week"))
    mine = any(ldr.pk == user.pk for ldr in leaders)
    served = [ldr for ldr in leaders if sel.can_keep(user, ldr.user)]
    if mine and len(served) == 1 and not request.GET.get("all"):
        return redirect(_week_url("schedules:leader", week, user_id=user.pk))
    weeks = [
        (ldr, sel.week_of(ldr.user, week, visibilities=sel.visibilities_for(user, ldr.user)))
        for ldr in leaders
    ]
    return render(
        request,
        "meetings/schedules/index.html",
        {
            "weeks": weeks,
            "week": week,
            "week_label": sel.week_label(week),
            "prev": week - WEEK,
            "next": week + WEEK,
            "this_week": sel.this_week(),
            "counties": sel.counties_for(user),
            "keeps": {ldr.pk for ldr in served},
            "extra": "&all=1" if request.GET.get("all") else "",
        },
    )


@staff_view
@require_GET
def leader(request: HttpRequest, user_id: int) -> HttpResponse:
    ldr = sel.get_leader_for(request.user, user_id)
    week = sel.week_of(
        ldr, sel.parse_week(request.GET.get("week")), visibilities=sel.visibilities_for(request.user, ldr)
    )
    title = sel.leader_title(ldr)
    return render(
        request,
        "meetings/schedules/leader.html",
        {
            "leader": ldr,
            "leader_title": title,
            "week": week,
            "this_week": sel.this_week(),
            "can_keep": sel.can_keep(request.user, ldr),
            "visibility_labels": dict(ScheduleVisibility.choices),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, user_id: int) -> HttpResponse:
    ldr = sel.get_leader_for(request.user, user_id)
    schedules.require_keep(request.user, ldr)
    week = sel.parse_week(request.GET.get("week"))
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                saved = schedules.entry_create(
                    actor=request.user, leader=ldr, data=form.values(), request=request
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("日程已保存。"))
                if saved.warning:
                    messages.warning(request, saved.warning)
                start = sel.monday_of(saved.entry.starts_at.date())
                return redirect(_week_url("schedules:leader", start, user_id=ldr.pk))
        status = 400
    else:
        day = _date_or(request.GET.get("day", ""), week)
        form = EntryForm(initial={"visibility": ScheduleVisibility.INTERNAL, "day": day})
        status = 200
    return render(
        request,
        "meetings/schedules/entry_form.html",
        {"form": form, "leader": ldr, "entry": None, "week": week},
        status=status,
    )


def _date_or(value: str, fallback: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return fallback


@staff_view
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = sel.get_entry_for(request.user, pk)
    schedules.require_keep(request.user, entry.leader)
    form_class: type[EntryForm] | type[VisibilityForm] = VisibilityForm if entry.meeting_id else EntryForm
    week = sel.monday_of(entry.starts_at.date())
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                saved = schedules.entry_update(
                    actor=request.user, entry=entry, data=form.values(), request=request
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("日程已保存。"))
                if saved.warning:
                    messages.warning(request, saved.warning)
                week = sel.monday_of(saved.entry.starts_at.date())
                return redirect(_week_url("schedules:leader", week, user_id=entry.leader_id))
        status = 400
    else:
        initial = (
            EntryForm.initial_for(entry) if form_class is EntryForm else {"visibility": entry.visibility}
        )
        form = form_class(initial=initial)
        status = 200
    return render(
        request,
        "meetings/schedules/entry_form.html",
        {"form": form, "leader": entry.leader, "entry": entry, "week": week},
        status=status,
    )


@staff_view
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = sel.get_entry_for(request.user, pk)
    week = sel.monday_of(entry.starts_at.date())
    leader_id = entry.leader_id
    try:
        schedules.entry_delete(actor=request.user, entry=entry, request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("日程已删除。"))
    return redirect(_week_url("schedules:leader", week, user_id=leader_id))


# --- the county's week ---------------------------------------------------------------------------


def _county_for(user: Any, value: Any) -> County:
    counties = sel.counties_for(user)
    if not counties:
        raise PermissionDenied("schedules.no_access", _("您没有查看领导周活动安排的权限。"))
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return counties[0]
    county = next((c for c in counties if c.pk == pk), None)
    if county is None:
        raise NotFound("schedules.county_not_found", _("县不存在或您无权查看。"))
    return county


@staff_view
@require_GET
def county(request: HttpRequest) -> HttpResponse:
    c = _county_for(request.user, request.GET.get("county"))
    if not sel.can_view_county(request.user, c):
        raise PermissionDenied("schedules.no_access", _("您没有查看领导周活动安排的权限。"))
    week = sel.parse_week(request.GET.get("week"))
    table = sel.county_week(c, week)
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        audit.record(
            "schedules.county_exported",
            actor=request.user,
            request=request,
            new={"week": week.isoformat(), "format": "xlsx"},
        )
        return _xlsx(table, week)
    if fmt == "pdf":
        audit.record(
            "schedules.county_exported",
            actor=request.user,
            request=request,
            new={"week": week.isoformat(), "format": "pdf"},
        )
        return _pdf(table, week)
    publication = SchedulePublication.objects.filter(county=c, week_start=week).first()
    return render(
        request,
        "meetings/schedules/county.html",
        {
            "table": table,
            "county": c,
            "week": week,
            "prev": week - WEEK,
            "next": week + WEEK,
            "this_week": sel.this_week(),
            "can_publish": sel.is_schedule_clerk(request.user, c.pk),
            "publication": publication,
            "publish_form": PublishForm(initial={"week": week}),
        },
    )


def _cell_text(items: list[dict[str, Any]]) -> str:
    lines = []
    for i in items:
        when = _("（续）") if i.get("continued") else i.get("time", "")
        if i.get("evening") and when:
            when = _("晚上%(time)s") % {"time": when}
        place = _("（%(place)s）") % {"place": i["place"]} if i.get("place") else ""
        lines.append(_safe_cell(f"{when} {i['title']}{place}".strip()))
    return "\n".join(lines)


def _safe_cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (XLSX injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _xlsx(table: dict[str, Any], week: date) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("领导周活动安排"))
    ws.append([table["title"]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=16)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(
        [
            str(_("领导")),
            str(_("职务")),
            *[x for d in table["days"] for x in (f"{d['label']} {d['date'][5:]}", "")],
        ]
    )
    ws.append(["", "", *[str(s) for _d in table["days"] for s in (_("上午"), _("下午"))]])
    for i in range(7):
        ws.merge_cells(start_row=2, start_column=3 + 2 * i, end_row=2, end_column=4 + 2 * i)
    for row in table["rows"]:
        ws.append(
            [
                _safe_cell(row["name"]),
                _safe_cell(row["title"]),
                *[_cell_text(c[k]) for c in row["cells"] for k in (sel.AM, sel.PM)],
            ]
        )
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.alignment = wrap
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 14
    for col in range(3, 17):
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="leaders-week-{week:%Y%m%d}.xlsx"'
    return response


def _pdf(table: dict[str, Any], week: date) -> HttpResponse:
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - WeasyPrint is a dependency; a broken install says so
        raise TongbanError("schedules.no_pdf", _("服务器未安装 PDF 组件，请使用浏览器打印。")) from None
    html = render_to_string("meetings/schedules/county_print.html", {"table": table})
    response = HttpResponse(bytes(HTML(string=html).write_pdf()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="leaders-week-{week:%Y%m%d}.pdf"'
    return response


@staff_view
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    c = _county_for(request.user, request.POST.get("county"))
    schedules.require_publish(request.user, c)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要发布的周。"))
        return redirect("schedules:county")
    week = sel.monday_of(form.cleaned_data["week"])
    try:
        pub = schedules.publish_week(county=c, week_start=week, actor=request.user)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("已发布到门户网站“县领导”栏目：%(title)s（公开日程 %(n)d 项）。")
            % {"title": pub.table.get("title", ""), "n": sel.entry_count(pub.table)},
        )
    return redirect(_week_url("schedules:county", week))
