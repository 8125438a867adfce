"""Portal administration: the website health check (/portal-admin/health/) and the error
reports (/portal-admin/health/errors/). Thin: :mod:`tongban.portal.health` and
:mod:`tongban.portal.errors` decide who sees and does what."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.portal import errors, health
from tongban.portal.forms_errors import HandleForm
from tongban.portal.models import ErrorReport


@login_required
def index(request: HttpRequest) -> HttpResponse:
    try:
        scope, rep = health.report_for(request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    by_rule: dict[str, list[health.Finding]] = {}
    for f in rep.findings:
        by_rule.setdefault(f.rule, []).append(f)
    ctx: dict[str, Any] = {
        "scope": scope,
        "report": rep,
        "summary": rep.summary(),
        "finding_sections": [(r, by_rule[r.code]) for r in health.RULES if r.code in by_rule],
        "can_handle": scope.is_admin,
        "new_reports": errors.new_count(request.user) if scope.is_admin else 0,
    }
    return render(request, "portal/health/index.html", ctx)


@login_required
def error_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    try:
        qs = errors.reports_for(request.user, status=status)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = f"status={status}" if status in ErrorReport.Status.values else ""
    return render(
        request,
        "portal/health/errors.html",
        {"page": page, "status": status, "statuses": ErrorReport.Status.choices, "query": query},
    )


@login_required
def error_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        report = errors.access_report(request.user, pk)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    form = HandleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                errors.handle_report(
                    user=request.user,
                    pk=report.pk,
                    status=form.cleaned_data["status"],
                    reply=form.cleaned_data["reply"],
                    request=request,
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("已处理。"))
                return redirect("portal_health:errors")
        status = 400
    return render(
        request,
        "portal/health/error_detail.html",
        {"report": report, "form": form, "kind_label": errors.kind_label(report.kind)},
        status=status,
    )
