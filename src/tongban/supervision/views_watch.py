"""Pages of electronic supervision (电子监察) for supervisors (监察员): the real-time dashboard,
open cases by light, anomalies, rectification notices (also for the units' heads, who reply to
their own), settings, and running the sweep. Thin: parse, load via selectors/access_*, call one
service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.approvals import clock
from tongban.approvals.handling_selectors import COUNT_CAP, CappedPaginator
from tongban.core import clock as core_clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.supervision import anomalies, rectify, sweep
from tongban.supervision import selectors_watch as sel
from tongban.supervision.forms_watch import (
    AnomalyCloseForm,
    AnomalyFilterForm,
    CaseFilterForm,
    CloseForm,
    RectificationFilterForm,
    RectificationForm,
    ReplyForm,
    SettingsForm,
)
from tongban.supervision.models import RectificationStatus
from tongban.supervision.selectors_watch import LIGHT_COLORS, case_url, dashboard_json

PAGE_SIZE = 30


def _login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only 监察员: anonymous users log in, everyone else gets 403 and nothing runs."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        county = sel.access_supervisor(request.user)
        return view(request, county, *args, **kwargs)

    return _login(wrapped)


def _with_urls(objs: Any, attr: str) -> Any:
    for o in objs:
        o.sv_url = case_url(getattr(o, attr))
    return objs


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _units(county: Any) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in sel.county_units(county)]


def _query(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


@supervisor_required
@require_GET
def dashboard(request: HttpRequest, county: Any) -> HttpResponse:
    data = sel.dashboard(county)
    _with_urls(data["oldest"], "pk")
    _with_urls(data["latest_changes"], "case_id")
    return render(
        request,
        "supervision/watch/dashboard.html",
        {"d": data, "chart": dashboard_json(data), "colors": LIGHT_COLORS},
    )


@supervisor_required
@require_POST
def sweep_run(request: HttpRequest, county: Any) -> HttpResponse:
    r = sweep.sweep_now(actor=_me(request), request=request)
    messages.success(
        request,
        _("巡检完成：%(open)d 件在办，%(changed)d 件灯色变化，发出 %(alerts)d 条提醒，新发现 %(an)d 条异常。")
        % {"open": r.open_cases, "changed": r.changed, "alerts": r.alerts, "an": r.anomalies},
    )
    return redirect("supervision:dashboard")


@supervisor_required
@require_GET
def case_list(request: HttpRequest, county: Any) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, units=_units(county))
    light, unit_id, q = None, None, ""
    if form.is_bound and form.is_valid():
        light = form.cleaned_data["light"] if "light" in request.GET else None
        if light == "":
            light = None
        unit_id, q = form.cleaned_data["unit"], form.cleaned_data["q"]
    cases = sel.open_cases(county, light=light, unit_id=unit_id, q=q, cap=COUNT_CAP + 1)
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_urls(page.object_list, "pk")
    return render(
        request,
        "supervision/watch/cases.html",
        {"form": form, "page": page, "query": _query(request), "today": core_clock.today()},
    )


@supervisor_required
@require_GET
def anomaly_list(request: HttpRequest, county: Any) -> HttpResponse:
    form = AnomalyFilterForm(request.GET or None, units=_units(county))
    kind, unit_id, status = "", None, ""
    if form.is_bound and form.is_valid():
        kind, unit_id, status = (
            form.cleaned_data["kind"],
            form.cleaned_data["unit"],
            form.cleaned_data["status"],
        )
    page = Paginator(
        sel.anomalies_list(county, kind=kind, unit_id=unit_id, status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    _with_urls(page.object_list, "case_id")
    return render(
        request,
        "supervision/watch/anomalies.html",
        {"form": form, "page": page, "query": _query(request), "close_form": AnomalyCloseForm()},
    )


@supervisor_required
@require_POST
def anomaly_close(request: HttpRequest, county: Any, pk: int) -> HttpResponse:
    a = sel.access_anomaly(pk, request.user)
    form = AnomalyCloseForm(request.POST)
    if form.is_valid():
        try:
            anomalies.anomaly_close(
                actor=_me(request), anomaly=a, note=form.cleaned_data["note"], request=request
            )
            messages.success(request, _("已处理该异常。"))
        except TongbanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请填写处理意见。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/supervision/") else "supervision:anomalies")


@_login
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    form = RectificationFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    qs = sel.rectifications_for(request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/watch/rectifications.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "is_supervisor": sel.is_supervisor(request.user),
        },
    )


@supervisor_required
@require_http_methods(["GET", "POST"])
def rectification_new(request: HttpRequest, county: Any) -> HttpResponse:
    form = RectificationForm(request.POST or None, units=_units(county), initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = sel.county_units(county).get(pk=data["unit"])
            case = sel.case_by_tracking_no(county, data["tracking_no"]) if data["tracking_no"] else None
            r = rectify.rectification_issue(
                actor=_me(request), county=county, unit=unit, text=data["text"],
                deadline_days=data["deadline_days"], case=case, request=request,
            )  # fmt: skip
        except NotFound as exc:
            form.add_error("tracking_no", str(exc))
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已发出整改通知 %(no)s。") % {"no": r.number})
            return redirect("supervision:rectification", pk=r.pk)
    return render(request, "supervision/watch/rectification_form.html", {"form": form})


@_login
@require_GET
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = sel.access_rectification(pk, request.user)
    is_supervisor = sel.is_supervisor(request.user)
    return render(
        request,
        "supervision/watch/rectification.html",
        {
            "r": r,
            "is_supervisor": is_supervisor,
            "can_reply": r.status != RectificationStatus.CLOSED and rectify.can_reply(request.user, r),
            "can_close": is_supervisor and r.status != RectificationStatus.CLOSED,
            "reply_form": ReplyForm(initial={"reply": r.reply}),
            "close_form": CloseForm(),
        },
    )


@_login
@require_POST
def rectification_reply(request: HttpRequest, pk: int) -> HttpResponse:
    r = sel.access_rectification(pk, request.user)
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise TongbanError("supervision.reply_required", _("请填写整改情况。"), field="reply")
        rectify.rectification_reply(
            actor=_me(request), rectification=r, reply=form.cleaned_data["reply"], request=request
        )
        messages.success(request, _("已回复整改情况。"))
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc))
    return redirect("supervision:rectification", pk=r.pk)


@supervisor_required
@require_POST
def rectification_close(request: HttpRequest, county: Any, pk: int) -> HttpResponse:
    r = sel.access_rectification(pk, request.user)
    form = CloseForm(request.POST)
    try:
        note = form.cleaned_data["note"] if form.is_valid() else ""
        rectify.rectification_close(actor=_me(request), rectification=r, note=note, request=request)
        messages.success(request, _("整改通知已办结。"))
    except TongbanError as exc:
        messages.error(request, str(exc))
    return redirect("supervision:rectification", pk=r.pk)


@supervisor_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest, county: Any) -> HttpResponse:
    pol = clock.policy()
    initial = {k: getattr(pol, k) for k in sweep.LIMITS}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _pol, refreshed = sweep.policy_update(actor=_me(request), request=request, **form.cleaned_data)
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _("设置已保存，正在按新设置重新计算在办件的期限并重新巡检。")
                if refreshed
                else _("设置已保存。"),
            )
            return redirect("supervision:settings")
    return render(request, "supervision/watch/settings.html", {"form": form, "policy": pol})
