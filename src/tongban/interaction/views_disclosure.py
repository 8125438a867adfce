"""Staff pages of the disclosure requests (/interaction/disclosure/): the boxes, a request with
its clock, the actions, paper registration and the files. Thin: selectors load, services act."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.interaction import disclosure as svc
from tongban.interaction import disclosure_clock as dclock
from tongban.interaction import disclosure_fees
from tongban.interaction import disclosure_selectors as sel
from tongban.interaction import forms_disclosure as f
from tongban.interaction.models import DisclosureRequest, RequestStatus
from tongban.orgs.models import County

PAGE_SIZE = 20
S = RequestStatus


def staff_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required; NotFound → 404, PermissionDenied → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def form_error(form: forms.Form, exc: TongbanError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


@staff_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not svc.is_officer(request.user):
        raise PermissionDenied("interaction.disclosure_forbidden", _("您不是政府信息公开工作人员。"))
    box = request.GET.get("box", "received")
    if box not in sel.BOX_STATUSES:
        box = "all"
    q = request.GET.get("q", "")[:64]
    overdue = request.GET.get("overdue") == "1"
    qs = sel.requests_for(request.user, box=box, q=q, overdue=overdue)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = sel.box_counts(request.user)
    return render(
        request,
        "interaction/disclosure/index.html",
        {
            "page": page,
            "box": box,
            "q": q,
            "overdue": overdue,
            "boxes": [(k, label, counts[k]) for k, label, _s in sel.BOXES],
            "today": clock.today(),
            "soon": dclock.add_workdays(clock.today(), 3),
        },
    )


ACTIONS: dict[str, tuple[type[forms.Form], Any]] = {
    "confirm": (f.NoteForm, _("确认受理")),
    "supplement_ask": (f.SupplementAskForm, _("补正告知")),
    "supplement": (f.SupplementForm, _("登记补正材料")),
    "consult": (f.ConsultForm, _("征求第三方意见")),
    "consult_end": (f.ConsultEndForm, _("第三方意见返回")),
    "extend": (f.ExtendForm, _("延长答复期限")),
    "fee": (f.FeeForm, _("收费通知")),
    "fee_paid": (f.NoteForm, _("登记缴费")),
    "answer": (f.AnswerForm, _("答复")),
    "withdraw": (f.WithdrawForm, _("登记撤回")),
}
ALLOWED: dict[str, tuple[str, ...]] = {
    "confirm": (S.RECEIVED,),
    "supplement_ask": (S.RECEIVED, S.PROCESSING),
    "supplement": (S.SUPPLEMENT,),
    "consult": (S.PROCESSING,),
    "consult_end": (S.CONSULTING,),
    "extend": (S.RECEIVED, S.PROCESSING),
    "fee": (S.PROCESSING,),
    "fee_paid": (S.FEE_PENDING,),
    "answer": (S.RECEIVED, S.PROCESSING),
    "withdraw": svc.OPEN,
}


def run_action(
    req: DisclosureRequest,
    action: str,
    data: dict[str, Any],
    *,
    actor: Any,
    request: HttpRequest | None,
    uploads: list[svc.Upload],
) -> DisclosureRequest:
    """One officer action by name (shared with the API)."""
    if action == "confirm":
        return svc.confirm(req, actor=actor, request=request)
    if action == "supplement_ask":
        return svc.ask_supplement(
            req,
            actor=actor,
            text=data.get("text", ""),
            period=int(data.get("period") or dclock.SUPPLEMENT_REPLY_WORKDAYS),
            request=request,
        )
    if action == "supplement":
        return svc.supplement(req, actor=actor, text=data.get("text", ""), uploads=uploads, request=request)
    if action == "consult":
        return svc.start_consult(
            req,
            actor=actor,
            third_party=data.get("third_party", ""),
            note=data.get("note", ""),
            request=request,
        )
    if action == "consult_end":
        return svc.end_consult(req, actor=actor, note=data.get("note", ""), request=request)
    if action == "extend":
        return svc.extend(
            req, actor=actor, days=int(data.get("days") or 0), reason=data.get("reason", ""), request=request
        )
    if action == "fee":
        count = data.get("count")
        return svc.fee_notice(
            req,
            actor=actor,
            method=data.get("method", ""),
            count=int(count) if count else None,
            request=request,
        )
    if action == "fee_paid":
        return svc.fee_paid(req, actor=actor, note=data.get("note", ""), request=request)
    if action == "answer":
        return svc.answer(
            req,
            actor=actor,
            outcome=data.get("outcome", ""),
            reason=data.get("reason", ""),
            text=data.get("text", ""),
            uploads=uploads,
            request=request,
        )
    if action == "withdraw":
        return svc.withdraw(req, actor=actor, note=data.get("note", ""), request=request)
    raise NotFound("interaction.disclosure_action", _("没有这个操作。"))


def _detail_context(
    request: HttpRequest, req: DisclosureRequest, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    events = list(req.events.select_related("actor").all())
    st = dclock.compute(req, events)
    acting = svc.can_act(request.user, req)
    action_forms = []
    if acting:
        for key, (form_cls, label) in ACTIONS.items():
            if req.status in ALLOWED[key]:
                action_forms.append((key, label, (bound or {}).get(key) or form_cls(prefix=key)))
    return {
        "req": req,
        "st": st,
        "events": events,
        "files": list(req.files.all()),
        "acting": acting,
        "action_forms": action_forms,
        "today": clock.today(),
        "month_ordinal": svc.month_ordinal(req),
        "fee_example": disclosure_fees.fee_for("request", max(1, svc.month_ordinal(req))),
        "overdue": sel.is_overdue(req),
        "reason_label": sel.reason_label(req.outcome, req.outcome_reason),
        "can_supplement_ask": clock.today() <= st.supplement_due_on and not st.supplement_asked_on,
    }


@staff_view
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = sel.get_request_for(request.user, pk)
    return render(request, "interaction/disclosure/detail.html", _detail_context(request, req))


@staff_view
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    req = sel.get_request_for(request.user, pk)
    if name not in ACTIONS:
        raise Http404
    form_cls, label = ACTIONS[name]
    form = form_cls(request.POST, request.FILES, prefix=name)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        try:
            run_action(
                req,
                name,
                data,
                actor=request.user,
                request=request,
                uploads=svc.iter_uploads(form.cleaned_data.get("files") or []),
            )
        except PermissionDenied:
            raise
        except TongbanError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已完成：%(action)s。") % {"action": label})
            return redirect("disclosure:detail", pk=req.pk)
    req.refresh_from_db()
    return render(
        request, "interaction/disclosure/detail.html", _detail_context(request, req, {name: form}), status=400
    )


@staff_view
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """登记纸质申请 (当面 / 邮寄 / 传真) for the officer's organs."""
    county_id, _units = svc.officer_scope(request.user)
    if county_id is None:
        raise PermissionDenied("interaction.disclosure_forbidden", _("您不是政府信息公开工作人员。"))
    county = County.objects.get(pk=county_id)
    organs = [
        u for u in svc.organs(county) if svc.can_act(request.user, DisclosureRequest(county=county, organ=u))
    ]
    form = f.ApplyForm(request.POST or None, request.FILES or None, organs=organs)
    form.fields.pop("challenge")
    form.fields.pop("challenge_token")
    reg = f.RegisterForm(request.POST or None, prefix="reg", initial={"received_on": clock.today()})
    if request.method == "POST" and form.is_valid() and reg.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("files", "organ")}
        try:
            req = svc.submit(
                county=county, organ_id=form.cleaned_data["organ"], **data, channel=reg.cleaned_data["channel"],
                received_on=reg.cleaned_data["received_on"], uploads=svc.iter_uploads(form.cleaned_data["files"]),
                actor=request.user, request=request,  # type: ignore[arg-type]
            )  # fmt: skip
        except PermissionDenied:
            raise
        except TongbanError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已登记，申请编号 %(code)s。") % {"code": req.tracking_code})
            return redirect("disclosure:detail", pk=req.pk)
    return render(request, "interaction/disclosure/register.html", {"form": form, "reg": reg})


@staff_view
@require_GET
def file(request: HttpRequest, pk: int, file_id: int) -> HttpResponseBase:
    req = sel.get_request_for(request.user, pk)
    row = req.files.filter(pk=file_id).first()
    if row is None:
        raise Http404
    return FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type
    )
