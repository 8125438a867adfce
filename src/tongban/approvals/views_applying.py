"""The applicant's pages of the public hall (/ban/): account (login, register, password), apply,
my cases, one case (progress, notices, deadline, materials, decision and certificate, supplement,
withdraw, rate) and the anonymous progress lookup. Thin: parse, load through the selectors'
access_* functions (own cases only), call one service."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tongban.approvals import applying, applying_selectors
from tongban.approvals.forms_applying import (
    LoginForm,
    LookupForm,
    PasswordChangeForm,
    PublicForm,
    RateForm,
    RegisterForm,
    ResetForm,
    apply_form_class,
)
from tongban.approvals.models import CaseRating, ItemStatus, ServiceItem
from tongban.core import audit
from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.identity import public_services as accounts
from tongban.identity.models import PublicAccount

PAGE_SIZE = 20


def _render(request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    for value in ctx.values():
        if isinstance(value, PublicForm):
            value.decorate()
    return render(request, f"approvals/public/{template}", ctx, status=status)


def _account(request: HttpRequest) -> PublicAccount:
    account = public.current(request)
    assert account is not None  # public_login_required
    return account


def _case(request: HttpRequest, tracking_no: str) -> Any:
    try:
        return applying_selectors.access_case_for_account(public.current(request), tracking_no)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# --- account ----------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts.account_authenticate(
                login=form.cleaned_data["login"], password=form.cleaned_data["password"]
            )
        except TongbanError as exc:
            form.add_service_error(exc.field, exc.message)
            status = 400
        else:
            public.login(request, account)
            return redirect(_next_url(request, reverse("ban:my_cases")))
    elif request.method == "POST":
        status = 400
    return _render(request, "login.html", {"form": form, "next": _next_url(request, "")}, status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    public.logout(request)
    return redirect("ban:login")


def _client(request: HttpRequest) -> str:
    return audit.client_ip(request) or ""


def _send_code(request: HttpRequest, form: PublicForm, send: Any) -> None:
    try:
        send()
    except TongbanError as exc:
        form.add_service_error(exc.field, exc.message)
    else:
        messages.success(request, _("验证码已发送，10 分钟内有效。"))


@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form = RegisterForm(request.POST)
            form.is_valid()
            form.errors.clear()
            phone = request.POST.get("phone", "")
            _send_code(
                request, form, lambda: applying.register_code_send(phone=phone, client=_client(request))
            )
            return _render(request, "register.html", {"form": form}, 200 if not form.errors else 400)
        if form.is_valid():
            d = form.cleaned_data
            if not d.get("code"):
                form.add_error("code", _("请填写短信验证码。"))
        if form.is_valid():
            try:
                if d["kind"] == "enterprise":
                    for key, label in (("credit_code", _("统一社会信用代码")), ("contact_name", _("联系人"))):
                        if not d.get(key):
                            raise TongbanError(
                                "identity.public_required",
                                _("请填写%(label)s。") % {"label": label},
                                field=key,
                            )
                    account = accounts.account_register_enterprise(
                        credit_code=d["credit_code"], name=d["name"], contact_name=d["contact_name"],
                        phone=d["phone"], code=d["code"], password=d["password"],
                    )  # fmt: skip
                else:
                    account = accounts.account_register_person(
                        phone=d["phone"], code=d["code"], password=d["password"], name=d["name"],
                        id_number=d.get("id_number", ""),
                    )  # fmt: skip
            except TongbanError as exc:
                form.add_service_error(exc.field, exc.message)
            else:
                public.login(request, account)
                messages.success(request, _("注册成功，欢迎使用网上办事大厅。"))
                return redirect(_next_url(request, reverse("ban:my_cases")))
        status = 400
    return _render(request, "register.html", {"form": form}, status)


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = ResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form.is_valid()
            form.errors.clear()
            login = request.POST.get("login", "")
            _send_code(request, form, lambda: applying.reset_code_send(login=login, client=_client(request)))
            return _render(request, "password_reset.html", {"form": form}, 200 if not form.errors else 400)
        if form.is_valid() and not form.cleaned_data.get("code"):
            form.add_error("code", _("请填写短信验证码。"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                accounts.account_password_reset(
                    login=d["login"], code=d["code"], new_password=d["new_password"]
                )
            except TongbanError as exc:
                form.add_service_error(exc.field, exc.message)
            else:
                messages.success(request, _("密码已重置，请用新密码登录。"))
                return redirect("ban:login")
        status = 400
    return _render(request, "password_reset.html", {"form": form}, status)


@never_cache
@public.public_login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                account = accounts.account_password_change(
                    account=_account(request), old_password=d["old_password"], new_password=d["new_password"]
                )
            except TongbanError as exc:
                form.add_service_error(exc.field, exc.message)
            else:
                public.login(request, account)  # the session hash follows the new password
                messages.success(request, _("密码已修改。"))
                return redirect("ban:my_cases")
        status = 400
    return _render(request, "password_change.html", {"form": form}, status)


# --- apply ------------------------------------------------------------------------------------
def _item(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.select_related("current", "current__implementing_unit", "department")
        .filter(code=code, status=ItemStatus.PUBLISHED, current__isnull=False)
        .first()
    )
    if item is None:
        raise Http404(_("没有找到这个事项。"))
    return item


def _uploads(request: HttpRequest, materials: list[Any]) -> list[tuple[int | None, Any]]:
    files: list[tuple[int | None, Any]] = []
    for m in materials:
        files += [(m.pk, f) for f in request.FILES.getlist(f"material_{m.pk}")]
    files += [(None, f) for f in request.FILES.getlist("others")]
    return files


@never_cache
@public.public_login_required
@require_http_methods(["GET", "POST"])
def apply_view(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    version = item.current
    assert version is not None
    materials = list(version.materials.all())
    form = apply_form_class(version.form_schema)(request.POST or None)
    error = None
    error_field = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k[5:]: v for k, v in form.cleaned_data.items() if k.startswith("form_")}
            data = {k: ("" if v is None else str(v)) for k, v in data.items()}
            try:
                case = applying.case_submit(
                    item=item,
                    form_data=data,
                    files=_uploads(request, materials),
                    account=_account(request),
                    title=form.cleaned_data.get("title", ""),
                )
            except TongbanError as exc:
                if exc.field and exc.field in form.fields:
                    form.add_service_error(exc.field, exc.message)
                else:
                    error, error_field = str(exc.message), exc.field or ""
            else:
                return redirect("ban:applied", tracking_no=case.tracking_no)
    return _render(
        request,
        "apply.html",
        {
            "item": item,
            "version": version,
            "materials": materials,
            "form": form,
            "error": error,
            "error_field": error_field,
            "error_material": int(error_field[9:]) if error_field[9:].isdigit() else None,
            "allowed": "、".join(sorted(applying.ALLOWED)),
            "limit_mb": applying.MAX_FILE_BYTES // (1024 * 1024),
        },
        status,
    )


@public.public_login_required
def applied_view(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = _case(request, tracking_no)
    return _render(request, "applied.html", {"case": case, "progress": applying_selectors.progress_of(case)})


# --- my cases ---------------------------------------------------------------------------------
@public.public_login_required
def my_cases_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = applying_selectors.cases_for_account(_account(request), status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, applying_selectors.progress_of(c)) for c in page.object_list]
    return _render(request, "my_cases.html", {"page": page, "rows": rows, "status": status})


def _case_context(request: HttpRequest, case: Any, **extra: Any) -> dict[str, Any]:
    clk = applying_selectors.case_clock(case)
    events = list(case.events.order_by("seq"))
    lines = {ln.seq: ln.text for ln in clk.lines}
    timeline = [(e, lines.get(e.seq, "")) for e in events if e.kind not in ("step_started", "step_completed")]
    materials = list(case.materials.select_related("material").order_by("round", "id"))
    open_request = case.supplements.filter(answered_at__isnull=True).order_by("-id").first()
    ctx = {
        "case": case,
        "clock": clk,
        "progress": applying_selectors.progress_of(case),
        "timeline": timeline,
        "notices": applying_selectors.notices_of(case),
        "materials": materials,
        "certificate": applying_selectors.certificate_of(case),
        "supplement_request": open_request,
        "can_withdraw": case.status in applying.WITHDRAWABLE and not case.decision,
        "can_rate": applying.can_rate(case),
        "rating": CaseRating.objects.filter(case=case).first(),
        "allowed": "、".join(sorted(applying.ALLOWED)),
        "limit_mb": applying.MAX_FILE_BYTES // (1024 * 1024),
        "rate_form": RateForm(),
    }
    ctx.update(extra)
    return ctx


@public.public_login_required
def my_case_view(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = _case(request, tracking_no)
    return _render(request, "my_case.html", _case_context(request, case))


@public.public_login_required
@require_POST
def supplement_view(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = _case(request, tracking_no)
    files = _uploads(request, list(case.version.materials.all()))
    try:
        applying.case_supplement(
            case=case, account=_account(request), files=files, note=request.POST.get("note", "")
        )
    except TongbanError as exc:
        ctx = _case_context(request, case, supplement_error=str(exc.message))
        return _render(request, "my_case.html", ctx, 400)
    messages.success(request, _("补正材料已提交，请等待审查。"))
    return redirect("ban:my_case", tracking_no=case.tracking_no)


@public.public_login_required
@require_POST
def withdraw_view(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = _case(request, tracking_no)
    if request.POST.get("confirm") != "1":
        ctx = _case_context(request, case, withdraw_error=_("请勾选确认撤回。"))
        return _render(request, "my_case.html", ctx, 400)
    try:
        applying.case_withdraw(case=case, account=_account(request), reason=request.POST.get("reason", ""))
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("ban:my_case", tracking_no=case.tracking_no)


@public.public_login_required
@require_http_methods(["GET", "POST"])
def rate_view(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = _case(request, tracking_no)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                applying.case_rate(case=case, account=_account(request), **form.cleaned_data)
            except TongbanError as exc:
                form.add_service_error(exc.field, exc.message)
            else:
                messages.success(request, _("感谢您的评价！"))
                return redirect("ban:my_case", tracking_no=case.tracking_no)
        return _render(
            request, "rate.html", {"case": case, "form": form, "can_rate": applying.can_rate(case)}, 400
        )
    return _render(request, "rate.html", {"case": case, "form": form, "can_rate": applying.can_rate(case)})


# --- downloads --------------------------------------------------------------------------------
def _papers() -> Any:
    try:
        from tongban.approvals import papers
    except ImportError:
        return None
    return papers


@public.public_login_required
def notice_pdf_view(request: HttpRequest, tracking_no: str, notice_id: int) -> HttpResponse:
    try:
        notice = applying_selectors.access_notice_for_account(public.current(request), tracking_no, notice_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    papers = _papers()
    if papers is None or not hasattr(papers, "notice_pdf"):
        raise Http404(_("文书暂不能下载。"))
    try:
        data = papers.notice_pdf(notice)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("ban:my_case", tracking_no=notice.case.tracking_no)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice.case.tracking_no}-{notice.kind}.pdf"'
    return response


@public.public_login_required
def certificate_view(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = _case(request, tracking_no)
    cert = applying_selectors.certificate_of(case)
    if cert is None or not cert.pdf:
        raise Http404(_("该办件没有电子证照。"))
    return _file(cert.pdf.open("rb"), as_attachment=True, filename=f"{cert.number}.pdf",
                        content_type="application/pdf")  # fmt: skip


@public.public_login_required
def material_view(request: HttpRequest, tracking_no: str, material_id: int) -> HttpResponse:
    case = _case(request, tracking_no)
    row = case.materials.filter(pk=material_id).first()
    if row is None:
        raise Http404(_("没有找到这个文件。"))
    return _file(row.file.open("rb"), as_attachment=True, filename=row.name)


def _file(*args: Any, **kwargs: Any) -> HttpResponse:
    """A FileResponse, typed as the views around it (public_login_required) expect."""
    return cast(HttpResponse, FileResponse(*args, **kwargs))


# --- anonymous lookup -------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def lookup_view(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        status = 400
        if not applying.lookup_allowed(audit.client_ip(request) or ""):
            form.is_valid()
            form.add_error(None, _("查询过于频繁，请 10 分钟后再试。"))
            status = 429
        elif form.is_valid():
            try:
                result = applying_selectors.lookup_progress(
                    form.cleaned_data["tracking_no"], form.cleaned_data["who"]
                )
                status = 200
            except NotFound:
                form.add_error(
                    None, _("没有查到与受理编号和申请人姓名（或手机号码）相符的办件，请核对后再试。")
                )
    return _render(request, "lookup.html", {"form": form, "result": result}, status)
