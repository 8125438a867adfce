"""Pages of the statistics dashboards (/stats/): the overview, the unit comparison, the trends, the
big screen (大屏), the effect report and its unit costs, feedback (意见建议) and the changelog.
Thin: permissions through :mod:`tongban.stats.access`, figures from the selectors, writes through
the services; every table exports to XLSX through :mod:`tongban.stats.exports`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.orgs.models import Unit
from tongban.orgs.selectors import access_county
from tongban.stats import access, exports
from tongban.stats import dashboards as dash
from tongban.stats import effect as eff
from tongban.stats import feedback as fbs
from tongban.stats.forms_dash import AnswerForm, ChangelogForm, CostsForm, FeedbackForm
from tongban.stats.models import ChangelogEntry, FeedbackKind, FeedbackStatus


def staff_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required; NotFound → 404, PermissionDenied → 403, a bad period → 400 page message."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _scope_unit(request: HttpRequest) -> Unit | None:
    """The unit whose version of the figures the user sees: ``None`` for the county's (county
    viewers without ``?unit=``); a unit leader or office head sees their own unit."""
    user = request.user
    raw = request.GET.get("unit", "")
    if raw and not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= fbs.MAX_ID):
        raise NotFound("stats.unit_not_found", _("单位不存在"))
    if access.can_view_county(user):
        return access.access_unit(int(raw), user) if raw else None
    ids = access.visible_unit_ids(user) or set()
    if not ids:
        raise PermissionDenied("stats.denied", _("您无权查看统计。"))
    if raw:
        return access.access_unit(int(raw), user)
    return Unit.objects.get(pk=min(ids))


def _period(request: HttpRequest, default: str = "month") -> dash.Period:
    try:
        return dash.parse_period(request.GET.get("period", default) or default)
    except dash.BadPeriod as exc:
        messages.error(request, str(exc.message))
        return dash.parse_period(default)


# --- overview ---------------------------------------------------------------------------------------------
@staff_view
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    unit = _scope_unit(request)
    ov = dash.overview(unit=unit)
    return render(
        request,
        "stats/dash/overview.html",
        {
            "ov": ov,
            "f": ov.figures,
            "chart": dash.chart_data(ov),
            "can_manage": access.can_manage(request.user),
            "can_county": access.can_view_county(request.user),
            "lights": dash.chart_data(ov)["lights"],
        },
    )


@staff_view
@require_POST
def snapshot_take(request: HttpRequest) -> HttpResponse:
    """考核管理员: take the county's snapshot now (the scheduler does it every 5 minutes)."""
    access.require_manage(request.user)
    from tongban.stats import snapshot  # R's module: imported only when used

    snapshot.take()
    messages.success(request, _("已生成最新统计概况。"))
    return redirect("stats_dash:overview")


# --- unit comparison ------------------------------------------------------------------------------------------
@staff_view
@require_GET
def units(request: HttpRequest) -> HttpResponseBase:
    access.require_county(request.user)
    period = _period(request)
    try:
        group = dash.parse_group(request.GET.get("group", ""))
    except dash.BadPeriod as exc:
        messages.error(request, str(exc.message))
        group = ""
    c = dash.unit_comparison(period, group=group)
    if request.GET.get("format") == "xlsx":
        sheet = exports.Sheet(
            title=_("各单位使用情况对比（%(p)s）") % {"p": period.label},
            headers=dash.COMPARISON_HEADERS,
            rows=dash.comparison_table(c),
            notes=[
                _("统计区间：%(a)s 至 %(b)s，工作日 %(n)d 天。")
                % {"a": period.start, "b": period.end, "n": c.workdays},
                _("活跃率 = 活跃人天 ÷（在岗人数 × 工作日数）；人均办理公文 = 办理公文 ÷ 在岗人数。"),
            ],
            name=_("单位对比"),
        )
        return exports.sheet_response(sheet, _("单位对比-%(p)s") % {"p": period.label})
    chart = {
        "names": [r.name for r in c.rows],
        "active_rate": [r.active_rate for r in c.rows],
        "docs_per_person": [r.docs_per_person for r in c.rows],
    }
    return render(
        request,
        "stats/dash/units.html",
        {
            "c": c,
            "period": period,
            "group": group,
            "groups": [(k, label) for k, label, _k in dash.GROUPS],
            "periods": dash.PERIOD_CHOICES,
            "chart": chart,
        },
    )


# --- trends -----------------------------------------------------------------------------------------------------
@staff_view
@require_GET
def trends(request: HttpRequest) -> HttpResponseBase:
    unit = _scope_unit(request)
    try:
        days = dash.parse_days(request.GET.get("days", 30))
    except dash.BadPeriod as exc:
        messages.error(request, str(exc.message))
        days = 30
    rows = dash.trends(days, unit_ids={unit.pk} if unit else None)
    scope = unit.display_name if unit else _("全县")
    if request.GET.get("format") == "xlsx":
        sheet = exports.Sheet(
            title=_("%(s)s使用趋势（最近%(d)d天）") % {"s": scope, "d": days},
            headers=[_("日期"), *[dash.TREND_LABELS[f] for f in dash.TREND_FIELDS]],
            rows=[[r["day"].isoformat(), *[r[f] for f in dash.TREND_FIELDS]] for r in rows],
            notes=[_("数据来自每日统计（单位日统计之和）。")],
            name=_("使用趋势"),
        )
        return exports.sheet_response(sheet, _("使用趋势-%(s)s-%(d)d天") % {"s": scope, "d": days})
    chart = {
        "days": [r["day"].isoformat() for r in rows],
        "series": [
            {"label": str(dash.TREND_LABELS[f]), "data": [r[f] for r in rows]} for f in dash.TREND_FIELDS
        ],
    }
    return render(
        request,
        "stats/dash/trends.html",
        {
            "rows": rows,
            "days": days,
            "choices": dash.TREND_DAYS,
            "unit": unit,
            "scope": scope,
            "can_county": access.can_view_county(request.user),
            "fields": [(f, dash.TREND_LABELS[f]) for f in dash.TREND_FIELDS],
            "totals": dash.trend_totals(rows),
            "chart": chart,
        },
    )


# --- big screen ---------------------------------------------------------------------------------------------------
@staff_view
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    access.require_county(request.user)
    ov = dash.overview()
    return render(request, "stats/dash/screen.html", {"chart": dash.chart_data(ov), "f": ov.figures})


# --- effect report ------------------------------------------------------------------------------------------------
@staff_view
@require_GET
def effect(request: HttpRequest) -> HttpResponseBase:
    access.require_county(request.user)
    county = access_county(request.user)
    period = _period(request, "year")
    rep = eff.report(county, period)
    if request.GET.get("format") == "xlsx":
        headers = [_("月份"), *eff.HEADERS]
        notes = [rep.formula, _("节约纸张（页）= Σ 电子分发页数（页数 × 份数）。")]
        data = exports.workbook(
            [
                exports.Sheet(
                    title=_("电子公文效益（按月，%(p)s）") % {"p": period.label},
                    headers=headers,
                    rows=[*eff.table(rep.by_month), *eff.table([rep.total])],
                    notes=notes,
                    name=_("按月"),
                ),
                exports.Sheet(
                    title=_("电子公文效益（按单位，%(p)s）") % {"p": period.label},
                    headers=[_("单位"), *eff.HEADERS],
                    rows=[*eff.table(rep.by_unit), *eff.table([rep.total])],
                    notes=notes,
                    name=_("按单位"),
                ),
            ]
        )
        return exports.xlsx_response(data, _("效益报告-%(p)s") % {"p": period.label})
    chart = {
        "months": [r.label for r in rep.by_month],
        "pages": [r.pages for r in rep.by_month],
        "cost": [float(r.cost) for r in rep.by_month],
    }
    return render(
        request,
        "stats/dash/effect.html",
        {
            "rep": rep,
            "period": period,
            "periods": dash.PERIOD_CHOICES,
            "chart": chart,
            "can_manage": access.can_manage(request.user),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def effect_costs(request: HttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    county = access_county(request.user)
    costs = eff.costs_for(county)
    if request.method == "POST":
        form = CostsForm(request.POST)
        if form.is_valid():
            try:
                eff.costs_update(actor=request.user, county=county, data=form.cleaned_data, request=request)
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("单价已保存。"))
                return redirect("stats_dash:effect")
    else:
        form = CostsForm(initial={k: getattr(costs, k) for k in eff.COST_FIELDS})
    return render(
        request, "stats/dash/costs.html", {"form": form, "costs": costs, "formula": eff.formula_text(costs)}
    )


# --- feedback ---------------------------------------------------------------------------------------------------------
@staff_view
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                fb = fbs.feedback_create(
                    actor=request.user,
                    kind=d["kind"],
                    title=d["title"],
                    body=d["body"],
                    page_url=d["page_url"],
                    page_title=d["page_title"],
                    user_agent=request.headers.get("User-Agent", ""),
                    host=request.get_host(),
                    request=request,
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("谢谢！您的意见已提交，处理后会通知您。"))
                return redirect(reverse("stats_dash:feedback_mine") + f"#fb-{fb.pk}")
    else:
        page = request.GET.get("page", "")
        try:
            page = fbs.clean_page_url(page, request.get_host())
        except TongbanError:
            page = ""
        kind = request.GET.get("kind", FeedbackKind.SUGGESTION)
        form = FeedbackForm(
            initial={
                "page_url": page,
                "page_title": request.GET.get("title", "")[:200],
                "kind": kind if kind in FeedbackKind.values else FeedbackKind.SUGGESTION,
            }
        )
    return render(request, "stats/dash/feedback_new.html", {"form": form})


@staff_view
@require_GET
def feedback_mine(request: HttpRequest) -> HttpResponse:
    items = list(fbs.my_feedback(request.user)[:200])
    return render(request, "stats/dash/feedback_mine.html", {"items": items})


@staff_view
@require_GET
def feedback_manage(request: HttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status not in FeedbackStatus.values:
        status = ""
    if kind not in FeedbackKind.values:
        kind = ""
    items = list(fbs.manage_list(request.user, status=status, kind=kind)[:200])
    return render(
        request,
        "stats/dash/feedback_manage.html",
        {
            "items": items,
            "status": status,
            "kind": kind,
            "statuses": FeedbackStatus.choices,
            "kinds": FeedbackKind.choices,
            "form": AnswerForm(),
        },
    )


@staff_view
@require_POST
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_manage(request.user)
    fb = fbs.access_feedback(pk, request.user)
    form = AnswerForm(request.POST)
    if form.is_valid():
        entry = form.cleaned_data["changelog"]
        try:
            fbs.feedback_answer(
                actor=request.user,
                feedback=fb,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
                changelog_id=entry.pk if entry else None,
                request=request,
            )
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已答复，提出人会收到通知。"))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("stats_dash:feedback_manage") + f"#fb-{fb.pk}")


# --- changelog ----------------------------------------------------------------------------------------------------------
@staff_view
@require_GET
def changelog(request: HttpRequest) -> HttpResponse:
    manage = access.can_manage(request.user)
    entries = fbs.all_changelog(request.user) if manage else fbs.published_changelog()
    entries = entries.prefetch_related("feedback")
    return render(request, "stats/dash/changelog.html", {"entries": list(entries[:200]), "manage": manage})


@staff_view
@require_http_methods(["GET", "POST"])
def changelog_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_manage(request.user)
    entry = fbs.access_entry(pk, request.user) if pk is not None else None
    if request.method == "POST":
        form = ChangelogForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                fbs.changelog_save(
                    actor=request.user,
                    entry=entry,
                    title=d["title"],
                    body=d["body"],
                    released_on=d["released_on"],
                    version=d["version"],
                    published=d["published"],
                    feedback_ids=[int(i) for i in d["feedback"]],
                    request=request,
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("更新日志已保存。"))
                return redirect("stats_dash:changelog")
    elif entry is not None:
        form = ChangelogForm(
            initial={
                "title": entry.title,
                "body": entry.body,
                "released_on": entry.released_on,
                "version": entry.version,
                "published": entry.published,
                "feedback": [str(pk) for pk in entry.feedback.values_list("pk", flat=True)],
            }
        )
    else:
        form = ChangelogForm(initial={"released_on": clock.today()})
    return render(request, "stats/dash/changelog_form.html", {"form": form, "entry": entry})


@staff_view
@require_POST
def changelog_delete(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_manage(request.user)
    entry: ChangelogEntry = fbs.access_entry(pk, request.user)
    fbs.changelog_delete(actor=request.user, entry=entry, request=request)
    messages.success(request, _("更新日志已删除。"))
    return redirect("stats_dash:changelog")
