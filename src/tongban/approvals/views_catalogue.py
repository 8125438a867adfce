"""Staff pages of the catalogue (事项管理, /approvals/catalogue/…): the list, an item with its
version history and diff, the draft editor, and submit / publish / return / withdraw. Thin: parse,
load through catalogue_selectors.access_*, call one service of :mod:`tongban.approvals.catalogue`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.approvals import catalogue, processes
from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.forms_catalogue import (
    FeeFormSet,
    FieldFormSet,
    ItemCreateForm,
    MaterialFormSet,
    StepFormSet,
    VersionForm,
    fees_in,
    materials_in,
    schema_in,
    steps_in,
)
from tongban.approvals.models import ItemStatus, ItemType, ItemVersion, ServiceItem
from tongban.core import files
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.orgs.models import Unit

PAGE_SIZE = 30


def _guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Staff login required; NotFound → 404, PermissionDenied → 403 (nothing changed)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            sel.require_catalogue_admin(request.user)
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@_guarded
@require_GET
def catalogue_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    department_id = _int(request.GET.get("department"))
    status = request.GET.get("status", "")
    item_type = request.GET.get("type", "")
    if item_type not in ItemType.values:
        item_type = ""
    qs = sel.items_for_staff(
        request.user, department_id=department_id, status=status, item_type=item_type, q=q
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "approvals/catalogue/list.html",
        {
            "page": page,
            "q": q,
            "department_id": department_id,
            "status": status,
            "item_type": item_type,
            "departments": list(sel.editable_departments(request.user).only("id", "name", "short_name")),
            "statuses": [(sel.PENDING, _("待发布")), *ItemStatus.choices],
            "types": ItemType.choices,
            "query": query.urlencode(),
            "office": sel.is_office_admin(request.user),
        },
    )


@_guarded
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    departments = [(u.pk, u.name) for u in sel.editable_departments(request.user)]
    form = ItemCreateForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            department = sel.editable_departments(request.user).get(pk=int(d["department"]))
            parent = None
            if d["parent"]:
                parent = ServiceItem.objects.filter(
                    county=department.county_id, code=d["parent"].strip()
                ).first()
                if parent is None:
                    raise TongbanError("approvals.parent_invalid", _("上级事项编码不存在。"), field="parent")
            item = catalogue.item_create(
                actor=request.user,
                department=department,
                code=d["code"],
                name=d["name"],
                item_type=d["item_type"],
                parent=parent,
                variant=d["variant"] or "",
                legal_basis=d["legal_basis"],
                statutory_limit=d["statutory_limit"],
                committed_limit=d["committed_limit"],
                process_key=d["process_key"],
                request=request,
            )
        except TongbanError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("事项已新增，请完善草稿后提交发布。"))
            draft = sel.open_version(item)
            return (
                redirect("approvals:catalogue_edit", pk=draft.pk)
                if draft
                else redirect("approvals:catalogue_item", pk=item.pk)
            )
    return render(request, "approvals/catalogue/new.html", {"form": form})


@_guarded
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = sel.access_item(request.user, pk)
    versions = sel.item_versions(item)
    shown = item.current or (versions[0] if versions else None)
    return render(
        request,
        "approvals/catalogue/item.html",
        {
            "item": item,
            "versions": versions,
            "open_version": next((v for v in versions if v.status in sel.OPEN_VERSION_STATUSES), None),
            "shown": sel.version_detail(shown.pk) if shown else None,
            "office": sel.is_office_admin(request.user),
            "children": list(item.children.select_related("current").order_by("sort", "code")),
        },
    )


@_guarded
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = sel.access_version(request.user, pk)
    return render(
        request,
        "approvals/catalogue/version.html",
        {
            "item": version.item,
            "shown": sel.version_detail(version.pk),
            "office": sel.is_office_admin(request.user),
        },
    )


@_guarded
@require_GET
def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    item = sel.access_item(request.user, pk)
    versions = sel.item_versions(item)
    by_number = {v.number: v for v in versions}
    b = by_number.get(_int(request.GET.get("b")) or -1) or (versions[0] if versions else None)
    default_a = next((v for v in versions if b is not None and v.number < b.number), None)
    a = by_number.get(_int(request.GET.get("a")) or -1) or default_a
    rows = sel.version_diff(sel.version_detail(a.pk), sel.version_detail(b.pk)) if a and b else []
    return render(
        request,
        "approvals/catalogue/diff.html",
        {"item": item, "versions": versions, "a": a, "b": b, "rows": rows},
    )


def _formsets(request: HttpRequest, v: ItemVersion, process_key: str | None = None) -> dict[str, Any]:
    if request.method == "POST" and process_key is None:
        return {
            "materials": MaterialFormSet(request.POST, request.FILES, prefix="m"),
            "fees": FeeFormSet(request.POST, prefix="f"),
            "steps": StepFormSet(request.POST, prefix="s"),
            "fields": FieldFormSet(request.POST, prefix="x"),
        }
    limits = {s.key: s for s in v.steps.all()}
    key = process_key or v.process_key
    steps = []
    for k, name in catalogue.process_steps(key) or catalogue.process_steps(processes.DEFAULT_PROCESS):
        s = limits.get(k)
        steps.append(
            {
                "key": k,
                "name": s.name if s else str(name),
                "limit": s.limit
                if s
                else (catalogue.CERTIFICATE_STEP_MAX if k == processes.CERTIFY_STEP else 1),
                "counts": s.counts if s else k != processes.CERTIFY_STEP,
            }
        )
    return {
        "materials": MaterialFormSet(
            prefix="m",
            initial=[
                {
                    "id": m.pk,
                    "name": m.name,
                    "form": m.form,
                    "copies": m.copies,
                    "required": m.required,
                    "note": m.note,
                }
                for m in v.materials.all()
            ],
        ),
        "fees": FeeFormSet(
            prefix="f", initial=[{"name": f.name, "amount": f.amount, "basis": f.basis} for f in v.fees.all()]
        ),
        "steps": StepFormSet(prefix="s", initial=steps),
        "fields": FieldFormSet(
            prefix="x",
            initial=[
                {**f, "choices": "，".join(f.get("choices") or [])}
                for f in (v.form_schema or [])
                if isinstance(f, dict)
            ],
        ),
    }


def _units(v: ItemVersion) -> list[tuple[int, str]]:
    return [
        (u.pk, u.name)
        for u in Unit.objects.filter(county_id=v.item.county_id, is_active=True)
        .only("id", "name")
        .order_by("sort", "id")
    ]


@_guarded
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = sel.access_version(request.user, pk)
    if version.status not in sel.EDITABLE_STATUSES:
        messages.error(request, _("该版本已提交或已发布，不能再修改；请新建修订草稿。"))
        return redirect("approvals:catalogue_item", pk=version.item_id)
    initial = {
        f: getattr(version, f)
        for f in catalogue.VERSION_FIELDS
        if f not in ("implementing_unit", "form_schema")
    }
    initial["implementing_unit"] = version.implementing_unit_id
    form = VersionForm(request.POST or None, initial=initial, units=_units(version))
    sets = _formsets(request, version)
    if request.method == "POST":
        valid = form.is_valid() and all(fs.is_valid() for fs in sets.values())
        if valid:
            posted_keys = [d.get("key") for d in (f.cleaned_data for f in sets["steps"].forms) if d]
            if posted_keys != processes.step_keys(form.cleaned_data["process_key"]):
                # The process was changed: show the new process's steps to set their limits.
                sets["steps"] = _formsets(request, version, process_key=form.cleaned_data["process_key"])[
                    "steps"
                ]
                form.add_error("process_key", _("办理流程已更改，请设置新流程各环节的时限后再保存。"))
                valid = False
        if valid:
            d = dict(form.cleaned_data)
            d["implementing_unit"] = Unit.objects.filter(pk=int(d["implementing_unit"])).first()
            d["form_schema"] = schema_in(sets["fields"])
            try:
                with transaction.atomic():
                    saved = catalogue.version_update(
                        actor=request.user,
                        version=version,
                        fields=d,
                        materials=materials_in(sets["materials"]),
                        fees=fees_in(sets["fees"]),
                        steps=steps_in(sets["steps"]),
                        request=request,
                    )
                    if request.POST.get("action") == "submit":
                        catalogue.version_submit(actor=request.user, version=saved, request=request)
            except TongbanError as exc:
                if isinstance(exc, (NotFound, PermissionDenied)):
                    raise
                if exc.field in form.fields:
                    form.add_error(exc.field, str(exc.message))
                else:
                    form.add_error(None, str(exc.message))
            else:
                if request.POST.get("action") == "submit":
                    messages.success(request, _("已提交县行政审批局发布。"))
                    return redirect("approvals:catalogue_item", pk=version.item_id)
                messages.success(request, _("草稿已保存。"))
                return redirect("approvals:catalogue_edit", pk=version.pk)
    samples = {m.pk: m for m in version.materials.all()}
    return render(
        request,
        "approvals/catalogue/edit.html",
        {
            "item": version.item,
            "version": version,
            "form": form,
            **sets,
            "material_rows": [
                (row, samples.get(_int(row["id"].value()) or 0)) for row in sets["materials"].forms
            ],
        },
    )


def _act(request: HttpRequest, fn: Callable[[], Any], ok: str) -> bool:
    try:
        fn()
    except (NotFound, PermissionDenied):
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, ok)
    return True


@_guarded
@require_POST
def item_draft(request: HttpRequest, pk: int) -> HttpResponse:
    item = sel.access_item(request.user, pk)
    result: dict[str, ItemVersion] = {}

    def go() -> None:
        result["v"] = catalogue.version_draft(
            actor=request.user, item=item, note=request.POST.get("note", "")[:2000], request=request
        )

    if _act(request, go, _("已新建修订草稿。")):
        return redirect("approvals:catalogue_edit", pk=result["v"].pk)
    return redirect("approvals:catalogue_item", pk=item.pk)


@_guarded
@require_POST
def version_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    version = sel.access_version(request.user, pk)
    u = request.user
    if action == "submit":
        _act(
            request,
            lambda: catalogue.version_submit(actor=u, version=version, request=request),
            _("已提交发布。"),
        )
    elif action == "publish":
        _act(
            request,
            lambda: catalogue.version_publish(actor=u, version=version, request=request),
            _("已发布。"),
        )
    elif action == "return":
        reason = request.POST.get("reason", "")
        _act(
            request,
            lambda: catalogue.version_return(actor=u, version=version, reason=reason, request=request),
            _("已退回部门修改。"),
        )
    elif action == "discard":
        _act(
            request,
            lambda: catalogue.version_discard(actor=u, version=version, request=request),
            _("草稿已删除。"),
        )
    else:
        raise Http404
    return redirect("approvals:catalogue_item", pk=version.item_id)


@_guarded
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = sel.access_item(request.user, pk)
    u = request.user
    if action == "withdraw":
        reason = request.POST.get("reason", "")
        _act(
            request,
            lambda: catalogue.item_withdraw(actor=u, item=item, reason=reason, request=request),
            _("事项已停用。"),
        )
    elif action == "restore":
        _act(request, lambda: catalogue.item_restore(actor=u, item=item, request=request), _("事项已恢复。"))
    else:
        raise Http404
    return redirect("approvals:catalogue_item", pk=item.pk)


@_guarded
@require_GET
def material_sample(request: HttpRequest, pk: int) -> HttpResponseBase:
    material = sel.access_material(request.user, pk)
    if not material.sample:
        raise Http404(_("示范文本不存在。"))
    return sample_response(material)


def sample_response(material: Any) -> FileResponse:
    name = material.sample.name.rsplit("/", 1)[-1]
    content_type = files.ALLOWED.get(files.extension(name), ("application/octet-stream", None))[0]
    return FileResponse(
        material.sample.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
