"""Pages of the organisation: the address book (everyone), organisation admin (system administrator),
business roles (security administrator), import and export. Thin: parse, load, call one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import NotFound, TongbanError
from tongban.core.permissions import admin_role_required
from tongban.identity.models import User
from tongban.orgs import selectors, services, tabular
from tongban.orgs.forms import (
    DutiesForm,
    ImportForm,
    OfficeForm,
    PostForm,
    RoleGrantForm,
    StaffForm,
    UnitForm,
)
from tongban.orgs.models import County, Unit

View = Callable[..., HttpResponse]


def _not_found_as_404(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc

    return wrapper


def system_admin_required(view: View) -> View:
    return admin_role_required("system")(_not_found_as_404(view))


def security_admin_required(view: View) -> View:
    return admin_role_required("security")(_not_found_as_404(view))


def _county(request: HttpRequest) -> County:
    try:
        return selectors.access_county(request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- address book ------------------------------------------------------------------------------


@login_required
def addressbook(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    q = request.GET.get("q", "").strip()[:50]
    unit: Unit | None = None
    if request.GET.get("unit", "").isdigit():
        try:
            unit = selectors.access_unit(int(request.GET["unit"]), request.user)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
    ctx: dict[str, Any] = {"q": q, "unit": unit}
    if q:
        ctx["page"] = selectors.addressbook_search(
            county=county, q=q, unit=unit, page=request.GET.get("page", 1)
        )
    elif unit is not None:
        ctx["groups"] = selectors.unit_people(unit)
        ctx["leaders"] = selectors.leaders_in_charge_of(unit)
    if _is_htmx(request) and request.headers.get("HX-Target") == "ab-results":
        return render(request, "orgs/_addressbook_results.html", ctx)
    ctx["tree"] = selectors.unit_tree_groups(county)
    ctx["county"] = county
    return render(request, "orgs/addressbook.html", ctx)


# --- units and offices ---------------------------------------------------------------------------


@system_admin_required
def unit_list(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    return render(
        request,
        "orgs/admin_units.html",
        {"tree": selectors.unit_tree(county, include_inactive=True), "county": county},
    )


def _unit_form_values(form: UnitForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        k: d[k]
        for k in ("unit_code", "name", "short_name", "code", "kind", "parent", "sort", "phone", "address")
    }


@system_admin_required
def unit_create(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    form = UnitForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=request.user, county=county, request=request, **_unit_form_values(form)
            )  # type: ignore[arg-type]
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已新建单位“%(name)s”。") % {"name": unit.name})
            return redirect("orgs:unit_edit", unit_id=unit.pk)
    return render(request, "orgs/admin_unit_form.html", {"form": form, "unit": None})


@system_admin_required
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    county = _county(request)
    unit = selectors.access_unit(unit_id, request.user, include_inactive=True)
    initial = {
        k: getattr(unit, k)
        for k in ("unit_code", "name", "short_name", "code", "kind", "sort", "phone", "address", "is_active")
    }
    initial["parent"] = unit.parent_id
    form = UnitForm(request.POST or None, county=county, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                actor=request.user,  # type: ignore[arg-type]
                unit=unit,
                request=request,
                is_active=form.cleaned_data["is_active"],
                **_unit_form_values(form),
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:unit_edit", unit_id=unit.pk)
    offices = unit.offices.order_by("sort", "id")
    return render(
        request,
        "orgs/admin_unit_form.html",
        {
            "form": form,
            "unit": unit,
            "offices": offices,
            "office_form": OfficeForm(initial={"sort": len(offices) + 1}),
        },
    )


@system_admin_required
@require_POST
def office_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = selectors.access_unit(unit_id, request.user, include_inactive=True)
    form = OfficeForm(request.POST)
    if form.is_valid():
        try:
            services.office_create(actor=request.user, unit=unit, request=request, **form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("已添加科室。"))
        except TongbanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请填写科室名称和排序。"))
    return redirect("orgs:unit_edit", unit_id=unit.pk)


@system_admin_required
@require_POST
def office_edit(request: HttpRequest, office_id: int) -> HttpResponse:
    office = selectors.access_office(office_id, request.user)
    form = OfficeForm(request.POST)
    if form.is_valid():
        try:
            services.office_update(actor=request.user, office=office, request=request, **form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("已保存。"))
        except TongbanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请填写科室名称和排序。"))
    return redirect("orgs:unit_edit", unit_id=office.unit_id)


@system_admin_required
@require_POST
def office_delete(request: HttpRequest, office_id: int) -> HttpResponse:
    office = selectors.access_office(office_id, request.user)
    try:
        services.office_delete(actor=request.user, office=office, request=request)  # type: ignore[arg-type]
        messages.success(request, _("已删除科室。"))
    except TongbanError as exc:
        messages.error(request, str(exc))
    return redirect("orgs:unit_edit", unit_id=office.unit_id)


# --- staff ---------------------------------------------------------------------------------------


@system_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    q = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.staff_queryset(county=county, q=q), 30).get_page(request.GET.get("page", 1))
    return render(request, "orgs/admin_staff.html", {"page": page, "q": q})


def _staff_values(form: StaffForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        k: d[k] for k in ("full_name", "mobile", "email", "unit", "office", "title", "office_phone", "sort")
    }


@system_admin_required
def staff_create(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    form = StaffForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(
                actor=request.user,  # type: ignore[arg-type]
                username=form.cleaned_data["username"],
                request=request,
                **_staff_values(form),
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已新建人员“%(name)s”。") % {"name": user.full_name})
            return redirect("orgs:staff_edit", user_id=user.pk)
    return render(request, "orgs/admin_staff_form.html", {"form": form, "person": None})


@system_admin_required
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    county = _county(request)
    person = selectors.access_staff(user_id, request.user)
    primary = selectors.user_primary_post(person)
    initial: dict[str, Any] = {
        "username": person.username,
        "full_name": person.full_name,
        "mobile": person.mobile,
        "email": person.email,
        "is_active": person.is_active,
    }
    if primary is not None:
        initial.update(
            unit=primary.unit_id,
            office=primary.office_id,
            title=primary.title,
            office_phone=primary.office_phone,
            sort=primary.sort,
        )
    form = StaffForm(request.POST or None, county=county, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(
                actor=request.user,  # type: ignore[arg-type]
                user=person,
                is_active=form.cleaned_data["is_active"],
                request=request,
                **_staff_values(form),
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:staff_edit", user_id=person.pk)
    duties = selectors.duties_of(person)
    return render(
        request,
        "orgs/admin_staff_form.html",
        {
            "form": form,
            "person": person,
            "posts": selectors.posts_of(person),
            "post_form": PostForm(county=county),
            "duties": duties,
            "duties_form": DutiesForm(county=county, initial={"units": [d.unit_id for d in duties]}),
        },
    )


@system_admin_required
@require_POST
def post_add(request: HttpRequest, user_id: int) -> HttpResponse:
    county = _county(request)
    person = selectors.access_staff(user_id, request.user)
    form = PostForm(request.POST, county=county)
    if form.is_valid():
        try:
            services.post_add(actor=request.user, user=person, request=request, **form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("已添加兼职。"))
        except TongbanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请选择单位。"))
    return redirect("orgs:staff_edit", user_id=person.pk)


@system_admin_required
@require_POST
def post_remove(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.access_post(post_id, request.user)
    try:
        services.post_remove(actor=request.user, post=post, request=request)  # type: ignore[arg-type]
        messages.success(request, _("已删除兼职。"))
    except TongbanError as exc:
        messages.error(request, str(exc))
    return redirect("orgs:staff_edit", user_id=post.user_id)


@system_admin_required
@require_POST
def duties_set(request: HttpRequest, user_id: int) -> HttpResponse:
    county = _county(request)
    person = selectors.access_staff(user_id, request.user)
    form = DutiesForm(request.POST, county=county)
    if form.is_valid():
        try:
            services.leader_duties_set(
                actor=request.user, leader=person, units=list(form.cleaned_data["units"]), request=request
            )  # type: ignore[arg-type]
            messages.success(request, _("已保存分管单位。"))
        except TongbanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("分管单位无效。"))
    return redirect("orgs:staff_edit", user_id=person.pk)


# --- business roles ------------------------------------------------------------------------------


@security_admin_required
def roles(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = selectors.access_unit(int(request.GET["unit"]), request.user)
    form = RoleGrantForm(request.POST or None, county=county, initial={"unit": unit.pk if unit else None})
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        if person is None:
            form.add_error("username", _("没有这个登录名。"))
        else:
            try:
                services.role_grant(
                    actor=request.user,  # type: ignore[arg-type]
                    user=person,
                    unit=form.cleaned_data["unit"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("已授予业务角色。"))
                return redirect(request.get_full_path())
    page = Paginator(selectors.role_grants(county=county, unit=unit), 50).get_page(request.GET.get("page", 1))
    return render(
        request,
        "orgs/roles.html",
        {"form": form, "page": page, "unit": unit, "units": selectors.county_units(county)},
    )


@security_admin_required
@require_POST
def role_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = selectors.access_grant(grant_id, request.user)
    services.role_revoke(actor=request.user, grant=grant, request=request)  # type: ignore[arg-type]
    messages.success(request, _("已撤销业务角色。"))
    return redirect("orgs:roles")


# --- import and export ---------------------------------------------------------------------------


@system_admin_required
def import_view(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    ctx: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or ""
        if upload.size > tabular.MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件超过 5 MB。"))
        else:
            data = upload.read(tabular.MAX_UPLOAD_BYTES + 1)
            try:
                table = tabular.read_upload(name, data, csv_kind=form.cleaned_data.get("csv_kind") or "")
            except tabular.UploadRejected as exc:
                form.add_error("file", str(exc))
            else:
                report = services.org_import(
                    actor=request.user, county=county, table=table, file_name=name, request=request
                )  # type: ignore[arg-type]
                ctx["report"] = report
                if report.ok:
                    messages.success(request, _("导入完成：%(summary)s") % {"summary": report.summary})
    return render(request, "orgs/import.html", ctx)


@system_admin_required
def export_view(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    data = services.org_export(actor=request.user, county=county, request=request)  # type: ignore[arg-type]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="org-{county.code}-{stamp}.xlsx"'
    return response
