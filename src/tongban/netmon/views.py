"""Pages of the site monitoring (/netmon/): the county overview (list + schematic map, refreshed
from the API every 30 s), a site's history and incidents, the register of sites and probes, and
探测一次. Network administrators and the system administrator only; thin: access, selectors,
one service call."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.netmon import access, selectors, services
from tongban.netmon.forms import ProbeForm, SiteForm
from tongban.netmon.models import ProbeKind, SiteKind, Status
from tongban.orgs.models import County, Unit


def netmon_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
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


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@netmon_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    county = access.require_monitor(request.user)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    data = selectors.overview(county, status=status, kind=kind)
    everything = data if not (status or kind) else selectors.overview(county)
    return render(
        request,
        "netmon/index.html",
        {
            "d": data,
            "chart": selectors.chart_data(everything),
            "status": status,
            "kind": kind,
            "statuses": Status.choices,
            "cards": [
                (s.value, s.label, everything["counts"][s.value])
                for s in (Status.UP, Status.DEGRADED, Status.DOWN, Status.UNKNOWN)
            ],
            "kinds": SiteKind.choices,
            "can_manage": access.can_manage(request.user),
        },
    )


@netmon_view
@require_GET
def site(request: HttpRequest, site_id: int) -> HttpResponse:
    county = access.require_monitor(request.user)
    s = services.get_site(county, site_id)
    rng = request.GET.get("range", "24h")
    hist = selectors.history(s, rng)
    probes = selectors.probes(s)
    return render(
        request,
        "netmon/site.html",
        {
            "site": s,
            "row": selectors.site_row(s, selectors.uptime_map([s.pk]).get(s.pk, {})),
            "probes": probes,
            "history": hist,
            "chart": {
                "range": hist["range"],
                "probes": {p.pk: f"{p.get_kind_display()} {p.target}" for p in probes},
                "results": [{**r, "at": r["at"].isoformat()} for r in hist["results"]],
                "buckets": [{**b, "start": b["start"].isoformat()} for b in hist["buckets"]],
            },
            "ranges": list(selectors.RANGES),
            "incidents": selectors.incidents(s),
            "events": selectors.events(s, limit=20),
            "recent": selectors.recent_results(s, limit=30),
            "icmp": selectors.icmp_info(),
            "can_manage": access.can_manage(request.user),
        },
    )


def _units(county: County) -> list[tuple[int, str]]:
    return list(
        Unit.objects.filter(county=county, is_active=True).order_by("sort", "id").values_list("pk", "name")
    )


def _put_error(form: forms.Form, exc: TongbanError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


@netmon_view
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, site_id: int | None = None) -> HttpResponse:
    county = access.require_manage(request.user)
    s = services.get_site(county, site_id) if site_id is not None else None
    initial: dict[str, Any] = {}
    if s is not None:
        initial = {f: getattr(s, f) for f in services.SITE_FIELDS}
    form = SiteForm(request.POST or None, initial=initial, units=_units(county))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.site_save(
                actor=_actor(request), county=county, data=form.cleaned_data, site=s, request=request
            )
        except TongbanError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, _("站点已保存。"))
            return redirect("netmon:site", saved.pk)
    return render(request, "netmon/site_form.html", {"form": form, "site": s})


@netmon_view
@require_http_methods(["GET", "POST"])
def probe_edit(request: HttpRequest, site_id: int | None = None, probe_id: int | None = None) -> HttpResponse:
    county = access.require_manage(request.user)
    probe = services.get_probe(county, probe_id) if probe_id is not None else None
    s = probe.site if probe is not None else services.get_site(county, site_id or 0)
    initial: dict[str, Any] = {"kind": ProbeKind.TCP}
    if probe is not None:
        initial = {f: getattr(probe, f) for f in services.PROBE_FIELDS}
    form = ProbeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None or k in ("degraded_ms", "port")}
        try:
            services.probe_save(actor=_actor(request), site=s, data=data, probe=probe, request=request)
        except TongbanError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, _("探测项已保存。"))
            return redirect("netmon:site", s.pk)
    return render(
        request,
        "netmon/probe_form.html",
        {"form": form, "site": s, "probe": probe, "icmp": selectors.icmp_info()},
    )


@netmon_view
@require_POST
def probe_delete(request: HttpRequest, probe_id: int) -> HttpResponse:
    county = access.require_manage(request.user)
    probe = services.get_probe(county, probe_id)
    site_id = probe.site_id
    services.probe_delete(actor=_actor(request), probe=probe, request=request)
    messages.success(request, _("探测项已删除。"))
    return redirect("netmon:site", site_id)


@netmon_view
@require_POST
def probe_now(request: HttpRequest, site_id: int) -> HttpResponse:
    county = access.require_manage(request.user)
    s = services.get_site(county, site_id)
    try:
        report = services.probe_now(actor=_actor(request), site=s, request=request)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("已探测 %(n)d 项，失败 %(f)d 项。") % {"n": report.probes, "f": report.failures},
        )
    return redirect("netmon:site", s.pk)
