"""Pages of the data exchange (system administrator only): integration clients (scoped tokens),
push targets and the delivery log."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.exchange import push
from tongban.exchange import selectors as sel
from tongban.exchange.forms import DeliveryFilterForm, IssueTokenForm, TargetForm
from tongban.exchange.models import DeliveryStatus, ExchangeDelivery, ExchangeTarget
from tongban.exchange.scopes import scope_labels
from tongban.identity import services as identity_services
from tongban.identity.models import ApiToken, User


def admin_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required, system administrator only (403); NotFound → 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not isinstance(request.user, User):
            raise Http404
        if not sel.is_exchange_admin(request.user):
            raise DjangoPermissionDenied(_("只有系统管理员可以管理数据交换。"))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- integration clients ---------------------------------------------------------------------


@admin_view
@require_http_methods(["GET", "POST"])
def clients(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = IssueTokenForm(initial={"rate_per_minute": 0})
    issued: tuple[ApiToken, str] | None = None
    status = 200
    if request.method == "POST":
        form = IssueTokenForm(request.POST)
        if form.is_valid():
            account = sel.integration_account(form.cleaned_data["username"])
            if account is None:
                form.add_error("username", _("账号不存在。"))
            else:
                try:
                    issued = identity_services.api_token_issue(
                        actor=user,
                        user=account,
                        name=form.cleaned_data["name"],
                        scopes=list(form.cleaned_data["scopes"]),
                        rate_per_minute=form.cleaned_data["rate_per_minute"],
                        request=request,
                    )
                except TongbanError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                else:
                    form = IssueTokenForm(initial={"rate_per_minute": 0})
        if issued is None:
            status = 400
    labels = scope_labels()
    rows = list(sel.tokens()[:500])
    response = render(
        request,
        "exchange/clients.html",
        {"tokens": rows, "form": form, "issued": issued, "scope_labels": labels},
        status=status,
    )
    if issued is not None:
        response["Cache-Control"] = "no-store"
    return response


@admin_view
@require_POST
def client_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise Http404
    identity_services.api_token_withdraw(actor=_user(request), token=token, request=request)
    messages.success(request, _("令牌 %(prefix)s… 已吊销。") % {"prefix": token.prefix})
    return redirect("exchange:clients")


# --- targets ---------------------------------------------------------------------------------


def _target(target_id: int) -> ExchangeTarget:
    target = ExchangeTarget.objects.filter(pk=target_id).first()
    if target is None:
        raise NotFound("exchange.target_not_found", _("推送目标不存在。"))
    return target


@admin_view
def targets(request: HttpRequest) -> HttpResponse:
    rows = list(sel.targets())
    marks = sel.watermarks([t.pk for t in rows])
    pairs = [(t, marks.get(t.pk, [])) for t in rows]
    return render(request, "exchange/targets.html", {"targets": pairs})


@admin_view
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, target_id: int | None = None) -> HttpResponse:
    target = _target(target_id) if target_id is not None else None
    status = 200
    if request.method == "POST":
        form = TargetForm(request.POST, target=target)
        if form.is_valid():
            try:
                saved = push.target_save(
                    actor=_user(request), data=form.data_for_service(), target=target, request=request
                )
            except PermissionDenied:
                raise
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("推送目标“%(name)s”已保存。") % {"name": saved.name})
                return redirect("exchange:targets")
        status = 400
    elif target is not None:
        form = TargetForm(
            target=target,
            initial={f: getattr(target, f) for f in push.TARGET_FIELDS},
        )
    else:
        form = TargetForm(initial={"push_cases": True, "push_disclosure": True})
    return render(request, "exchange/target_form.html", {"form": form, "target": target}, status=status)


@admin_view
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    target = _target(target_id)
    push.target_delete(actor=_user(request), target=target, request=request)
    messages.success(request, _("推送目标已删除。"))
    return redirect("exchange:targets")


@admin_view
@require_POST
def target_test(request: HttpRequest, target_id: int) -> HttpResponse:
    target = _target(target_id)
    result = push.target_test(actor=_user(request), target=target, request=request)
    if result.ok:
        messages.success(
            request,
            _("连接正常：HTTP %(status)s，%(ms)s 毫秒。")
            % {"status": result.status, "ms": result.duration_ms},
        )
    else:
        messages.error(request, _("连接失败：%(error)s") % {"error": result.error or f"HTTP {result.status}"})
    return redirect("exchange:targets")


@admin_view
@require_POST
def target_push(request: HttpRequest, target_id: int) -> HttpResponse:
    target = _target(target_id)
    try:
        result = push.push_now(actor=_user(request), target=target, request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("exchange:targets")
    if result.skipped:
        messages.info(request, _("该目标正在推送中，请稍后刷新推送记录。"))
    else:
        messages.success(
            request,
            _("推送完成：送达 %(sent)s 批，失败 %(failed)s 批。")
            % {"sent": result.sent, "failed": result.failed},
        )
    return redirect(f"{reverse('exchange:deliveries')}?target={target.pk}")


# --- delivery log ----------------------------------------------------------------------------


@admin_view
def deliveries(request: HttpRequest) -> HttpResponse:
    form = DeliveryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        filters = {
            "target_id": cd["target"].pk if cd["target"] else None,
            "kind": cd["kind"],
            "status": cd["status"],
            "since": cd["since"],
            "until": cd["until"],
        }
    page = Paginator(sel.deliveries(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/deliveries.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@admin_view
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = ExchangeDelivery.objects.select_related("target").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    try:
        pretty = json.dumps(json.loads(delivery.body), ensure_ascii=False, indent=2)
    except ValueError:
        pretty = delivery.body
    return render(
        request,
        "exchange/delivery_detail.html",
        {
            "delivery": delivery,
            "attempts": sel.attempts(delivery),
            "pretty": pretty[:200_000],
            "can_requeue": delivery.status == DeliveryStatus.FAILED,
        },
    )


@admin_view
@require_POST
def delivery_requeue(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = ExchangeDelivery.objects.select_related("target").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    try:
        push.delivery_requeue(actor=_user(request), delivery=delivery, request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("批次已重新排队，将在下次推送时发送。"))
    return redirect("exchange:delivery", delivery_id=delivery.pk)
