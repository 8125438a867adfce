"""找错 pages (public): the form /portal/jiucuo/?url=<page> and the thank-you page. Thin."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tongban.core.errors import TongbanError
from tongban.portal import errors
from tongban.portal.forms_errors import ErrorReportForm
from tongban.portal.views_search import home_for


@never_cache  # the form carries a CSRF token and a one-time challenge: never from a shared cache
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    home = home_for(request)
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                errors.report_error(
                    county=home.county,
                    page_url=d["page_url"],
                    kind=d["kind"],
                    description=d["description"],
                    contact=d["contact"],
                    request=request,
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                return redirect("portal_errors:thanks")
        status = 400
    else:
        url = request.GET.get("url", "")[: errors.MAX_URL]
        form = ErrorReportForm(
            initial={"page_url": url or request.META.get("HTTP_REFERER", "")[: errors.MAX_URL]}
        )
        status = 200
    return render(request, "portal/errors/new.html", {"form": form}, status=status)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/errors/thanks.html", {})
