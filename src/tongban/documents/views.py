"""Pages of 发文: the list, the drafting form, the document page with the current user's step,
attachments, versions side by side, PDF/.docx/signed PDF, and the series (发文字号) page.
Thin: parse, load through ``selectors.access_*``, call one service."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.documents import rules, selectors, services
from tongban.documents.forms import ArchiveForm, DocumentForm, SeriesForm, UploadForm, WithdrawForm
from tongban.documents.models import Attachment, DocStatus, DocType, Document, NumberSeries
from tongban.documents.sanitize import clean_html
from tongban.identity.models import User
from tongban.orgs import selectors as org_selectors
from tongban.orgs.models import BusinessRole, RoleGrant, Unit

View = Callable[..., HttpResponse]


def _errors_as_http(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            return HttpResponseForbidden(str(exc.message))

    return wrapper


def _choices(user: Any, doc: Document | None = None) -> dict[str, Any]:
    county = org_selectors.county_for_user(user)
    units = (
        [(u.pk, u.name) for u in Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")]
        if county
        else []
    )
    unit = doc.unit if doc else org_selectors.user_primary_unit(user)
    series = [(s.pk, s.prefix) for s in selectors.series_for_unit(unit)] if unit else []
    people_ids = set()
    if unit is not None:
        people_ids |= set(unit.posts.values_list("user_id", flat=True))
    if county is not None:
        people_ids |= set(
            RoleGrant.objects.filter(county=county, role=BusinessRole.COUNTY_LEADER).values_list(
                "user_id", flat=True
            )
        )
    if doc is not None:
        people_ids |= set(doc.named_readers.values_list("pk", flat=True))
    people = [
        (u.pk, u.full_name or u.username)
        for u in User.objects.filter(pk__in=people_ids, is_active=True).order_by("pinyin")
    ]
    return {"units": units, "series": series, "people": people}


def _initial(doc: Document) -> dict[str, Any]:
    lists = selectors.recipient_lists(doc)
    data = {f: getattr(doc, f) for f in services.ELEMENT_FIELDS}
    data.update(
        series=doc.series_id,
        main_units=lists["main_units"],
        cc_units=lists["cc_units"],
        main_external="、".join(lists["main_external"]),
        cc_external="、".join(lists["cc_external"]),
        organs=[o.unit_id for o in doc.organs.all() if not o.is_lead],
        named_readers=list(doc.named_readers.values_list("pk", flat=True)),
        body_html=doc.body_html,
    )
    return data


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    f = selectors.DocumentFilter(
        q=request.GET.get("q", "").strip()[:50],
        status=request.GET.get("status", "") if request.GET.get("status", "") in DocStatus.values else "",
        doc_type=request.GET.get("doc_type", "") if request.GET.get("doc_type", "") in DocType.values else "",
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        scope=request.GET.get("scope", "unit")
        if request.GET.get("scope") in {"unit", "mine", "all"}
        else "unit",
    )
    page = Paginator(selectors.document_list(request.user, f), 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "documents/document_list.html",
        {
            "page": page,
            "f": f,
            "statuses": DocStatus.choices,
            "doc_types": DocType.choices,
            "params": params.urlencode(),
            "can_draft": bool(org_selectors.units_for_user(request.user)),
        },
    )


@login_required
@_errors_as_http
def document_new(request: HttpRequest) -> HttpResponse:
    choices = _choices(request.user)
    form = DocumentForm(request.POST or None, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.document_create(actor=request.user, data=form.to_data())
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("已保存草稿，请在“拟稿”环节提交。"))
            return redirect("documents:detail", pk=doc.pk)
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "doc": None, "body_clean": _body(form), "editor_labels": _editor_labels()},
    )


@login_required
@_errors_as_http
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="edit")
    if not services.may_edit(doc, request.user):
        raise PermissionDenied("documents.not_editable", _("当前环节您不能修改此公文。"))
    form = DocumentForm(request.POST or None, initial=_initial(doc), **_choices(request.user, doc))
    if request.method == "POST" and form.is_valid():
        step = next(
            (
                services.step_of(i)
                for i in _open_items(doc, request.user)
                if services.step_of(i) in rules.EDIT_STEPS
            ),
            "",
        )
        try:
            services.document_update(document=doc, actor=request.user, data=form.to_data(), step=step)
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("已保存。"))
            return redirect("documents:detail", pk=doc.pk)
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "doc": doc, "body_clean": _body(form), "editor_labels": _editor_labels()},
    )


def _editor_labels() -> str:
    """Accessible names of the editor's toolbar controls (Quill has none), as JSON for data-labels."""
    return json.dumps(
        {
            "toolbar": _("正文格式"),
            "bold": _("加粗"),
            "italic": _("倾斜"),
            "underline": _("下划线"),
            "list-ordered": _("编号列表"),
            "list-bullet": _("项目符号列表"),
            "clean": _("清除格式"),
            "header": _("标题级别"),
            "header-1": _("一级标题"),
            "header-2": _("二级标题"),
            "header-3": _("三级标题"),
            "header-none": _("正文"),
            "align": _("对齐方式"),
            "align-none": _("左对齐"),
            "align-center": _("居中"),
            "align-right": _("右对齐"),
            "align-justify": _("两端对齐"),
        },
        ensure_ascii=False,
    )


def _body(form: DocumentForm) -> str:
    """The editor's starting content, sanitised again: a re-shown POST must not reflect markup."""
    return clean_html(str(form["body_html"].value() or ""))


def _open_items(doc: Document, user: Any) -> list[Any]:
    if doc.instance_id is None:
        return []
    from tongban.workflow import selectors as wfs

    return list(wfs.open_items_for(user=user, subject_type=services.SUBJECT_TYPE, subject_id=doc.pk))


def _route(doc: Document) -> list[Any]:
    if doc.instance_id is None:
        return []
    from tongban.workflow import selectors as wfs

    return list(wfs.route(doc.instance))


@login_required
@_errors_as_http
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request)
    items = _open_items(doc, request.user)
    steps = []
    for item in items:
        step = services.step_of(item)
        steps.append(
            {
                "item": item,
                "step": step,
                "form": services.form_of(item),
                "candidates": selectors.next_candidates(doc, step)
                if step in {rules.STEP_DRAFT, rules.STEP_OFFICE_REVIEW}
                else [],
                "changed_after_signoff": step == rules.STEP_RECHECK
                and selectors.body_changed_since_signoff(doc),
            }
        )
    county = doc.county
    can_manage = org_selectors.user_has_role(
        request.user, BusinessRole.CLERK, doc.unit
    ) or org_selectors.user_has_role(request.user, BusinessRole.OFFICE_HEAD, doc.unit)
    ctx = {
        "doc": doc,
        "steps": steps,
        "route": _route(doc),
        "versions": selectors.versions(doc),
        "attachments": list(doc.attachments.all()),
        "organs": list(doc.organs.all()),
        "recipients": list(doc.recipients.select_related("unit")),
        "signoffs": list(doc.signoffs.all()),
        "may_edit": services.may_edit(doc, request.user),
        "can_withdraw": rules.can_withdraw(doc.status)
        and (
            doc.created_by_id == request.user.pk
            or org_selectors.user_has_role(request.user, BusinessRole.OFFICE_HEAD, doc.unit)
        ),
        "can_archive": rules.can_archive(doc.status) and can_manage,
        "series": list(selectors.series_for_unit(doc.unit)),
        "county_units": list(
            Unit.objects.filter(county=county, is_active=True).exclude(pk=doc.unit_id).order_by("sort", "id")
        ),
        "archive_form": ArchiveForm(),
        "withdraw_form": WithdrawForm(),
        "retentions": list(services.RETENTIONS.items()),
        "external_recipients": [r for r in doc.recipients.all() if not r.unit_id],
        "written_date_cn": rules.chinese_date(doc.written_date),
        "retention_label": services.RETENTIONS.get(doc.retention, doc.retention),
    }
    return render(request, "documents/document_detail.html", ctx)


@login_required
@require_POST
@_errors_as_http
def document_step(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="step")
    item = next((i for i in _open_items(doc, request.user) if i.pk == int(item_id)), None)
    if item is None:
        raise NotFound("documents.item_not_found", _("该环节不在您的待办中，或已办理。"))
    data: dict[str, Any] = {
        "next_assignees": request.POST.getlist("next_assignees"),
        "countersign_units": request.POST.getlist("countersign_units"),
        "decision": request.POST.get("decision", "pass"),
        "not_substantive": request.POST.get("not_substantive") == "1",
    }
    if request.POST.get("series"):
        data["series"] = request.POST.get("series")
    if request.POST.get("copies", "").strip():
        data["copies"] = request.POST.get("copies")
    try:
        services.step_submit(
            item=item, actor=request.user, opinion=request.POST.get("opinion", ""), data=data
        )
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("documents:detail", pk=doc.pk)
    messages.success(request, _("已办理：%(step)s。") % {"step": item.step_name})
    if selectors.can_see(doc, request.user):
        return redirect("documents:detail", pk=doc.pk)
    return redirect("documents:list")


@login_required
@require_POST
@_errors_as_http
def document_import_docx(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="import")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择 .docx 文件。"))
    else:
        try:
            services.body_import_docx(document=doc, actor=request.user, file=form.cleaned_data["file"])
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已导入正文。"))
    return redirect("documents:detail", pk=doc.pk)


@login_required
@require_POST
@_errors_as_http
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="attachment")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择文件。"))
    else:
        try:
            services.attachment_add(document=doc, actor=request.user, file=form.cleaned_data["file"])
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已上传附件。"))
    return redirect("documents:detail", pk=doc.pk)


@login_required
@require_POST
@_errors_as_http
def attachment_remove(request: HttpRequest, pk: int, att_id: int) -> HttpResponse:
    att = selectors.access_attachment(att_id, request.user, request=request)
    if att.document_id != int(pk):
        raise NotFound("documents.not_found", _("附件不存在。"))
    try:
        services.attachment_remove(attachment=att, actor=request.user)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    return redirect("documents:detail", pk=pk)


@login_required
@_errors_as_http
def attachment_download(request: HttpRequest, pk: int, att_id: int) -> HttpResponse:
    att: Attachment = selectors.access_attachment(att_id, request.user, request=request)
    if att.document_id != int(pk):
        raise NotFound("documents.not_found", _("附件不存在。"))
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
@_errors_as_http
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="versions")
    versions = selectors.versions(doc)
    by_no = {v.version: v for v in versions}
    if len(versions) < 1:
        raise NotFound("documents.no_versions", _("还没有正文版本。"))

    def pick(name: str, default: int) -> Any:
        raw = request.GET.get(name, "")
        return by_no.get(int(raw)) if raw.isdigit() and int(raw) in by_no else by_no[default]

    newest = versions[-1].version
    a = pick("a", versions[-2].version if len(versions) > 1 else newest)
    b = pick("b", newest)
    return render(
        request,
        "documents/version_compare.html",
        {"doc": doc, "versions": versions, "a": a, "b": b, "rows": selectors.version_diff(a, b)},
    )


def _file_name(doc: Document, ext: str) -> str:
    base = doc.doc_number or doc.title or str(doc.pk)
    return services.safe_file_name(f"{base}.{ext}")


@login_required
@_errors_as_http
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """PDF preview (no seal) of the current state; ?download=1 as an attachment."""
    doc = selectors.access_document(pk, request.user, request=request, purpose="pdf")
    from tongban.documents.render import render_pdf, spec_from_document

    data = render_pdf(spec_from_document(doc))
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(
        disposition == "attachment", _file_name(doc, "pdf")
    )
    return response


@login_required
@_errors_as_http
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="docx")
    from tongban.documents.render import render_docx, spec_from_document

    data = render_docx(spec_from_document(doc))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, _file_name(doc, "docx"))
    return response


@login_required
@_errors_as_http
def document_sealed(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="sealed_pdf")
    if not doc.sealed_pdf:
        raise NotFound("documents.not_sealed", _("该公文尚未用印。"))
    return FileResponse(doc.sealed_pdf.open("rb"), as_attachment=True, filename=_file_name(doc, "pdf"))


@login_required
@require_POST
@_errors_as_http
def document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="withdraw")
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise TongbanError("documents.reason_required", _("请填写撤销原因。"))
        services.document_withdraw(document=doc, actor=request.user, reason=form.cleaned_data["reason"])
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤销。"))
    return redirect("documents:detail", pk=doc.pk)


@login_required
@require_POST
@_errors_as_http
def document_archive(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(pk, request.user, request=request, purpose="archive")
    try:
        services.document_archive(
            document=doc, actor=request.user, retention=request.POST.get("retention", "")
        )
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已归档。"))
    return redirect("documents:detail", pk=doc.pk)


# --- 发文字号 ------------------------------------------------------------------------------
@login_required
@_errors_as_http
def series_list(request: HttpRequest) -> HttpResponse:
    units = selectors.managed_units(request.user)
    if not units:
        raise PermissionDenied("documents.not_office_head", _("只有办公室主任可以管理发文字号。"))
    form = SeriesForm(request.POST or None)
    form.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if field.widget.input_type == "select" else "form-control"
        )  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        try:
            services.series_create(
                actor=request.user,
                unit=unit,
                prefix=form.cleaned_data["prefix"],
                name=form.cleaned_data["name"],
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("已添加发文字号系列。"))
            return redirect("documents:series")
    year = timezone.localdate().year
    rows = []
    for s in (
        NumberSeries.objects.filter(unit__in=units).select_related("unit").order_by("unit__sort", "prefix")
    ):
        counter = s.counters.filter(year=year).first()
        rows.append({"series": s, "last": counter.last if counter else 0})
    return render(request, "documents/series_list.html", {"rows": rows, "form": form, "year": year})


@login_required
@_errors_as_http
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.access_series(pk, request.user)
    year = request.GET.get("year", "")
    records = selectors.number_records(series, year=int(year) if year.isdigit() else None)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "documents/series_detail.html", {"series": series, "page": page, "year": year})


@login_required
@require_POST
@_errors_as_http
def series_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.access_series(pk, request.user)
    services.series_set_active(actor=request.user, series=series, active=not series.is_active)
    return redirect("documents:series")
