"""Notice pages: the reader's list and detail (确认已读), the publisher's form, read status and
reminder. Thin: parse, load through access_*/selectors, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.notices import selectors, services
from tongban.notices.forms import NoticeForm
from tongban.notices.models import Notice, NoticeStatus
from tongban.orgs import selectors as orgs

PAGE_SIZE = 20


def _load(pk: int, request: HttpRequest, *, manage: bool = False) -> Notice:
    try:
        if manage:
            return selectors.access_managed_notice(pk, request.user)
        return selectors.access_notice(pk, request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    can_publish = bool(selectors.publishable_units(request.user))
    box = request.GET.get("box", "inbox")
    if box == "sent" and can_publish:
        qs = selectors.managed_notices(user=request.user, q=q)
    else:
        box = "inbox"
        qs = selectors.notices_for(user=request.user, q=q, unread_only=request.GET.get("unread") == "1")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": page,
        "q": q,
        "box": box,
        "can_publish": can_publish,
        "query": query.urlencode(),
        "unread_only": request.GET.get("unread") == "1",
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "nt-results":
        return render(request, "notices/_list_results.html", ctx)
    return render(request, "notices/list.html", ctx)


def _form_context(request: HttpRequest, form: NoticeForm, notice: Notice | None) -> dict[str, Any]:
    county = orgs.access_county(request.user)
    selected = {int(v) for v in (form["units"].value() or []) if str(v).isdigit()}
    return {
        "form": form,
        "notice": notice,
        "groups": orgs.unit_tree_groups(county),
        "selected": selected,
        "attachments": list(notice.attachments.all()) if notice is not None else [],
    }


def _save(request: HttpRequest, form: NoticeForm, notice: Notice | None, stored: list[Any]) -> Notice:
    data = form.cleaned_data
    args: dict[str, Any] = {
        "title": data["title"],
        "body": data.get("body") or "",
        "importance": data["importance"],
        "whole_county": data["audience"] == "county",
        "target_unit_ids": data.get("units") or [],
        "requires_confirmation": bool(data.get("requires_confirmation")),
        "expires_on": data.get("expires_on"),
        "request": request,
    }
    if notice is None:
        unit = next(u for u in selectors.publishable_units(request.user) if u.pk == data["unit"])
        notice = services.notice_create(actor=request.user, unit=unit, **args)
    else:
        notice = services.notice_update(actor=request.user, notice=notice, **args)
    for upload in request.FILES.getlist("attachments"):
        att = services.notice_attach(
            actor=request.user, notice=notice, file=upload, name=upload.name, request=request
        )
        stored.append((att.file.storage, att.file.name))
    return notice


@login_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New notice, or edit a draft; 保存草稿 or 发布 (both in one transaction with the uploads)."""
    notice = _load(pk, request, manage=True) if pk is not None else None
    if notice is not None and notice.status != NoticeStatus.DRAFT:
        messages.error(request, _("通知已发布，不能再修改。"))
        return redirect("notices:detail", pk=notice.pk)
    publish_units = selectors.publishable_units(request.user)
    if notice is not None:
        publish_units = [notice.unit]
    if not publish_units:
        raise DjangoPermissionDenied(_("只有各单位的文书、办公室主任或单位领导可以发布通知。"))
    county = orgs.access_county(request.user)
    county_units = list(orgs.county_units(county))
    if request.method == "POST":
        form = NoticeForm(request.POST, publish_units=publish_units, county_units=county_units)
        if form.is_valid():
            stored: list[Any] = []  # files written, removed again if the transaction rolls back
            try:
                with transaction.atomic():
                    saved = _save(request, form, notice, stored)
                    if request.POST.get("action") == "publish":
                        n = services.notice_publish(actor=request.user, notice=saved, request=request)
            except TongbanError as exc:
                for storage, name in stored:
                    storage.delete(name)
                if exc.field and exc.field in form.fields:
                    form.add_error(exc.field, str(exc.message))
                else:
                    form.add_error(None, str(exc.message))
            else:
                if request.POST.get("action") == "publish":
                    messages.success(request, _("通知已发布，共 %(n)d 人。") % {"n": n})
                    return redirect("notices:status", pk=saved.pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("notices:edit", pk=saved.pk)
    else:
        initial: dict[str, Any] = {"unit": publish_units[0].pk}
        if notice is not None:
            initial = {
                "unit": notice.unit_id,
                "title": notice.title,
                "body": notice.body,
                "importance": notice.importance,
                "audience": "county" if notice.whole_county else "units",
                "units": [u.pk for u in selectors.target_units(notice)],
                "requires_confirmation": notice.requires_confirmation,
                "expires_on": notice.expires_on,
            }
        form = NoticeForm(initial=initial, publish_units=publish_units, county_units=county_units)
    return render(request, "notices/form.html", _form_context(request, form, notice))


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request)
    receipt = services.notice_read(actor=request.user, notice=notice, request=request)
    if receipt is not None:
        request.user._notices_unread = None  # type: ignore[union-attr]
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "receipt": receipt,
            "attachments": list(notice.attachments.all()),
            "targets": selectors.target_units(notice),
            "can_manage": selectors.can_manage(request.user, notice),
        },
    )


def _act(request: HttpRequest, fn: Any, ok: str) -> bool:
    try:
        result = fn()
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, ok % {"n": result} if "%(n)" in ok else ok)
    return True


@login_required
@require_POST
def notice_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request)
    _act(
        request,
        lambda: services.notice_confirm(actor=request.user, notice=notice, request=request),
        _("已确认阅读。"),
    )
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request, manage=True)
    done = _act(
        request,
        lambda: services.notice_publish(actor=request.user, notice=notice, request=request),
        _("通知已发布，共 %(n)d 人。"),
    )
    return redirect("notices:status" if done else "notices:edit", pk=notice.pk)


@login_required
@require_GET
def notice_status(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request, manage=True)
    status = selectors.read_status(notice=notice, actor=request.user)
    return render(request, "notices/status.html", {"notice": notice, "status": status})


@login_required
@require_POST
def notice_remind(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request, manage=True)
    _act(
        request,
        lambda: services.notice_remind(actor=request.user, notice=notice, request=request),
        _("已提醒 %(n)d 人。"),
    )
    return redirect("notices:status", pk=notice.pk)


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request, manage=True)
    _act(
        request,
        lambda: services.notice_withdraw(
            actor=request.user, notice=notice, reason=request.POST.get("reason", ""), request=request
        ),
        _("通知已撤回。"),
    )
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def notice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(pk, request, manage=True)
    try:
        services.notice_delete_draft(actor=request.user, notice=notice, request=request)
    except TongbanError as exc:
        messages.error(request, str(exc.message))
        return redirect("notices:detail", pk=notice.pk)
    messages.success(request, _("草稿已删除。"))
    return redirect(reverse("notices:list") + "?box=sent")


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    notice = _load(pk, request, manage=True)
    try:
        att = selectors.access_attachment(notice, attachment_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    _act(
        request,
        lambda: services.notice_detach(actor=request.user, attachment=att, request=request),
        _("附件已删除。"),
    )
    return redirect("notices:edit", pk=notice.pk)


def attachment_response(att: Any) -> FileResponse:
    """The stored file as a download: our content type (never the uploader's), nosniff."""
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    notice = _load(pk, request)
    try:
        att = selectors.access_attachment(notice, attachment_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return attachment_response(att)
