"""Notification pages: the user's list and preferences; the system administrator's delivery log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.notify import events, selectors, services
from tongban.notify.models import Channel, DeliveryStatus

PAGE_SIZE = 20
LOG_PAGE_SIZE = 50


def _page(request: HttpRequest, qs, size: int):  # type: ignore[no-untyped-def]
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = _page(request, selectors.notifications_for(user=request.user, unread_only=unread_only), PAGE_SIZE)
    return render(request, "notify/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go where it points (only within this site)."""
    try:
        note = services.mark_read(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    target = note.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notify:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    if request.headers.get("HX-Request"):
        request.user._notify_unread = 0  # type: ignore[union-attr]
        page = _page(request, selectors.notifications_for(user=request.user), PAGE_SIZE)
        return render(request, "notify/_list.html", {"page": page, "unread_only": False, "oob_bell": True})
    if count:
        messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return redirect("notify:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's own event × channel choices (there is no way to name another user here)."""
    rows = selectors.preference_matrix(user=request.user)
    if request.method == "POST":
        choices = {
            (row.code, channel): request.POST.get(f"{row.code}:{channel}") == "on"
            for row in rows
            for channel in events.CHANNELS
        }
        changed = services.preferences_save(
            actor=request.user, user=request.user, choices=choices, request=request
        )
        messages.success(request, _("接收方式已保存。") if changed else _("接收方式没有变化。"))
        return redirect("notify:preferences")
    return render(
        request,
        "notify/preferences.html",
        {"rows": rows, "channels": [(c, Channel(c).label) for c in events.CHANNELS]},
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部")), *DeliveryStatus.choices],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("渠道"), required=False, choices=[("", gettext_lazy("全部")), *Channel.choices]
    )
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TestSendForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("接收人登录名"), max_length=150)


def _require_system_admin(request: HttpRequest) -> None:
    if not getattr(request.user, "is_system_admin", False):
        raise DjangoPermissionDenied(_("只有系统管理员可以访问投递记录。"))


@login_required
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    _require_system_admin(request)
    form = DeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        qs = selectors.deliveries_for_admin(
            actor=request.user,
            status=filters.get("status", ""),
            channel=filters.get("channel", ""),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    page = _page(request, qs, LOG_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notify/deliveries.html",
        {"form": form, "page": page, "query": query.urlencode(), "test_form": TestSendForm()},
    )


@login_required
@require_POST
def test_send(request: HttpRequest) -> HttpResponse:
    _require_system_admin(request)
    form = TestSendForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        if user is None:
            messages.error(request, _("找不到该登录名的用户。"))
        else:
            try:
                note = services.send_test(actor=request.user, user=user, request=request)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except TongbanError as exc:
                messages.error(request, str(exc))
            else:
                channels = "、".join(str(Channel(d.channel).label) for d in note.deliveries.all())
                messages.success(
                    request,
                    _("已向 %(name)s 发送测试消息（%(channels)s）。") % {"name": user, "channels": channels},
                )
    else:
        messages.error(request, _("请填写接收人登录名。"))
    return redirect(reverse("notify:deliveries"))
