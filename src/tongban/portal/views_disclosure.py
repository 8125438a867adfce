"""Portal administration: preparing the annual disclosure reports (/portal-admin/disclosure/), for
portal administrators and disclosure officers. Thin: the scope comes from
:func:`disclosure_selectors.access_scope`, the table from :mod:`annual_report`, and "生成年报草稿"
is :func:`annual_report.save_draft`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core import clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.portal import annual_report
from tongban.portal import disclosure_selectors as sel
from tongban.portal.forms_disclosure import ReportForm

FIRST_YEAR = 2019  # the revised 条例 took effect on 2019-05-15; 30号's form from the 2021 reports


def _staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
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


def _year(raw: str | None) -> int:
    this_year = clock.today().year
    try:
        year = int(raw) if raw else this_year - 1
    except ValueError:
        year = this_year - 1
    return min(max(year, FIRST_YEAR), this_year)


def _organ_id(raw: str | None) -> int | None:
    if not raw or raw == "county":
        return None
    if not raw.isdigit():
        raise NotFound("portal.unit_not_found", _("单位不存在。"))
    return int(raw)


@_staff
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    year = _year(params.get("year"))
    scope, organ = sel.access_scope(request.user, _organ_id(params.get("organ")))
    report = annual_report.find_report(scope.county, year, organ)
    draft = report.get_latest_revision_as_object() if report is not None else None
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        override = None
        if form.is_valid():
            values = form.values()
            override = values["carried_over"]
            try:
                page = annual_report.save_draft(
                    request.user, scope.county, year, organ, request=request, **values
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(
                    request, _("年报草稿已生成（%(title)s），请编辑审核后发布。") % {"title": page.title}
                )
                query = urlencode({"year": year, "organ": organ.pk if organ else "county"})
                return redirect(f"{reverse('portal_disclosure:index')}?{query}")
        status = 400
    else:
        form = ReportForm(initial=ReportForm.initial_from(draft) if draft is not None else None)
        override = (draft.carried_over or None) if draft is not None else None
    try:
        table = annual_report.build_table(scope.county, year, organ, override)
    except TongbanError:
        table = annual_report.build_table(scope.county, year, organ)
    computed = annual_report.build_table(scope.county, year, organ)
    checks = annual_report.column_checks(table)
    due = annual_report.due_date(year, organ)
    context = {
        "scope": scope,
        "year": year,
        "years": list(range(clock.today().year, FIRST_YEAR - 1, -1)),
        "organ": organ,
        "report": report,
        "draft": draft,
        "form": form,
        "table": table,
        "computed_carried_over": computed["carried_over"],
        "checks": checks,
        "balanced": all(c["ok"] for c in checks),
        "due": due,
        "days_left": (due - clock.today()).days,
        "reports": sel.reports_of(scope.county)[:50],
    }
    return render(request, "portal/disclosure/index.html", context, status=status)
