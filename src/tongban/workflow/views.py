"""Pages of the process engine: the five inbox boxes, the generic item page and operations
(embedded by domain pages through ``{% workflow_actions item %}``), delegations and the
definitions admin page. Thin: parse, load, call one service, redirect back to ``next``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import NotFound, TongbanError
from tongban.core.permissions import admin_role_required
from tongban.identity.models import User
from tongban.workflow import definitions as defs
from tongban.workflow import registry, selectors, services
from tongban.workflow.models import (
    Delegation,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    WorkItemKind,
)

View = Callable[..., HttpResponse]


def _404(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc

    return wrapper


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return default


def _user(raw: str | None, field: str) -> User:
    if not raw or not str(raw).isdigit():
        raise TongbanError("workflow.bad_user", _("请选择人员。"), field=field)
    u = User.objects.filter(pk=int(raw), is_active=True).first()
    if u is None:
        raise TongbanError("workflow.bad_user", _("请选择人员。"), field=field)
    return u


def _users(raws: list[str]) -> list[User]:
    ids = [int(r) for r in raws if str(r).isdigit()]
    return list(User.objects.filter(pk__in=ids, is_active=True))


@login_required
def inbox_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("workflow:todo")


@login_required
@_404
def inbox(request: HttpRequest, box: str) -> HttpResponse:
    page = selectors.inbox(
        user=request.user,
        box=box,
        q=request.GET.get("q", ""),
        page=request.GET.get("page", 1),
        urgency=request.GET.get("urgency", ""),
    )
    return render(
        request,
        "workflow/inbox.html",
        {
            "box": box,
            "box_label": selectors.BOXES[box],
            "boxes": selectors.BOXES,
            "result": page,
            "counts": selectors.inbox_counts_cached(request.user),
            "urgencies": selectors.URGENCIES,
        },
    )


def action_context(item: Any, user: Any, next_url: str = "") -> dict[str, Any]:
    """What ``workflow/_item_actions.html`` needs: the item, what the user may do, the steps it can
    return to and a few people to pick from (the picker searches for more)."""
    acts = selectors.allowed_actions(item, user)
    return {
        "wf_item": item,
        "wf_actions": acts,
        "wf_returnable": selectors.returnable_steps(item) if "return" in acts else [],
        "wf_people": selectors.candidates(item, user=user, limit=20)
        if acts & {"transfer", "add_signer", "cc", "complete"}
        else [],
        "wf_next": next_url,
    }


@login_required
@_404
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.access_item(item_id, request.user)
    if item.kind == WorkItemKind.TASK and item.read_at is None and services.user_can_act(item, request.user):
        services.item_mark_read(item=item, actor=request.user)
    ctx = action_context(item, request.user, "")  # after submit/return: 待办; other operations: back here
    ctx.update(
        {
            "item": item,
            "instance": item.instance,
            "route": selectors.route(item.instance),
            "subject_url": registry.subject_url(item.subject_type, item.subject_id),
        }
    )
    return render(request, "workflow/item.html", ctx)


ACTIONS = {"complete", "return", "transfer", "withdraw", "add_signer", "cc", "urge", "read"}


@login_required
@require_POST
@_404
def item_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    item = selectors.access_item(item_id, request.user)
    back = _next(request, reverse("workflow:item", args=[item.pk]))
    p = request.POST
    user = request.user
    opinion = p.get("opinion", "").strip()
    try:
        if action == "complete":
            data: dict[str, Any] = {}
            chosen = [int(v) for v in p.getlist("next_assignees") if v.isdigit()]
            if chosen:
                data["next_assignees"] = chosen
            services.item_complete(item=item, actor=user, opinion=opinion, data=data)
            messages.success(request, _("已提交。"))
            back = _next(request, reverse("workflow:todo"))
        elif action == "return":
            services.item_return(item=item, actor=user, to_step=p.get("to_step", ""), opinion=opinion)
            messages.success(request, _("已退回。"))
            back = _next(request, reverse("workflow:todo"))
        elif action == "transfer":
            services.item_transfer(
                item=item, actor=user, to_user=_user(p.get("to_user"), "to_user"), opinion=opinion
            )
            messages.success(request, _("已转办。"))
        elif action == "withdraw":
            services.item_withdraw(item=item, actor=user)
            messages.success(request, _("已撤回，事项回到您的待办。"))
        elif action == "add_signer":
            services.item_add_signer(
                item=item, actor=user, signer=_user(p.get("signer"), "signer"), opinion=opinion
            )
            messages.success(request, _("已加签。"))
        elif action == "cc":
            made = services.copy_for_reading(
                instance=item.instance,
                actor=user,
                users=_users(p.getlist("users")),
                note=p.get("note", ""),
                item=item,
            )
            messages.success(request, _("已抄送 %(n)d 人。") % {"n": len(made)})
        elif action == "urge":
            services.item_urge(item=item, actor=user, message=p.get("message", ""))
            messages.success(request, _("已催办。"))
        elif action == "read":
            services.item_mark_read(item=item, actor=user, opinion=opinion)
            messages.success(request, _("已阅。"))
    except TongbanError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, str(exc.message))
    return redirect(back)


@login_required
@require_POST
@_404
def instance_cc(request: HttpRequest, instance_id: int) -> HttpResponse:
    inst = selectors.access_instance(instance_id, request.user)
    back = _next(request, reverse("workflow:started"))
    try:
        made = services.copy_for_reading(
            instance=inst,
            actor=request.user,
            users=_users(request.POST.getlist("users")),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已抄送 %(n)d 人。") % {"n": len(made)})
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    return redirect(back)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """Person picker: JSON ``{results: [{id, name, unit}]}``, or ``<option>``\\ s for htmx."""
    from tongban.orgs import selectors as org_selectors

    county = org_selectors.county_for_user(request.user)
    anchor = type("Anchor", (), {"county_id": getattr(county, "pk", None)})()
    found = selectors.candidates(anchor, user=request.user, q=request.GET.get("q", ""), limit=30)
    units = selectors.primary_unit_names([u.pk for u in found])
    rows = [{"id": u.pk, "name": u.full_name, "unit": units.get(u.pk, "")} for u in found]
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(render_to_string("workflow/_people_options.html", {"people": rows}))
    return JsonResponse({"results": rows})


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            starts = date.fromisoformat(request.POST.get("starts_on", ""))
            ends = date.fromisoformat(request.POST.get("ends_on", ""))
        except ValueError:
            messages.error(request, _("请填写正确的开始和结束日期。"))
            return redirect("workflow:delegations")
        try:
            services.delegation_create(
                actor=request.user,
                delegate=_user(request.POST.get("delegate"), "delegate"),
                starts_on=starts,
                ends_on=ends,
            )
            messages.success(request, _("委托已设置。"))
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        return redirect("workflow:delegations")
    return render(
        request,
        "workflow/delegations.html",
        {
            "mine": selectors.delegations_for(request.user),
            "to_me": selectors.delegations_to(request.user),
            "people": selectors.candidates(
                type("Anchor", (), {"county_id": getattr(_county(request), "pk", None)})(),
                user=request.user,
                limit=20,
            ),
        },
    )


def _county(request: HttpRequest) -> Any:
    from tongban.orgs import selectors as org_selectors

    return org_selectors.county_for_user(request.user)


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    d = Delegation.objects.filter(pk=delegation_id, user=request.user).first()
    if d is None:
        raise Http404
    services.delegation_revoke(delegation=d, actor=request.user)
    messages.success(request, _("委托已取消。"))
    return redirect("workflow:delegations")


@admin_role_required("security")
def definitions(request: HttpRequest) -> HttpResponse:
    problems: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("bpmn")
        key = request.POST.get("key", "")
        if upload is None:
            messages.error(request, _("请选择 BPMN 文件。"))
        elif upload.size > defs.MAX_BYTES:
            messages.error(request, _("文件过大（上限 2 MB）。"))
        else:
            try:
                row = defs.definition_upload(
                    key=key, data=upload.read(), actor=request.user, comment=request.POST.get("comment", "")
                )
                messages.success(
                    request,
                    _("已上传“%(name)s”第 %(v)d 版，新发起的流程将使用此版本。")
                    % {"name": row.name, "v": row.version},
                )
                return redirect("workflow:definitions")
            except defs.InvalidDefinition as exc:
                problems = exc.problems
                messages.error(request, _("流程定义未通过校验，未保存。"))
            except TongbanError as exc:
                messages.error(request, str(exc.message))
    rows = selectors.definitions_list()
    keys = sorted({r.key: r.name for r in rows}.items())
    return render(request, "workflow/definitions.html", {"rows": rows, "keys": keys, "problems": problems})


@admin_role_required("security")
def definition_download(request: HttpRequest, definition_id: int) -> HttpResponse:
    row = ProcessDefinition.objects.filter(pk=definition_id).first()
    if row is None:
        raise Http404
    resp = HttpResponse(row.bpmn_xml, content_type="application/xml; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{row.key}-v{row.version}.bpmn"'
    return resp


@admin_role_required("system")
def errors(request: HttpRequest) -> HttpResponse:
    """Instances stopped by an engine error (a refused expression, a missing rule): the system
    administrator reads the error and, once the cause is fixed, lets the instance run again."""
    rows = ProcessInstance.objects.filter(status=InstanceStatus.ERROR).select_related("definition", "starter")
    return render(request, "workflow/errors.html", {"rows": rows.order_by("-started_at")[:200]})


@admin_role_required("system")
@require_POST
def error_recover(request: HttpRequest, instance_id: int) -> HttpResponse:
    inst = ProcessInstance.objects.filter(pk=instance_id).first()
    if inst is None:
        raise Http404
    services.instance_recover(instance=inst, actor=request.user)
    messages.success(request, _("流程已恢复运行。"))
    return redirect("workflow:errors")
