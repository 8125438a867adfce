"""Pages of the usage assessment (考核方案 / 考核评分):

- ``/stats/schemes/`` the schemes, a scheme's page with its indicators editor, publish / retire
  (考核管理员 only);
- ``/stats/scorecards/`` a scheme's ranking for a period (+ XLSX), a unit's scorecard with the
  formulas, the underlying numbers, the trend chart and the drill-down to offices and people;
- ``/stats/report/<scheme>/<year>.pdf`` the yearly assessment report.

Thin: load through :mod:`tongban.stats.cards_assess`, change through
:mod:`tongban.stats.services_assess`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.stats import access, cards_assess, exports, metrics, report_pdf, services_assess
from tongban.stats.forms_assess import IndicatorForm, SchemeForm
from tongban.stats.models import AssessmentScheme, SchemeStatus


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; NotFound → 404 and PermissionDenied → 403; a bad period → 404."""

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


def _manager(request: HttpRequest) -> None:
    access.require_manage(request.user)


def _form_error(form: Any, exc: TongbanError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


# --- schemes ---------------------------------------------------------------------------------------


@staff_view
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    schemes = list(AssessmentScheme.objects.order_by("-year", "status", "name"))
    return render(request, "stats/assess/scheme_list.html", {"schemes": schemes})


def _scheme_data(form: SchemeForm) -> tuple[dict[str, Any], list[int] | None]:
    data = {k: form.cleaned_data[k] for k in ("name", "year", "period", "description")}
    units = [u.pk for u in form.cleaned_data["units"]]
    return data, units or None


@staff_view
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = SchemeForm(request.POST or None, initial={"year": metrics.today().year, "period": "month"})
    if request.method == "POST" and form.is_valid():
        data, units = _scheme_data(form)
        try:
            scheme = services_assess.scheme_create(
                actor=request.user, data=data, unit_ids=units, request=request
            )
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("考核方案已创建，请添加指标"))
            return redirect("stats_assess:scheme", scheme_id=scheme.pk)
    return render(request, "stats/assess/scheme_form.html", {"form": form, "scheme": None})


@staff_view
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    initial = {
        "name": scheme.name,
        "year": scheme.year,
        "period": scheme.period,
        "description": scheme.description,
        "units": list(scheme.units.values_list("pk", flat=True)),
    }
    form = SchemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, units = _scheme_data(form)
        try:
            services_assess.scheme_update(
                actor=request.user, scheme=scheme, data=data, unit_ids=units or [], request=request
            )
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("考核方案已保存"))
            return redirect("stats_assess:scheme", scheme_id=scheme.pk)
    return render(request, "stats/assess/scheme_form.html", {"form": form, "scheme": scheme})


@staff_view
@require_GET
def scheme_detail(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    total = services_assess.weight_total(scheme)
    return render(
        request,
        "stats/assess/scheme_detail.html",
        {
            "scheme": scheme,
            "indicators": cards_assess.indicator_views(scheme),
            "weight_total": total,
            "weights_ok": total == services_assess.WEIGHT_TOTAL,
            "unit_count": scheme.units.count(),
            "is_draft": scheme.status == SchemeStatus.DRAFT,
            "periods": cards_assess.period_choices(scheme),
        },
    )


def _indicator_page(
    request: HttpRequest, scheme: AssessmentScheme, form: IndicatorForm, ind: Any
) -> HttpResponse:
    return render(
        request,
        "stats/assess/indicator_form.html",
        {"scheme": scheme, "form": form, "indicator": ind, "catalogue": metrics.catalogue()},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_assess.indicator_add(actor=request.user, scheme=scheme, data=form.cleaned_data)
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("指标已添加"))
            return redirect("stats_assess:scheme", scheme_id=scheme.pk)
    return _indicator_page(request, scheme, form, None)


@staff_view
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, scheme_id: int, indicator_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    ind = services_assess.get_indicator(scheme, indicator_id)
    initial = {
        "name": ind.name,
        "code": ind.code,
        "formula": ind.formula,
        "weight": ind.weight,
        "target": ind.target,
        "higher_is_better": "1" if ind.higher_is_better else "0",
        "unit_label": ind.unit_label,
        "note": ind.note,
    }
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_assess.indicator_update(actor=request.user, indicator=ind, data=form.cleaned_data)
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("指标已保存"))
            return redirect("stats_assess:scheme", scheme_id=scheme.pk)
    return _indicator_page(request, scheme, form, ind)


def _act(request: HttpRequest, scheme: AssessmentScheme, fn: Callable[[], Any], ok: str) -> HttpResponse:
    try:
        fn()
    except (NotFound, PermissionDenied):
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, ok)
    return redirect("stats_assess:scheme", scheme_id=scheme.pk)


@staff_view
@require_POST
def indicator_delete(request: HttpRequest, scheme_id: int, indicator_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    ind = services_assess.get_indicator(scheme, indicator_id)
    return _act(
        request,
        scheme,
        lambda: services_assess.indicator_delete(actor=request.user, indicator=ind),
        _("指标已删除"),
    )


@staff_view
@require_POST
def indicator_move(request: HttpRequest, scheme_id: int, indicator_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    ind = services_assess.get_indicator(scheme, indicator_id)
    delta = -1 if request.POST.get("direction") == "up" else 1
    return _act(
        request,
        scheme,
        lambda: services_assess.indicator_move(actor=request.user, indicator=ind, delta=delta),
        _("指标顺序已调整"),
    )


@staff_view
@require_POST
def scheme_publish(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    return _act(
        request,
        scheme,
        lambda: services_assess.scheme_publish(actor=request.user, scheme=scheme, request=request),
        _("考核方案已发布，得分已计算"),
    )


@staff_view
@require_POST
def scheme_retire(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    return _act(
        request,
        scheme,
        lambda: services_assess.scheme_retire(actor=request.user, scheme=scheme, request=request),
        _("考核方案已停用"),
    )


@staff_view
@require_POST
def scheme_recompute(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    period = request.POST.get("period", "")
    return _act(
        request,
        scheme,
        lambda: services_assess.scheme_recompute(actor=request.user, scheme=scheme, period_key=period),
        _("得分已重新计算"),
    )


@staff_view
@require_POST
def scheme_delete(request: HttpRequest, scheme_id: int) -> HttpResponse:
    _manager(request)
    scheme = services_assess.get_scheme(scheme_id)
    try:
        services_assess.scheme_delete(actor=request.user, scheme=scheme, request=request)
    except (NotFound, PermissionDenied):
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("stats_assess:scheme", scheme_id=scheme.pk)
    messages.success(request, _("考核方案已删除"))
    return redirect("stats_assess:schemes")


# --- scorecards ------------------------------------------------------------------------------------


def _pick(
    request: HttpRequest,
) -> tuple[list[AssessmentScheme], AssessmentScheme | None, metrics.Period | None]:
    if not access.can_view_stats(request.user):
        raise PermissionDenied("stats.denied", _("您无权查看考核评分"))
    schemes = cards_assess.visible_schemes(request.user)
    raw = request.GET.get("scheme", "")
    scheme = None
    if raw:
        scheme = next((s for s in schemes if str(s.pk) == raw), None)
        if scheme is None:
            raise NotFound("stats.scheme_not_found", _("考核方案不存在或尚未发布"))
    elif schemes:
        scheme = next((s for s in schemes if s.status == SchemeStatus.PUBLISHED), schemes[0])
    period = None
    if scheme is not None:
        try:
            period = cards_assess.period_of(scheme, request.GET.get("period"))
        except TongbanError as exc:
            raise NotFound(exc.code, exc.message) from exc
    return schemes, scheme, period


@staff_view
@require_GET
def scorecards(request: HttpRequest) -> HttpResponse:
    schemes, scheme, period = _pick(request)
    rows = cards_assess.ranking(request.user, scheme, period) if scheme and period else []
    inds = cards_assess.indicator_views(scheme) if scheme else []
    table = [
        {
            "row": r,
            "cells": [(r.values.get("indicators", {}).get(v.indicator.code) or {}) for v in inds],
        }
        for r in rows
    ]
    return render(
        request,
        "stats/assess/scorecards.html",
        {
            "schemes": schemes,
            "scheme": scheme,
            "period": period,
            "periods": cards_assess.period_choices(scheme) if scheme else [],
            "indicators": inds,
            "table": table,
            "county": access.can_view_county(request.user),
            "can_manage": access.can_manage(request.user),
        },
    )


def ranking_sheet(user: Any, scheme: AssessmentScheme, period: metrics.Period) -> exports.Sheet:
    rows = cards_assess.ranking(user, scheme, period)
    inds = cards_assess.indicator_views(scheme)
    headers = [_("排名"), _("单位"), _("得分"), _("较上期")]
    for v in inds:
        headers += [f"{v.indicator.name}", f"{v.indicator.name}{_('得分')}"]
    body = []
    for r in rows:
        line: list[Any] = [r.rank, r.unit_name, r.score, r.change]
        for v in inds:
            got = r.values.get("indicators", {}).get(v.indicator.code) or {}
            line += [got.get("value"), got.get("score")]
        body.append(line)
    notes = [f"{v.indicator.name}：{v.indicator.formula}（{v.words}）" for v in inds]
    return exports.Sheet(
        title=f"{scheme.name} {period.label}",
        headers=headers,
        rows=body,
        notes=[_("考核周期：%(p)s") % {"p": period.label}, *notes],
        name=period.key,
    )


@staff_view
@require_GET
def scorecards_export(request: HttpRequest) -> HttpResponse:
    _schemes, scheme, period = _pick(request)
    if scheme is None or period is None:
        raise NotFound("stats.scheme_not_found", _("考核方案不存在或尚未发布"))
    return exports.sheet_response(ranking_sheet(request.user, scheme, period), f"{scheme.name}-{period.key}")


def _card(request: HttpRequest, scheme_id: int, period: str, unit_id: int) -> cards_assess.UnitCard:
    scheme = cards_assess.get_shown_scheme(request.user, scheme_id)
    try:
        p = cards_assess.period_of(scheme, period)
    except TongbanError as exc:
        raise NotFound(exc.code, exc.message) from exc
    return cards_assess.unit_card(request.user, scheme, p, unit_id)


@staff_view
@require_GET
def unit_card(request: HttpRequest, scheme_id: int, period: str, unit_id: int) -> HttpResponse:
    card = _card(request, scheme_id, period, unit_id)
    chart = {
        "labels": [t["label"] for t in card.trend],
        "scores": [t["score"] for t in card.trend],
        "ranks": [t["rank"] for t in card.trend],
        "score_label": _("得分"),
        "rank_label": _("排名"),
    }
    return render(
        request,
        "stats/assess/unit_card.html",
        {
            "card": card,
            "chart": chart,
            "offices": cards_assess.office_rows(card),
            "drill_headers": cards_assess.drill_headers(),
            "periods": cards_assess.period_choices(card.scheme),
        },
    )


@staff_view
@require_GET
def unit_people(request: HttpRequest, scheme_id: int, period: str, unit_id: int) -> HttpResponse:
    card = _card(request, scheme_id, period, unit_id)
    office = request.GET.get("office", "")
    rows = cards_assess.people_rows(request.user, card, int(office) if office.isdigit() else None)
    return render(
        request,
        "stats/assess/unit_people.html",
        {"card": card, "rows": rows, "drill_headers": cards_assess.drill_headers()},
    )


def unit_sheets(user: Any, card: cards_assess.UnitCard) -> list[exports.Sheet]:
    title = f"{card.unit.name} {card.scheme.name} {card.period.label}"
    ind_rows = [
        [
            v.indicator.name,
            v.indicator.formula,
            v.words,
            "；".join(f"{label}={value:g}" for _n, label, value in v.inputs),
            v.value,
            v.indicator.target,
            v.direction,
            v.indicator.weight,
            v.score,
        ]
        for v in card.indicators
    ]
    sheets = [
        exports.Sheet(
            title=title,
            headers=[
                _("指标"),
                _("公式"),
                _("公式说明"),
                _("基础数据"),
                _("指标值"),
                _("目标值"),
                _("方向"),
                _("权重"),
                _("得分"),
            ],
            rows=ind_rows,
            notes=[_("总分：%(s)s，排名：%(r)s") % {"s": card.score, "r": card.rank or "—"}],
            name=_("指标得分"),
        ),
        exports.Sheet(
            title=_("得分趋势"),
            headers=[_("周期"), _("得分"), _("排名")],
            rows=[[t["label"], t["score"], t["rank"]] for t in card.trend],
            name=_("得分趋势"),
        ),
    ]
    drill = [
        _("人数"),
        _("活跃人日"),
        *cards_assess.drill_headers(),
        *[v.indicator.name for v in card.indicators],
    ]

    def _lines(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [[r["name"], r["staff"], r["active_days"], *r["figures"], *r["values"]] for r in rows]

    sheets.append(
        exports.Sheet(
            title=_("科室明细"),
            headers=[_("科室"), *drill],
            rows=_lines(cards_assess.office_rows(card)),
            name=_("科室明细"),
        )
    )
    if card.can_people:
        sheets.append(
            exports.Sheet(
                title=_("个人明细"),
                headers=[_("姓名"), *drill],
                rows=_lines(cards_assess.people_rows(user, card)),
                name=_("个人明细"),
            )
        )
    return sheets


@staff_view
@require_GET
def unit_card_export(request: HttpRequest, scheme_id: int, period: str, unit_id: int) -> HttpResponse:
    card = _card(request, scheme_id, period, unit_id)
    return exports.xlsx_response(
        exports.workbook(unit_sheets(request.user, card)), f"{card.unit.name}-{card.period.key}"
    )


@staff_view
@require_GET
def report(request: HttpRequest, scheme_id: int, year: int) -> HttpResponse:
    """The yearly assessment report (PDF): the county's viewers see every unit; a unit's leaders
    get their own units only."""
    scheme = cards_assess.get_shown_scheme(request.user, scheme_id)
    if year != scheme.year:
        raise NotFound("stats.period_not_found", _("考核周期不在方案年度内"))
    pdf = report_pdf.render(request.user, scheme)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="assessment-{scheme.pk}-{year}.pdf"'
    return resp


def scorecard_url(scheme_id: int, period: str, unit_id: int) -> str:
    return reverse("stats_assess:unit", args=[scheme_id, period, unit_id])
