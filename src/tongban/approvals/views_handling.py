"""Staff pages of case handling (/approvals/cases/…): the unit's boxes, the case page (applicant,
form, materials, the clock's working, the route, notices and the actions open to this user),
the action posts, downloads through access checks, and the counter (窗口代办). Thin: parse,
load through ``handling_selectors.access_*``, call one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.approvals import clock, handling, processes
from tongban.approvals import handling_selectors as sel
from tongban.approvals.forms_handling import ACTION_FORMS, CounterForm, ExtensionDecideForm
from tongban.approvals.models import Case, EventKind, ExtensionRequest
from tongban.core import clock as core_clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError

View = Callable[..., Any]


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


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@_errors_as_http
def case_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "pending")
    if box not in dict(sel.BOXES):
        box = "pending"
    q = request.GET.get("q", "").strip()[:64]
    unit_id = _int(request.GET.get("unit"))
    scope = sel.scope_of(request.user)
    if scope.empty:
        raise PermissionDenied("approvals.no_cases", _("您没有可查看的办件。"))
    page, rows = sel.case_page(request.user, box=box, q=q, unit_id=unit_id, page=request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "approvals/staff/case_list.html",
        {
            "box": box,
            "boxes": sel.BOXES,
            "counts": sel.box_counts(request.user, unit_id),
            "q": q,
            "unit_id": unit_id,
            "units": sel.handler_units(request.user)
            if len(scope.unit_ids) > 1 or scope.supervisor_counties
            else [],
            "page": page,
            "rows": rows,
            "params": params.urlencode(),
            "today": core_clock.today(),
        },
    )


def _form_rows(case: Case) -> list[tuple[str, Any]]:
    data = case.form_data or {}
    rows = []
    seen = set()
    for f in case.version.form_schema or []:
        key = f.get("key")
        if key in data:
            rows.append((f.get("label") or key, data[key]))
            seen.add(key)
    rows.extend((k, v) for k, v in data.items() if k not in seen)
    return rows


def _forms(case: Case, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {}
    for name, cls in ACTION_FORMS.items():
        if bound and name in bound:
            out[name] = bound[name]
            continue
        if name == "supplement":
            out[name] = cls(material_choices=[(m.pk, m.name) for m in case.version.materials.all()])
        else:
            out[name] = cls()
    return out


def _case_context(request: HttpRequest, case: Case, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    today = core_clock.today()
    c = clock.case_clock(case, today)
    actions = sel.actions_for(request.user, case)
    pending = list(ExtensionRequest.objects.filter(case=case).select_related("requested_by", "decided_by"))
    from tongban.workflow import selectors as wf_selectors

    my_items = (
        [
            i
            for i in wf_selectors.open_items_for(
                user=request.user, subject_type=handling.SUBJECT_TYPE, subject_id=case.pk
            )
        ]
        if case.instance_id
        else []
    )
    return {
        "case": case,
        "form_rows": _form_rows(case),
        "materials": list(case.materials.select_related("material").order_by("round", "id")),
        "clock": c,
        "clock_lines": [
            (ln, EventKind(ln.kind).label if ln.kind in EventKind.values else ln.kind) for ln in c.lines
        ],
        "light": c.light(today),
        "today": today,
        "route": sel.route(case),
        "notices": list(case.notices.order_by("id")),
        "supplements": list(case.supplements.prefetch_related("materials").order_by("id")),
        "extensions": pending,
        "fees": list(case.fees.order_by("id")),
        "certificate": getattr(case, "certificate", None),
        "actions": actions,
        "any_action": any(actions.values()),
        "forms": _forms(case, bound),
        "ext_form": ExtensionDecideForm(),
        "ext_max": handling.extension_max(case),
        "step_names": sel.step_names(case),
        "step_label": dict(sel.step_names(case)).get(case.current_step, case.current_step),
        "my_items": my_items,
        "decide_step": processes.DECIDE_STEP,
        "read_only": not sel.can_handle(request.user, case),
    }


@login_required
@_errors_as_http
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = sel.access_case_for_staff(request.user, pk)
    return render(request, "approvals/staff/case_detail.html", _case_context(request, case))


def _run(action: str, case: Case, actor: Any, d: dict[str, Any]) -> str:
    if action == "accept":
        handling.case_accept(case=case, actor=actor, note=d.get("note", ""))
        return _("已受理，受理通知书已送达申请人。")
    if action == "reject":
        handling.case_reject(case=case, actor=actor, reason=d.get("reason", ""), text=d.get("text", ""))
        return _("已作出不予受理决定，通知书已送达申请人。")
    if action == "supplement":
        handling.case_request_supplement(
            case=case,
            actor=actor,
            materials=[int(x) for x in d.get("materials") or []],
            items_text=d.get("items_text", ""),
            late_reason=d.get("late_reason", ""),
        )
        return _("已一次性告知申请人补正。")
    if action == "review":
        handling.step_complete(case=case, actor=actor, opinion=d.get("opinion", ""))
        return _("审查意见已提交。")
    if action == "decide":
        handling.case_decide(
            case=case,
            actor=actor,
            decision=d.get("decision", ""),
            reasons=d.get("reasons", ""),
            appeal_rights=d.get("appeal_rights", ""),
        )
        return _("已作出决定，决定书已送达申请人。")
    if action == "pause":
        handling.case_pause(
            case=case,
            actor=actor,
            reason=d["reason"],
            expected_days=d["expected_days"],
            note=d.get("note", ""),
        )
        return _("办件已挂起，特别程序告知书已送达申请人。")
    if action == "resume":
        handling.case_resume(case=case, actor=actor, note=d.get("note", ""))
        return _("已恢复办理。")
    if action == "extend":
        handling.extension_request(case=case, actor=actor, days=d["days"], reason=d.get("reason", ""))
        return _("延期申请已提交单位负责人审批。")
    if action == "fee":
        handling.fee_charge(case=case, actor=actor, name=d["name"], amount=d["amount"])
        return _("已登记收费。")
    if action == "withdraw":
        handling.case_withdraw(case=case, actor=actor, note=d.get("note", ""))
        return _("已登记撤回申请。")
    if action == "certify":
        cert = handling.certificate_issue(case=case, actor=actor)
        return _("已颁发电子证照 %(no)s。") % {"no": cert.number}
    raise NotFound("approvals.no_action", _("没有该操作。"))


@login_required
@require_POST
@_errors_as_http
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = sel.access_case_for_staff(request.user, pk)
    data: dict[str, Any] = {}
    form = None
    if action in ACTION_FORMS:
        cls = ACTION_FORMS[action]
        if action == "supplement":
            form = cls(request.POST, material_choices=[(m.pk, m.name) for m in case.version.materials.all()])
        else:
            form = cls(request.POST)
        if not form.is_valid():
            return render(
                request,
                "approvals/staff/case_detail.html",
                {**_case_context(request, case, {action: form}), "open_action": action},
                status=400,
            )
        data = form.cleaned_data
    elif action != "certify":
        raise NotFound("approvals.no_action", _("没有该操作。"))
    try:
        done = _run(action, case, request.user, data)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        if form is not None and exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
        else:
            messages.error(request, str(exc.message))
        if form is None:
            return redirect("approvals:case", pk=case.pk)
        return render(
            request,
            "approvals/staff/case_detail.html",
            {**_case_context(request, case, {action: form}), "open_action": action},
            status=400,
        )
    messages.success(request, done)
    return redirect("approvals:case", pk=case.pk)


@login_required
@require_POST
@_errors_as_http
def extension_decide(request: HttpRequest, pk: int, ext_id: int) -> HttpResponse:
    case = sel.access_case_for_staff(request.user, pk)
    req = sel.access_extension(request.user, ext_id)
    if req.case_id != case.pk:
        raise NotFound("approvals.no_extension", _("找不到该延期申请。"))
    form = ExtensionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意。"))
        return redirect("approvals:case", pk=case.pk)
    try:
        handling.extension_decide(
            request=req,
            actor=request.user,
            approve=form.cleaned_data["approve"] == "1",
            note=form.cleaned_data["note"],
        )
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("approvals:case", pk=case.pk)
    messages.success(request, _("延期申请已审批。"))
    return redirect("approvals:case", pk=case.pk)


def _file(f: Any, name: str, content_type: str = "") -> Any:
    resp = FileResponse(f.open("rb"), as_attachment=True, filename=name)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    resp["X-Content-Type-Options"] = "nosniff"
    if content_type:
        resp["Content-Type"] = content_type
    return resp


@login_required
@_errors_as_http
def material_download(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    m = sel.access_material(request.user, pk, mid)
    return _file(m.file, m.name)


@login_required
@_errors_as_http
def notice_download(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    from django.core.files.base import ContentFile

    from tongban.approvals import papers

    n = sel.access_notice(request.user, pk, nid)
    try:
        data = papers.notice_pdf(n, actor=request.user)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("approvals:case", pk=pk)
    f = ContentFile(data, name=f"{n.case.tracking_no}-{n.pk}.pdf")
    resp = HttpResponse(f.read(), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition_header(True, f"{n.case.tracking_no}-{n.title}.pdf")
    return resp


@login_required
@_errors_as_http
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    case = sel.access_case_for_staff(request.user, pk)
    cert = getattr(case, "certificate", None)
    if cert is None or not cert.pdf:
        raise NotFound("approvals.no_certificate", _("该办件尚未颁发证照。"))
    return _file(cert.pdf, f"{cert.number}.pdf", "application/pdf")


# --- counter (窗口代办) ---------------------------------------------------------------------------
def _counter_allowed(user: Any) -> bool:
    from tongban.orgs.models import BusinessRole, RoleGrant

    return RoleGrant.objects.filter(user=user, role=BusinessRole.WINDOW_CLERK).exists()


@login_required
@_errors_as_http
def counter(request: HttpRequest) -> HttpResponse:
    """窗口代办: choose the item (by code or name), then the applicant's details, the form and the
    materials; files through ``handling.counter_file``."""
    from tongban.approvals import catalogue_selectors
    from tongban.orgs import selectors as org_selectors

    if not _counter_allowed(request.user):
        raise PermissionDenied("approvals.counter_clerk", _("窗口代办须由窗口人员办理。"))
    county = org_selectors.county_for_user(request.user)
    code = (request.POST.get("item") or request.GET.get("item") or "").strip()[:64]
    q = request.GET.get("q", "").strip()[:50]
    item = None
    if code:
        try:
            item = catalogue_selectors.item_by_code(code)
        except NotFound:
            messages.error(request, _("事项不存在或未发布。"))
            item = None
        if item is not None and county is not None and item.county_id != county.pk:
            item = None
    choices = list(catalogue_selectors.items_published(county=county, q=q)[:50]) if not item else []
    form = CounterForm(request.POST or None, initial={"item": code})
    version = item.current if item is not None else None
    schema = list(version.form_schema or []) if version is not None else []
    materials = list(version.materials.all()) if version is not None else []
    values = (
        {f["key"]: request.POST.get(f"f_{f['key']}", "") for f in schema} if request.method == "POST" else {}
    )
    error = ""
    if request.method == "POST" and item is not None and form.is_valid():
        files: list[tuple[int | None, Any]] = []
        for m in materials:
            for f in request.FILES.getlist(f"material_{m.pk}"):
                files.append((m.pk, f))
        for f in request.FILES.getlist("material_other"):
            files.append((None, f))
        try:
            case = handling.counter_file(
                actor=request.user,
                item=item,
                applicant=form.applicant(),
                form_data=values,
                files=files,
                title=form.cleaned_data.get("title", ""),
            )
        except PermissionDenied:
            raise
        except TongbanError as exc:
            error = str(exc.message)
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, error)
        else:
            messages.success(
                request,
                _("已代为提交申请，受理编号 %(no)s，收件回执已发送申请人。") % {"no": case.tracking_no},
            )
            return redirect("approvals:case", pk=case.pk)
    recent = sel.cases_for_unit(request.user, box="all", mine=True)[:10]
    return render(
        request,
        "approvals/staff/counter.html",
        {
            "item": item,
            "choices": choices,
            "q": q,
            "form": form,
            "schema": schema,
            "values": values,
            "materials": materials,
            "error": error,
            "recent": list(recent),
        },
        status=400 if error else 200,
    )
