"""Public pages of the disclosure requests (/portal/disclosure-requests/): how it works, the
application, the look-up (code + ID number), the applicant's view of the request with its
timeline, 补正 and withdrawal, and the logged-in account's requests. The look-up grants the
session the right to see that one request (and its files)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import clock
from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.interaction import disclosure as svc
from tongban.interaction import disclosure_clock as dclock
from tongban.interaction import disclosure_fees
from tongban.interaction import disclosure_selectors as sel
from tongban.interaction import forms_disclosure as f
from tongban.interaction.antispam import rate_limit
from tongban.interaction.models import DisclosureEventKind, DisclosureFile, DisclosureRequest, RequestStatus
from tongban.interaction.views_disclosure import form_error

GRANTED = "tb_disclosure_codes"
APPLIED = "tb_disclosure_applied"
PUBLIC_FILE_ROLES = tuple(DisclosureFile.Role.values)  # the applicant sees every file of the request


def _county() -> Any:
    county = sel.public_county()
    if county is None:
        raise Http404
    return county


def _grant(request: HttpRequest, code: str) -> None:
    codes = [c for c in request.session.get(GRANTED, []) if c != code][-19:]
    request.session[GRANTED] = [*codes, code]


def _get_for_applicant(request: HttpRequest, code: str) -> DisclosureRequest:
    """The request for whoever looked it up in this session or owns it through the account."""
    req = DisclosureRequest.objects.select_related("organ").filter(tracking_code=code).first()
    account = public.current(request)
    if req is None or not (
        code in request.session.get(GRANTED, []) or (account is not None and req.account_id == account.pk)
    ):
        raise Http404
    return req


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "interaction/disclosure_public/index.html",
        {
            "page_bands": disclosure_fees.PAGE_BANDS,
            "lookup_form": f.LookupForm(),
            "answer_days": dclock.ANSWER_WORKDAYS,
            "account": public.current(request),
        },
    )


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    county = _county()
    account = public.current(request)
    initial: dict[str, Any] = {}
    if account is not None:
        initial = {
            "applicant_type": "person" if account.kind == "person" else "business",
            "name": account.name,
            "id_number": account.id_number if account.kind == "person" else account.credit_code,
            "phone": account.phone,
            "contact_name": getattr(account, "contact_name", ""),
        }
    form = f.ApplyForm(
        request.POST or None, request.FILES or None, organs=svc.organs(county), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("files", "organ", "challenge", "challenge_token")
        }
        try:
            rate_limit(request, "disclosure.apply", limit=10, window=3600)
            req = svc.submit(
                county=county, organ_id=form.cleaned_data["organ"], **data, account=account,
                uploads=svc.iter_uploads(form.cleaned_data["files"]), request=request,
            )  # fmt: skip
        except TongbanError as exc:
            form_error(form, exc)
        else:
            _grant(request, req.tracking_code)
            request.session[APPLIED] = req.tracking_code
            return redirect("disclosure_public:applied")
    return render(request, "interaction/disclosure_public/apply.html", {"form": form, "account": account})


@require_GET
def applied(request: HttpRequest) -> HttpResponse:
    code = request.session.get(APPLIED)
    if not code:
        return redirect("disclosure_public:index")
    req = _get_for_applicant(request, code)
    st = dclock.compute(req, req.events.all())
    return render(request, "interaction/disclosure_public/applied.html", {"req": req, "st": st})


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = f.LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit(request, "disclosure.lookup", limit=20, window=600)
            req = sel.lookup(form.cleaned_data["code"], form.cleaned_data["id_number"])
        except NotFound as exc:
            form.add_error(None, str(exc.message))
        except TongbanError as exc:
            form_error(form, exc)
        else:
            _grant(request, req.tracking_code)
            return redirect("disclosure_public:detail", code=req.tracking_code)
    return render(request, "interaction/disclosure_public/lookup.html", {"form": form})


def _detail(
    request: HttpRequest, req: DisclosureRequest, sform: Any = None, status: int = 200
) -> HttpResponse:
    events = [e for e in req.events.all() if e.kind != DisclosureEventKind.NOTE]
    st = dclock.compute(req, req.events.all())
    return render(
        request,
        "interaction/disclosure_public/detail.html",
        {
            "req": req,
            "st": st,
            "events": events,
            "files": [x for x in req.files.all() if x.role in PUBLIC_FILE_ROLES],
            "supplement_form": sform
            or (f.SupplementForm() if req.status == RequestStatus.SUPPLEMENT else None),
            "withdraw_form": f.WithdrawForm() if req.status in svc.OPEN else None,
            "today": clock.today(),
            "reason_label": sel.reason_label(req.outcome, req.outcome_reason),
        },
        status=status,
    )


@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, _get_for_applicant(request, code))


@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    req = _get_for_applicant(request, code)
    form = f.SupplementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.supplement(
                req,
                text=form.cleaned_data["text"],
                uploads=svc.iter_uploads(form.cleaned_data["files"]),
                request=request,
            )
        except TongbanError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("补正材料已提交，答复期限自今天起重新计算。"))
            return redirect("disclosure_public:detail", code=code)
    req.refresh_from_db()
    return _detail(request, req, form, status=400)


@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    req = _get_for_applicant(request, code)
    form = f.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            svc.withdraw(req, note=form.cleaned_data["note"], request=request)
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("申请已撤回。"))
    return redirect("disclosure_public:detail", code=code)


@public.public_login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    account = public.current(request)
    assert account is not None
    return render(
        request,
        "interaction/disclosure_public/mine.html",
        {"items": list(sel.for_account(account)[:100]), "today": clock.today()},
    )


@require_GET
def file(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    req = _get_for_applicant(request, code)
    row = req.files.filter(pk=file_id, role__in=PUBLIC_FILE_ROLES).first()
    if row is None:
        raise Http404
    return FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type
    )
