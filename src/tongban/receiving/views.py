"""收文 pages: the unit's register, 手工登记, the incoming page with the user's step form, 传阅,
downloads and the printable 办理单. Thin: parse, load through selectors, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.orgs import selectors as org_selectors
from tongban.orgs.models import Post, Unit
from tongban.receiving import forms, html, rules, selectors, services, slip
from tongban.receiving.models import IncomingDocument, IncomingStatus


def _load(request: HttpRequest, pk: int) -> IncomingDocument:
    try:
        return selectors.access_incoming(pk, request.user, request=request)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(str(exc)) from exc


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def incoming_list(request: HttpRequest) -> HttpResponse:
    units = selectors.receiving_units(request.user)
    unit_id = _int(request.GET.get("unit"))
    unit = next((u for u in units if u.pk == unit_id), units[0] if units else None)
    tab = request.GET.get(
        "tab", "pending" if unit and selectors.pending_count(request.user) else "processing"
    )
    if tab not in (*selectors.TABS, "assigned"):
        tab = "processing"
    q = request.GET.get("q", "")[:50]
    handling = request.GET.get("handling", "")
    kind = request.GET.get("kind", "")
    year = _int(request.GET.get("year"))
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.incoming_list(
        user=request.user, unit=unit, tab=tab, q=q, handling=handling, kind=kind, year=year, overdue=overdue
    )
    page = selectors.incoming_page(qs, request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    from urllib.parse import urlencode

    return render(
        request,
        "receiving/list.html",
        {
            "units": units,
            "unit": unit,
            "tab": tab,
            "tabs": [
                ("pending", _("待签收")),
                ("processing", _("办理中")),
                ("done", _("已办结")),
                ("assigned", _("交办件")),
            ],
            "counts": selectors.tab_counts(user=request.user, unit=unit) if unit else {},
            "page": page,
            "q": q,
            "handling": handling,
            "kind": kind,
            "year": year or "",
            "overdue": overdue,
            "query": urlencode(params),
            "is_clerk": bool(unit and selectors.is_clerk(request.user, unit.pk)),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    """手工登记 of an external or paper document."""
    units = [u for u in selectors.receiving_units(request.user) if selectors.is_clerk(request.user, u.pk)]
    if not units:
        raise Http404(_("只有文书可以登记来文。"))
    form = forms.ExternalForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next((u for u in units if u.pk == d.get("unit")), units[0])
        try:
            incoming = services.incoming_register_external(
                actor=request.user,
                unit=unit,
                source_organ=d["source_organ"],
                source_number=d["source_number"],
                title=d["title"],
                doc_type=d["doc_type"],
                secrecy=d["secrecy"],
                urgency=d["urgency"],
                written_date=d["written_date"],
                copies=d["copies"],
                kind=d["kind"],
                handling=d["handling"],
                file=d.get("file"),
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("来文已登记并签收。"))
            return redirect("receiving:detail", incoming.pk)
    return render(request, "receiving/new.html", {"form": form})


def _people_for_circulation(incoming: IncomingDocument) -> list[tuple[User, str]]:
    """Readers to choose from: the receiving unit's staff and the county leaders in charge of it."""
    posts = (
        Post.objects.filter(unit=incoming.unit, user__is_active=True)
        .select_related("user")
        .order_by("sort", "id")
    )
    people: dict[int, tuple[User, str]] = {}
    for leader in org_selectors.leaders_in_charge_of(incoming.unit):
        people[leader.pk] = (leader, f"{leader.full_name}（{_('分管县领导')}）")
    for p in posts:
        people.setdefault(
            p.user_id, (p.user, f"{p.user.full_name}（{p.title}）" if p.title else p.user.full_name)
        )
    return list(people.values())


def _county_units(incoming: IncomingDocument) -> list[Unit]:
    return list(org_selectors.county_units(incoming.county))


def _step_form(step: str, incoming: IncomingDocument, data: Any = None) -> Any:
    cls = forms.STEP_FORMS[step]
    if step == "instruct":
        return cls(data, units=_county_units(incoming), initial={"lead_unit": incoming.unit_id})
    if step == "register":
        return cls(data, initial={"handling": incoming.handling})
    return cls(data)


def _detail_context(
    request: HttpRequest, incoming: IncomingDocument, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    items = selectors.my_open_steps(incoming, request.user)
    task_items = [i for i in items if i.kind == "task"]
    read_items = [i for i in items if i.kind == "read"]
    step_forms = []
    for item in task_items:
        if item.step in forms.STEP_FORMS:
            form = (bound or {}).get(item.step) or _step_form(item.step, incoming)
            step_forms.append({"item": item, "form": form, "step": item.step})
    circulating = any(i.step == "circulate" for i in task_items)
    source = incoming.source
    readable = selectors.can_read_source(incoming, request.user)
    if not readable:
        source = None
    return {
        "source_hidden": not readable,
        "incoming": incoming,
        "source": source,
        "organs": list(source.organs.all()) if source else [],
        "attachments": list(source.attachments.all()) if source else [],
        "body": html.clean(source.body_html) if source else "",
        "can_sign": incoming.status == IncomingStatus.PENDING
        and selectors.is_clerk(request.user, incoming.unit_id),
        "sign_form": forms.SignForm(initial={"copies": incoming.copies}),
        "step_forms": step_forms,
        "read_items": read_items,
        "circulate_form": (bound or {}).get("_circulate")
        or (forms.CirculateForm(people=_people_for_circulation(incoming)) if circulating else None),
        "route": selectors.route(incoming),
        "readers": selectors.circulation(incoming),
        "events": list(incoming.events.all()),
        "assist_units": list(incoming.assist_units.all()),
        "today": timezone.localdate(),
        "format_date": rules.format_date,
        "due_text": rules.format_date(incoming.due_date),
    }


@login_required
@require_GET
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _load(request, pk)
    return render(request, "receiving/detail.html", _detail_context(request, incoming))


@login_required
@require_POST
def incoming_sign(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _load(request, pk)
    form = forms.SignForm(request.POST)
    copies = form.cleaned_data["copies"] if form.is_valid() else None
    try:
        services.incoming_sign(incoming=incoming, actor=request.user, copies=copies)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已签收。"))
    return redirect("receiving:detail", pk)


@login_required
@require_POST
def incoming_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    incoming = _load(request, pk)
    if step not in forms.STEP_FORMS:
        raise Http404(_("未知的办理环节。"))
    form = _step_form(step, incoming, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if step == "review":
            data["accept"] = data.pop("decision") == "pass"
        if step == "instruct":
            units = {u.pk: u for u in _county_units(incoming)}
            data["lead_unit"] = units.get(data["lead_unit"])
            data["assist_units"] = [units[i] for i in data.get("assist_units") or [] if i in units]
        try:
            services.step_submit(incoming=incoming, actor=request.user, step=step, data=data)
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("“%(step)s”已提交。") % {"step": rules.STEP_NAMES[step]})
            return redirect("receiving:detail", pk)
    ctx = _detail_context(request, incoming, bound={step: form})
    return render(request, "receiving/detail.html", ctx, status=400)


@login_required
@require_POST
def incoming_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _load(request, pk)
    people = _people_for_circulation(incoming)
    form = forms.CirculateForm(request.POST, people=people)
    if form.is_valid():
        by_id = {u.pk: u for u, _label in people}
        try:
            n = services.incoming_circulate(
                incoming=incoming,
                actor=request.user,
                users=[by_id[i] for i in form.cleaned_data["readers"] if i in by_id],
                note=form.cleaned_data["note"],
            )
        except TongbanError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已送 %(n)d 人传阅。") % {"n": n})
            return redirect("receiving:detail", pk)
    return render(
        request,
        "receiving/detail.html",
        _detail_context(request, incoming, bound={"_circulate": form}),
        status=400,
    )


@login_required
@require_POST
def incoming_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader confirms reading (their READ item is marked read)."""
    incoming = _load(request, pk)
    from tongban.workflow import services as wf

    items = [i for i in selectors.my_open_steps(incoming, request.user) if i.kind == "read"]
    if not items:
        messages.info(request, _("您没有此文的待阅。"))
        return redirect("receiving:detail", pk)
    try:
        for item in items:
            wf.item_mark_read(item=item, actor=request.user)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已阅。"))
    return redirect("receiving:detail", pk)


def _file_response(field: Any, name: str) -> FileResponse:
    if not field:
        raise Http404(_("文件不存在。"))
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("文件不存在。")) from exc
    return FileResponse(handle, as_attachment=False, filename=name)


@login_required
@require_GET
def incoming_source_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The sealed (signed) PDF of the source document."""
    incoming = _load(request, pk)
    if incoming.source is None or not selectors.can_read_source(incoming, request.user):
        raise Http404(_("文件不存在。"))
    name = f"{incoming.source.doc_number or incoming.source.title}.pdf"
    return _file_response(incoming.source.sealed_pdf, name)


@login_required
@require_GET
def incoming_file(request: HttpRequest, pk: int) -> FileResponse:
    """The received file of an external document registered by hand."""
    incoming = _load(request, pk)
    return _file_response(incoming.received_file, incoming.received_file_name or "file")


@login_required
@require_GET
def incoming_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    incoming = _load(request, pk)
    if incoming.source is None or not selectors.can_read_source(incoming, request.user):
        raise Http404(_("文件不存在。"))
    att = incoming.source.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise Http404(_("文件不存在。"))
    return _file_response(att.file, att.name)


@login_required
@require_GET
def incoming_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 办理单 (PDF)."""
    incoming = _load(request, pk)
    pdf = slip.slip_pdf(incoming)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slip-{incoming.pk}.pdf"'
    return response


@login_required
@require_GET
def distribution(request: HttpRequest, document_id: int) -> HttpResponse:
    """The sender's view of a document's distribution: each unit's 签收 and returns with reasons."""
    try:
        document = selectors.access_distribution(document_id, request.user)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(str(exc)) from exc
    rows = list(selectors.distribution(document))
    return render(
        request,
        "receiving/distribution.html",
        {
            "document": document,
            "rows": rows,
            "signed": sum(1 for r in rows if r.signed_at),
            "returned": sum(1 for r in rows if r.status == IncomingStatus.RETURNED),
        },
    )
