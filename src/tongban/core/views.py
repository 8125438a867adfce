from __future__ import annotations

import calendar as pycal
import csv
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tongban.core import audit, audit_units, schedule, selectors, services
from tongban.core import calendar as workcal
from tongban.core import home as home_panels
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.forms import AuditFilterForm, CalendarOverrideForm, CalendarRemoveForm
from tongban.core.permissions import admin_role_required


@login_required
def home(request: HttpRequest) -> HttpResponse:
    missing_years: list[int] = []
    if getattr(request.user, "admin_role", "") == "system":
        missing_years = workcal.years_missing_schedule()
    return render(
        request,
        "core/home.html",
        {"panels": home_panels.render_panels(request), "missing_years": missing_years},
    )


@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Toggle the 适老化 large-text mode (a cookie, so it works before login too)."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    on = request.COOKIES.get("tb_large_text") != "1"
    response.set_cookie("tb_large_text", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


# --- working-day calendar ----------------------------------------------------------------------

KIND_LABELS = {
    "workday": "",
    "weekend": pgettext_lazy("calendar day mark", "休"),
    "holiday": pgettext_lazy("calendar day mark", "休"),
    "adjusted_workday": pgettext_lazy("calendar day mark", "班"),
    "override_holiday": pgettext_lazy("calendar day mark", "休"),
    "override_workday": pgettext_lazy("calendar day mark", "班"),
}


@login_required
@require_GET
def calendar_year(request: HttpRequest) -> HttpResponse:
    """The year view: 12 month grids; everyone logged in may look, system administrators edit."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, workcal.FIRST_YEAR), workcal.LAST_YEAR)
    days = {d.date: d for d in workcal.year_days(year)}
    weekday_names = [
        pgettext("weekday", "一"),
        pgettext("weekday", "二"),
        pgettext("weekday", "三"),
        pgettext("weekday", "四"),
        pgettext("weekday", "五"),
        pgettext("weekday", "六"),
        pgettext("weekday", "日"),
    ]
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for d in week:
                info = days.get(d) if d.month == month else None
                cells.append(
                    {
                        "day": d.day if info else "",
                        "iso": d.isoformat(),
                        "kind": info.kind if info else "blank",
                        "mark": str(KIND_LABELS.get(info.kind, "")) if info else "",
                        "name": info.name if info else "",
                        "today": d == today,
                    }
                )
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    is_admin = services.can_edit_calendar(request.user)
    overrides = sorted(workcal.overrides_in([year]).items())
    context = {
        "year": year,
        "prev_year": year - 1 if year > workcal.FIRST_YEAR else None,
        "next_year": year + 1 if year < workcal.LAST_YEAR else None,
        "months": months,
        "weekday_names": weekday_names,
        "known": workcal.year_is_known(year),
        "is_admin": is_admin,
        "missing_years": workcal.years_missing_schedule() if is_admin else [],
        "overrides": [{"date": d, "kind": k, "reason": r} for d, (k, r) in overrides],
        "form": CalendarOverrideForm(initial={"kind": "holiday"}),
    }
    return render(request, "core/calendar_year.html", context)


def _calendar_redirect(day: date | None) -> HttpResponse:
    url = reverse("core:calendar")
    return redirect(f"{url}?year={day.year}" if day else url)


def _require_calendar_admin(request: HttpRequest) -> None:
    if not services.can_edit_calendar(request.user):
        raise DjangoPermissionDenied(_("只有系统管理员可以调整工作日历。"))


@login_required
@require_POST
def calendar_override_set(request: HttpRequest) -> HttpResponse:
    _require_calendar_admin(request)
    form = CalendarOverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _calendar_redirect(None)
    day = form.cleaned_data["date"]
    try:
        services.calendar_override_set(
            actor=request.user,
            day=day,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存 %(d)s 的调整。") % {"d": day.isoformat()})
    return _calendar_redirect(day)


@login_required
@require_POST
def calendar_override_remove(request: HttpRequest) -> HttpResponse:
    _require_calendar_admin(request)
    form = CalendarRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的日期。"))
        return _calendar_redirect(None)
    day = form.cleaned_data["date"]
    try:
        services.calendar_override_remove(actor=request.user, day=day, request=request)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除 %(d)s 的调整。") % {"d": day.isoformat()})
    return _calendar_redirect(day)


# --- audit log (审计管理员 only) ----------------------------------------------------------------


audit_admin_required = admin_role_required("audit")  # only the audit administrator reads the log


@never_cache
@audit_admin_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    unit_choices = audit_units.choices()
    form = AuditFilterForm(
        request.GET or None, unit_choices=unit_choices, event_choices=selectors.audit_events()
    )
    filters = form.cleaned_filters() if form.is_bound and form.is_valid() else {}
    qs = selectors.audit_records(user=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    unit_names = dict(unit_choices)
    rows = [
        {"rec": rec, "unit_name": unit_names.get(rec.unit_id, rec.unit_id or "")} for rec in page.object_list
    ]
    audit.record(
        "audit.viewed", actor=request.user, request=request, new=_filters_for_audit(filters, page.number)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "has_units": bool(unit_choices),
        },
    )


def _filters_for_audit(filters: dict[str, Any], page: int | None = None) -> dict[str, Any]:
    out = {
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v not in (None, "")
    }
    if page is not None:
        out["page"] = page
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


@never_cache
@audit_admin_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    """CSV of the filtered records (UTF-8 with BOM so Excel shows Chinese), itself audited."""
    unit_choices = audit_units.choices()
    form = AuditFilterForm(
        request.GET or None, unit_choices=unit_choices, event_choices=selectors.audit_events()
    )
    if form.is_bound and not form.is_valid():
        messages.error(request, _("筛选条件有误，未导出。"))
        return redirect(reverse("core:audit_log"))
    filters = form.cleaned_filters() if form.is_bound else {}
    qs = selectors.audit_records(user=request.user, **filters)
    last = qs.values_list("seq", flat=True).first()  # newest matching record before this export
    count = qs.count()
    audit.record(
        "audit.exported",
        actor=request.user,
        request=request,
        new={**_filters_for_audit(filters), "rows": count},
    )
    qs = qs.filter(seq__lte=last) if last is not None else qs.none()
    unit_names = dict(unit_choices)
    writer = csv.writer(_Echo())
    header = [
        _("序号"),
        _("时间"),
        _("事件"),
        _("操作人"),
        _("操作人ID"),
        _("IP"),
        _("单位"),
        _("对象类型"),
        _("对象ID"),
        _("对象"),
        _("原值"),
        _("新值"),
        _("说明"),
        _("结果"),
        _("哈希"),
    ]

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for rec in qs.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    csv_cell(v)
                    for v in [
                        rec.seq,
                        timezone.localtime(rec.at).strftime("%Y-%m-%d %H:%M:%S"),
                        rec.event,
                        rec.actor_name,
                        rec.actor_id or "",
                        rec.ip or "",
                        unit_names.get(rec.unit_id, rec.unit_id or "") if rec.unit_id else "",
                        rec.object_type,
                        rec.object_id,
                        rec.object_repr,
                        "" if rec.old is None else _json(rec.old),
                        "" if rec.new is None else _json(rec.new),
                        rec.message,
                        _("成功") if rec.success else _("失败"),
                        rec.hash,
                    ]
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def csv_cell(value: Any) -> Any:
    """Spreadsheet formula injection: a text cell that Excel or WPS would read as a formula (it
    starts with = + - @, a tab or a carriage return) is prefixed with ' so it stays text. Audit
    records hold text typed by anyone — a failed login's user name, a key's name."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- health -------------------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers and the operator (no login; no secrets in it)."""
    body, status = selectors.platform_health()
    return JsonResponse(body, status=status)


@never_cache
@admin_role_required("system")
@require_GET
def system_status(request: HttpRequest) -> HttpResponse:
    """系统状态 for the system administrator: the same health figures as /healthz, plus the task
    queue, the periodic jobs and the processes' hosts."""
    body, _status = selectors.platform_health()
    return render(
        request,
        "core/system_status.html",
        {
            "health": body,
            "beats": selectors.heartbeats(),
            "queue": selectors.task_queue_summary(),
            "jobs": schedule.jobs(),
            "missing_years": workcal.years_missing_schedule(),
        },
    )
