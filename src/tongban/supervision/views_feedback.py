"""Pages of the feedback part: complaints, bad-rating follow-ups and performance for staff
(/supervision/), and the public complaint pages (/ban/complaints/). Thin: parse, load through
the selectors' access functions, call one service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core import clock as tclock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity import public
from tongban.orgs import selectors as orgs
from tongban.supervision import complaints, followups, performance
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.forms_feedback import (
    AnswerForm,
    CloseFollowUpForm,
    ForwardForm,
    LookupForm,
    PolicyForm,
    PublicComplaintForm,
    StaffComplaintForm,
    StatementForm,
)
from tongban.supervision.models import ComplaintChannel, ComplaintStatus, FollowUpStatus

PAGE_SIZE = 20
FILED_KEY = "tb_complaint_filed"


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; the selectors' NotFound → 404 and PermissionDenied → 403."""

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


def _form_error(form: Any, exc: TongbanError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def _query(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _unit_choices(county: Any) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in orgs.county_units(county)]


# --- complaints (staff) ------------------------------------------------------------------------
@staff_view
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    f = sel.ComplaintFilter(
        status=request.GET.get("status", ""),
        channel=request.GET.get("channel", ""),
        unit_id=_int(request.GET.get("unit")),
        overdue=request.GET.get("overdue") == "1",
        q=request.GET.get("q", "")[:64],
    )
    qs = sel.complaints_for(request.user, f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    supervisor = sel.is_supervisor(request.user)
    return render(
        request,
        "supervision/feedback/complaint_list.html",
        {
            "page": page,
            "f": f,
            "today": tclock.today(),
            "supervisor": supervisor,
            "statuses": ComplaintStatus.choices,
            "channels": ComplaintChannel.choices,
            "units": _unit_choices(sel.county_of(request.user)) if supervisor else [],
            "query": _query(request),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def complaint_enter(request: HttpRequest) -> HttpResponse:
    sel.require_supervisor(request.user)
    units = _unit_choices(sel.county_of(request.user))
    form = StaffComplaintForm(request.POST or None, units=units, initial={"received_on": tclock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = complaints.complaint_enter(
                actor=request.user,
                channel=d["channel"],
                name=d["name"],
                phone=d["phone"],
                subject=d["subject"],
                text=d["text"],
                tracking_no=d.get("tracking_no") or "",
                unit_id=d.get("unit"),
                received_on=d.get("received_on"),
                request=request,
            )
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("投诉已登记，编号 %(n)s。") % {"n": c.number})
            return redirect("supervision:complaint", pk=c.pk)
    return render(request, "supervision/feedback/complaint_form.html", {"form": form})


def _complaint_context(request: HttpRequest, c: Any, **forms: Any) -> dict[str, Any]:
    supervisor = sel.is_supervisor(request.user)
    units = _unit_choices(c.county) if supervisor else []
    return {
        "c": c,
        "supervisor": supervisor,
        "overdue": sel.complaint_overdue(c),
        "can_forward": supervisor and c.status != ComplaintStatus.ANSWERED,
        "can_answer": supervisor and c.status != ComplaintStatus.ANSWERED,
        "can_state": complaints.can_state(request.user, c),
        "forward_form": forms.get("forward_form") or ForwardForm(units=units, initial={"unit": c.unit_id}),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "statement_form": forms.get("statement_form") or StatementForm(),
    }


@staff_view
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = sel.access_complaint(request.user, pk)
    return render(request, "supervision/feedback/complaint_detail.html", _complaint_context(request, c))


@staff_view
@require_POST
def complaint_forward(request: HttpRequest, pk: int) -> HttpResponse:
    c = sel.access_complaint(request.user, pk)
    sel.require_supervisor(request.user)
    form = ForwardForm(request.POST, units=_unit_choices(c.county))
    if form.is_valid():
        try:
            complaints.complaint_forward(
                complaint=c,
                actor=request.user,
                unit_id=form.cleaned_data.get("unit"),
                note=form.cleaned_data["note"],
                request=request,
            )
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("投诉已转办。"))
            return redirect("supervision:complaint", pk=c.pk)
    ctx = _complaint_context(request, c, forward_form=form)
    return render(request, "supervision/feedback/complaint_detail.html", ctx, status=400)


@staff_view
@require_POST
def complaint_state(request: HttpRequest, pk: int) -> HttpResponse:
    c = sel.access_complaint(request.user, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            complaints.complaint_state(
                complaint=c, actor=request.user, statement=form.cleaned_data["statement"], request=request
            )
        except TongbanError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("情况说明已提交。"))
            return redirect("supervision:complaint", pk=c.pk)
    ctx = _complaint_context(request, c, statement_form=form)
    return render(request, "supervision/feedback/complaint_detail.html", ctx, status=400)


@staff_view
@require_POST
def complaint_answer(request: HttpRequest, pk: int) -> HttpResponse:
    c = sel.access_complaint(request.user, pk)
    sel.require_supervisor(request.user)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            complaints.complaint_answer(
                complaint=c,
                actor=request.user,
                upheld=form.cleaned_data["upheld"],
                answer=form.cleaned_data["answer"],
                request=request,
            )
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已答复投诉人，并以短信告知。"))
            return redirect("supervision:complaint", pk=c.pk)
    ctx = _complaint_context(request, c, answer_form=form)
    return render(request, "supervision/feedback/complaint_detail.html", ctx, status=400)


# --- follow-ups --------------------------------------------------------------------------------
@staff_view
@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FollowUpStatus.OPEN)
    if status not in (*FollowUpStatus.values, "all"):
        status = FollowUpStatus.OPEN
    f = sel.FollowUpFilter(
        status="" if status == "all" else status,
        unit_id=_int(request.GET.get("unit")),
        overdue=request.GET.get("overdue") == "1",
    )
    qs = sel.followups_for(request.user, f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    supervisor = sel.is_supervisor(request.user)
    return render(
        request,
        "supervision/feedback/followup_list.html",
        {
            "page": page,
            "f": f,
            "status": status,
            "today": tclock.today(),
            "rate": sel.followup_rate(request.user, unit_id=f.unit_id),
            "supervisor": supervisor,
            "units": _unit_choices(sel.county_of(request.user)) if supervisor else [],
            "query": _query(request),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fu = sel.access_followup(request.user, pk)
    form = CloseFollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not followups.can_close(request.user, fu) and fu.status == FollowUpStatus.OPEN:
            raise DjangoPermissionDenied(_("只有被评价单位的单位领导可以反馈整改情况。"))
        if form.is_valid():
            try:
                followups.followup_close(
                    followup=fu,
                    actor=request.user,
                    fixed=form.cleaned_data["fixed"],
                    contact=form.cleaned_data["contact"],
                    request=request,
                )
            except TongbanError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                _form_error(form, exc)
            else:
                messages.success(request, _("整改情况已反馈，差评整改办结。"))
                return redirect("supervision:followup", pk=fu.pk)
        status = 400
    return render(
        request,
        "supervision/feedback/followup_detail.html",
        {
            "fu": fu,
            "rating": fu.rating,
            "case": fu.rating.case,
            "overdue": sel.followup_overdue(fu),
            "can_close": followups.can_close(request.user, fu),
            "form": form,
        },
        status=status,
    )


# --- performance -------------------------------------------------------------------------------
def _month(value: str | None) -> date:
    today = tclock.today()
    if value:
        try:
            y, m = value.split("-")
            month = date(int(y), int(m), 1)
        except ValueError:
            month = None
        if month is not None and date(2000, 1, 1) <= month <= today.replace(day=1):
            return month
    return today.replace(day=1)


@staff_view
@require_GET
def performance_page(request: HttpRequest) -> HttpResponse:
    sel.require_performance_reader(request.user)
    month = _month(request.GET.get("month"))
    rows = sel.scores_for(request.user, month=month)
    pol = sel.policy()
    supervisor = sel.is_supervisor(request.user)
    months = []
    m = tclock.today().replace(day=1)
    for _i in range(24):
        months.append(m)
        m = sel.previous_month(m)
    return render(
        request,
        "supervision/feedback/performance.html",
        {
            "month": month,
            "months": months,
            "rows": rows,
            "formula": rows[0].formula if rows else performance.formula_text(pol),
            "current_formula": performance.formula_text(pol),
            "supervisor": supervisor,
            "policy_form": PolicyForm(initial={f: getattr(pol, f) for f in PolicyForm.base_fields}),
            "trend": sel.trend(request.user, month=month),
            "computed_at": max((r.computed_at for r in rows), default=None),
        },
    )


@staff_view
@require_POST
def performance_recompute(request: HttpRequest) -> HttpResponse:
    month = _month(request.POST.get("month"))
    try:
        rows = performance.recompute(actor=request.user, month=month, request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("已重新计算 %(m)s，共 %(n)d 个部门。") % {"m": f"{month:%Y-%m}", "n": len(rows)}
        )
    return redirect(reverse("supervision:performance") + f"?month={month:%Y-%m}")


@staff_view
@require_POST
def performance_policy(request: HttpRequest) -> HttpResponse:
    sel.require_supervisor(request.user)
    form = PolicyForm(request.POST)
    month = _month(request.POST.get("month"))
    if form.is_valid():
        try:
            performance.policy_update(actor=request.user, request=request, **form.cleaned_data)
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("考核设置已保存；重新计算后按新公式评分。"))
    else:
        messages.error(request, _("设置值不正确：每项应为 0–100 的整数，投诉答复期限 1–60 个工作日。"))
    return redirect(reverse("supervision:performance") + f"?month={month:%Y-%m}")


@staff_view
@require_GET
def performance_export(request: HttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month"))
    rows = sel.scores_for(request.user, month=month)
    formula = rows[0].formula if rows else performance.formula_text(sel.policy())
    data = performance.export_xlsx(rows, month=month, formula=formula)
    audit.record(
        "supervision.performance_exported",
        request=request,
        object_type="supervision.monthlyscore",
        object_id=f"{month:%Y-%m}",
        object_repr=f"{month:%Y-%m}",
    )
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="performance-{month:%Y-%m}.xlsx"'
    return resp


# --- public pages (/ban/complaints/) -----------------------------------------------------------
def _public_units() -> list[tuple[int, str]]:
    county = orgs.county_for_user(None)
    return _unit_choices(county) if county is not None else []


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    """File a complaint (no login needed; a logged-in account is linked and prefilled)."""
    account = public.current(request)
    initial: dict[str, Any] = {"about": "case", "tracking_no": request.GET.get("tracking_no", "")[:32]}
    if account is not None:
        initial.update(name=account.contact_name or account.name, phone=account.phone)
    form = PublicComplaintForm(request.POST or None, units=_public_units(), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        about_case = d["about"] == "case"
        try:
            c = complaints.complaint_file(
                name=d["name"],
                phone=d["phone"],
                subject=d["subject"],
                text=d["text"],
                tracking_no=(d.get("tracking_no") or "") if about_case else "",
                unit_id=None if about_case else d.get("unit"),
                account=account,
                client_ip=audit.client_ip(request),
            )
        except TongbanError as exc:
            if exc.field == "unit" and about_case:
                exc.field = "tracking_no"
            _form_error(form, exc)
        else:
            request.session[FILED_KEY] = {"number": c.number, "due_on": f"{c.due_on:%Y-%m-%d}"}
            return redirect("complaints:filed")
    return render(
        request,
        "supervision/public/complaint_form.html",
        {"form": form, "account": account, "complaint_days": sel.policy().complaint_days},
    )


@require_GET
def public_filed(request: HttpRequest) -> HttpResponse:
    filed = request.session.get(FILED_KEY)
    if not filed:
        return redirect("complaints:new")
    return render(request, "supervision/public/complaint_filed.html", {"filed": filed})


@require_http_methods(["GET", "POST"])
def public_lookup(request: HttpRequest) -> HttpResponse:
    """The answer by complaint number + phone (POST, so the phone stays out of addresses and logs)."""
    form = LookupForm(request.POST or None, initial={"number": request.GET.get("number", "")[:32]})
    found = None
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = audit.client_ip(request)
        if complaints.lookup_blocked(ip):
            form.add_error(None, _("查询失败次数过多，请一小时后再试。"))
            status = 429
        else:
            try:
                found = sel.complaint_lookup(form.cleaned_data["number"], form.cleaned_data["phone"])
            except NotFound as exc:
                complaints.lookup_failed(ip)
                form.add_error(None, str(exc.message))
                status = 404
    return render(
        request, "supervision/public/complaint_lookup.html", {"form": form, "c": found}, status=status
    )


@require_GET
def public_mine(request: HttpRequest) -> HttpResponse:
    """The logged-in applicant's complaints with their answers."""
    account = public.current(request)
    if account is None:
        try:
            login_url = reverse("ban:login")
        except NoReverseMatch:
            return redirect("complaints:lookup")
        return redirect(login_url + "?" + urlencode({"next": request.get_full_path()}))
    page = Paginator(sel.complaints_of_account(account), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/public/complaint_mine.html", {"page": page})
