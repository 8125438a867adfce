"""Seal pages: the public verification page and the security administrator's seal management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import TongbanError
from tongban.core.permissions import admin_role_required
from tongban.orgs import selectors as org_selectors
from tongban.orgs.models import Unit
from tongban.seals import fonts, selectors, services
from tongban.seals.forms import RevokeForm, VerifyForm
from tongban.seals.services import MAX_VERIFY_BYTES


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone (citizens, other organs) uploads a PDF and learns whether its seal is genuine."""
    result = None
    if request.method == "POST" and _declared_length(request) > MAX_VERIFY_BYTES + 64 * 1024:
        # Refuse before Django spools a huge body to disk.
        context = {"form": VerifyForm(), "result": None, "error": _("文件不能超过 20 MB。")}
        return render(request, "seals/verify.html", context, status=413)
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = services.verify_pdf(form.cleaned_data["file"])
    else:
        form = VerifyForm()
    return render(request, "seals/verify.html", {"form": form, "result": result})


@admin_role_required("security")
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """Security administrator: the county CA, every unit's seal certificate, issue/revoke, fonts."""
    county = org_selectors.county_for_user(request.user)
    if county is None:
        return render(request, "seals/manage.html", {"no_county": True, "fonts": fonts.font_report()})
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "ca_init":
                services.ca_init(county=county, actor=user)
                messages.success(request, _("印章根证书已创建。"))
            elif action == "issue":
                unit = Unit.objects.filter(county=county, pk=_int(request.POST.get("unit_id"))).first()
                if unit is None:
                    raise TongbanError("seals.unit_not_found", _("单位不存在。"))
                services.certificate_issue(unit=unit, actor=user)
                messages.success(request, _("已为“%(unit)s”签发印章证书。") % {"unit": unit.name})
            elif action == "revoke":
                form = RevokeForm(request.POST)
                if not form.is_valid():
                    raise TongbanError("seals.reason_required", _("请填写吊销原因。"))
                cert = selectors.access_certificate(form.cleaned_data["certificate_id"], county)
                services.certificate_revoke(certificate=cert, actor=user, reason=form.cleaned_data["reason"])
                messages.success(request, _("“%(unit)s”的印章证书已吊销。") % {"unit": cert.unit.name})
            else:
                raise TongbanError("seals.bad_action", _("未知操作。"))
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        return redirect("seals:manage")
    certs = list(selectors.certificates(county=county))
    live_units = {c.unit_id for c in certs if c.revoked_at is None}
    units_without = (
        Unit.objects.filter(county=county, is_active=True).exclude(pk__in=live_units).order_by("sort", "id")
    )
    return render(
        request,
        "seals/manage.html",
        {
            "ca": selectors.active_ca(county),
            "certificates": certs,
            "units_without": units_without,
            "fonts": fonts.font_report(),
        },
    )


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
