"""Pages of the shared resource library: the catalogue, a resource (preview, schema, versions,
request), publish/edit, new version, the unit's requests and the download log. Thin: parse, load
through access/selectors, call one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.library import access, selectors, services
from tongban.library.forms import ApproveForm, EntryForm, PublishForm, RefuseForm, RequestForm, VersionForm
from tongban.library.models import (
    ColumnType,
    RequestStatus,
    Resource,
    ResourceKind,
    ResourceVersion,
    SharingLevel,
)
from tongban.orgs import selectors as orgs
from tongban.orgs.models import Unit

PAGE_SIZE = 20
LOG_PAGE_SIZE = 50


def _guard(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc


def _resource(request: HttpRequest, pk: int, *, manage: bool = False) -> Resource:
    resource: Resource = _guard(lambda: access.access_resource(pk, request.user))
    if manage and not access.can_manage(request.user, resource):
        raise DjangoPermissionDenied(_("只有提供单位的资源管理员可以进行此操作。"))
    return resource


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _county_units(request: HttpRequest) -> list[Unit]:
    return list(_guard(lambda: orgs.county_units(orgs.access_county(request.user))))


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in ResourceKind.values else ""
    sharing = request.GET.get("sharing", "")
    sharing = sharing if sharing in SharingLevel.values else ""
    owner = _int(request.GET.get("owner"))
    qs = selectors.catalogue(user=request.user, q=q, kind=kind, owner_unit_id=owner, sharing=sharing)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "library/catalogue.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "sharing": sharing,
            "owner": owner,
            "kinds": ResourceKind.choices,
            "sharings": SharingLevel.choices,
            "owners": selectors.owner_units(request.user),
            "can_publish": bool(access.admin_unit_ids(request.user)),
            "query": query.urlencode(),
        },
    )


def _error(form: Any, exc: TongbanError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest) -> HttpResponse:
    admin_units = access.admin_unit_ids(request.user)
    if not admin_units:
        raise DjangoPermissionDenied(_("只有各单位的资源管理员可以发布共享资源。"))
    owner_units = list(Unit.objects.filter(pk__in=admin_units, is_active=True).order_by("sort", "id"))
    county_units = _county_units(request)
    form = PublishForm(request.POST or None, owner_units=owner_units, county_units=county_units)
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("file")
        if upload is None:
            form.add_error(None, _("请选择要上传的文件。"))
        else:
            d = form.cleaned_data
            try:
                resource = services.resource_publish(
                    actor=request.user,  # type: ignore[arg-type]
                    owner_unit=next(u for u in owner_units if u.pk == d["owner_unit"]),
                    kind=d["kind"],
                    title=d["title"],
                    file=upload,
                    file_name=upload.name or "",
                    description=d["description"],
                    category=d["category"],
                    keywords=d["keywords"],
                    update_frequency=d["update_frequency"],
                    sharing=d["sharing"],
                    shared_unit_ids=d["shared_units"] or [],
                    contact=d["contact"],
                    note=d["note"],
                    request=request,
                )
            except TongbanError as exc:
                _error(form, exc)
            else:
                messages.success(request, _("资源已发布。"))
                return redirect("library:detail", pk=resource.pk)
    return render(
        request, "library/form.html", {"form": form, "resource": None, "county_units": county_units}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk, manage=True)
    county_units = _county_units(request)
    version = resource.current_version
    initial = {
        "title": resource.title,
        "description": resource.description,
        "category": resource.category,
        "keywords": resource.keywords,
        "update_frequency": resource.update_frequency,
        "sharing": resource.sharing,
        "shared_units": [u.pk for u in selectors.shared_units(resource)],
        "contact": resource.contact,
    }
    form = EntryForm(request.POST or None, initial=initial, county_units=county_units)
    schema = list(version.schema) if version is not None else []
    if request.method == "POST":
        if schema:
            schema = [
                {
                    "name": request.POST.get(f"col-{i}-name", ""),
                    "type": request.POST.get(f"col-{i}-type", ""),
                    "description": request.POST.get(f"col-{i}-description", ""),
                }
                for i in range(len(schema))
            ]
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.resource_update(
                    actor=request.user,  # type: ignore[arg-type]
                    resource=resource,
                    title=d["title"],
                    description=d["description"],
                    category=d["category"],
                    keywords=d["keywords"],
                    update_frequency=d["update_frequency"],
                    sharing=d["sharing"],
                    shared_unit_ids=d["shared_units"] or [],
                    contact=d["contact"],
                    schema=schema or None,
                    request=request,
                )
            except TongbanError as exc:
                _error(form, exc)
            else:
                messages.success(request, _("目录信息已保存。"))
                return redirect("library:detail", pk=resource.pk)
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "resource": resource,
            "county_units": county_units,
            "schema": schema,
            "column_types": ColumnType.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk, manage=True)
    form = VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("file")
        if upload is None:
            form.add_error(None, _("请选择要上传的文件。"))
        else:
            try:
                version = services.version_add(
                    actor=request.user,  # type: ignore[arg-type]
                    resource=resource,
                    file=upload,
                    file_name=upload.name or "",
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except TongbanError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已上传新版本 v%(n)d。") % {"n": version.number})
                return redirect("library:detail", pk=resource.pk)
    return render(request, "library/version_form.html", {"form": form, "resource": resource})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    user = request.user
    manage = access.can_manage(user, resource)
    return render(
        request,
        "library/detail.html",
        {
            "resource": resource,
            "version": resource.current_version,
            "versions": selectors.versions(resource),
            "shared_units": selectors.shared_units(resource)
            if resource.sharing == SharingLevel.RESTRICTED
            else [],
            "can_manage": manage,
            "can_download": access.can_download(user, resource),
            "requestable": access.requestable_units(user, resource),
            "my_requests": selectors.my_requests(user, resource),
            "requests": selectors.resource_requests(resource) if manage else [],
            "request_form": RequestForm(),
        },
    )


def download_response(version: ResourceVersion) -> FileResponse:
    """The stored file: our content type (never the uploader's), nosniff, sandboxed."""
    response = FileResponse(
        version.file.open("rb"), as_attachment=True, filename=version.name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def download(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponseBase:
    resource = _resource(request, pk)
    version = (
        resource.current_version
        if number is None
        else _guard(lambda: selectors.access_version(resource, number))
    )
    if version is None:
        raise Http404(_("该资源还没有文件。"))
    _guard(
        lambda: services.download_record(
            actor=request.user,  # type: ignore[arg-type]
            resource=resource,
            version=version,
            request=request,
        )
    )
    return download_response(version)


@login_required
@require_POST
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写申请理由（用途），不超过 1000 字。"))
        return redirect("library:detail", pk=resource.pk)
    try:
        _guard(
            lambda: services.request_create(
                actor=request.user,  # type: ignore[arg-type]
                resource=resource,
                reason=form.cleaned_data["reason"],
                unit_id=_int(request.POST.get("unit")),
                request=request,
            )
        )
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("申请已提交，提供单位将在 10 个工作日内答复。"))
    return redirect("library:detail", pk=resource.pk)


@login_required
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    can_decide = bool(access.admin_unit_ids(request.user))
    box = request.GET.get("box", "incoming" if can_decide else "outgoing")
    if box not in ("incoming", "outgoing") or (box == "incoming" and not can_decide):
        box = "outgoing"
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    if box == "incoming":
        qs = selectors.incoming_requests(request.user, status=status)
    else:
        qs = selectors.outgoing_requests(request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "library/requests.html",
        {
            "page": page,
            "box": box,
            "status": status,
            "statuses": RequestStatus.choices,
            "can_decide": can_decide,
            "approve_form": ApproveForm(),
        },
    )


def _decide(request: HttpRequest, pk: int, fn: Callable[[Any], Any], ok: str) -> HttpResponse:
    req = _guard(lambda: selectors.access_request(pk, request.user))
    try:
        _guard(lambda: fn(req))
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, ok)
    return redirect(request.POST["next"] if _safe_next(request) else "library:requests")


def _safe_next(request: HttpRequest) -> bool:
    nxt = request.POST.get("next", "")
    return nxt.startswith("/library/") and "//" not in nxt


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = ApproveForm(request.POST)
    if not form.is_valid():
        _guard(lambda: selectors.access_request(pk, request.user))
        messages.error(request, _("使用期限的日期格式不正确。"))
        return redirect("library:requests")
    return _decide(
        request,
        pk,
        lambda req: services.request_approve(
            actor=request.user,  # type: ignore[arg-type]
            req=req,
            expires_on=form.cleaned_data["expires_on"],
            note=form.cleaned_data["note"],
            request=request,
        ),
        _("已同意该申请。"),
    )


@login_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    form = RefuseForm(request.POST)
    reason = form.data.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    return _decide(
        request,
        pk,
        lambda req: services.request_refuse(
            actor=request.user,  # type: ignore[arg-type]
            req=req,
            reason=str(reason)[:500],
            request=request,
        ),
        _("已答复不予同意。"),
    )


@login_required
@require_GET
def download_log(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk, manage=True)
    page = Paginator(selectors.download_log(resource), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    stats = selectors.download_stats(resource)
    return render(
        request,
        "library/downloads.html",
        {
            "resource": resource,
            "page": page,
            "stats": stats,
            "chart": {
                "months": [m["month"] for m in stats.by_month],
                "counts": [m["count"] for m in stats.by_month],
            },
        },
    )
