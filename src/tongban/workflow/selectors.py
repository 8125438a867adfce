"""Reads of the process engine, always filtered for the user asking.

The inbox never deserialises a workflow: it reads ``WorkItem`` (denormalised title, subject,
urgency, deadline) with a constant number of queries whatever the page size — the user's role
grants (one query), the count and the page."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.calendar import add_workdays
from tongban.core.errors import NotFound
from tongban.workflow import registry, services
from tongban.workflow.models import (
    Delegation,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

PAGE_SIZE = 20
BOXES = {
    "todo": gettext_lazy("待办"),
    "done": gettext_lazy("已办"),
    "started": gettext_lazy("我发起的"),
    "toread": gettext_lazy("待阅"),
    "read": gettext_lazy("已阅"),
}
URGENCIES = ("特急", "加急")


def _grants(user: Any) -> list[tuple[int, str]]:
    """The user's (unit, role) grants (read fresh each time: grants change while a user works)."""
    from tongban.orgs.models import RoleGrant

    return list(
        RoleGrant.objects.filter(user=user, unit__is_active=True).values_list("unit_id", "role").order_by()
    )


def _mine_q(user: Any, grants: list[tuple[int, str]] | None = None) -> Q:
    """Items assigned to ``user`` or pooled to a role they hold."""
    if grants is None:
        grants = _grants(user)
    q = Q(assignee_id=user.pk)
    pooled = Q()
    for unit_id, role in grants:
        pooled |= Q(unit_id=unit_id, role=role)
    if grants:
        q |= Q(assignee__isnull=True) & pooled
    return q


def can_see_item(item: WorkItem, user: Any) -> bool:
    uid = getattr(user, "pk", None)
    if uid is None:
        return False
    if uid in (item.assignee_id, item.completed_by_id, item.delegated_from_id, item.sender_id):
        return True
    if item.kind == WorkItemKind.TASK and uid == item.instance.starter_id:
        return True  # the starter follows (and may urge) every step of their process
    if item.assignee_id is None and item.unit_id and item.role:
        return services.user_can_act(item, user) or (
            item.status != WorkItemStatus.OPEN and (item.unit_id, item.role) in set(_grants(user))
        )
    return False


def access_item(item_id: int, user: Any) -> WorkItem:
    """An item the user may act on or see: theirs (assignee, pooled role, completer, the person it
    was delegated from), one they sent, or a step of a process they started. Else NotFound."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound("workflow.no_item", _("找不到该事项。"))
    item = (
        WorkItem.objects.select_related(
            "instance__definition", "assignee", "delegated_from", "completed_by", "sender", "unit"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None or not can_see_item(item, user):
        raise NotFound("workflow.no_item", _("找不到该事项。"))
    return item


def access_instance(instance_id: int, user: Any) -> ProcessInstance:
    inst = ProcessInstance.objects.select_related("definition", "starter").filter(pk=instance_id).first()
    if inst is None or (
        getattr(user, "pk", None)
        not in participant_user_ids(subject_type=inst.subject_type, subject_id=inst.subject_id)
        and not getattr(user, "is_system_admin", False)
    ):
        raise NotFound("workflow.no_instance", _("找不到该流程。"))
    return inst


def open_items_for(*, user: Any, subject_type: str, subject_id: int) -> list[WorkItem]:
    """The user's open items on a subject (TASK items first, then READ items)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = list(
        WorkItem.objects.filter(subject_type=subject_type, subject_id=subject_id, status=WorkItemStatus.OPEN)
        .filter(_mine_q(user))
        .select_related("instance__definition", "assignee", "delegated_from", "sender", "unit")
        .order_by("created_at", "pk")
    )
    rows.sort(key=lambda i: (i.kind != WorkItemKind.TASK, i.created_at, i.pk))
    return rows


def instances_for(*, subject_type: str, subject_id: int) -> list[ProcessInstance]:
    return list(
        ProcessInstance.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by(
            "started_at", "pk"
        )
    )


def route(instance: ProcessInstance) -> list[WorkItem]:
    """The whole history of an instance (the 办理单): every item in order with opinions."""
    return list(
        WorkItem.objects.filter(instance=instance)
        .select_related("assignee", "completed_by", "delegated_from", "sender", "unit")
        .order_by("created_at", "pk")
    )


def participant_user_ids(*, subject_type: str, subject_id: int) -> set[int]:
    """Everyone on the route of any instance about the subject: starter, assignees, completers,
    delegators, senders, readers, and holders of the roles open items are pooled to."""
    ids: set[int] = set(
        ProcessInstance.objects.filter(subject_type=subject_type, subject_id=subject_id).values_list(
            "starter_id", flat=True
        )
    )
    pooled: set[tuple[int, str]] = set()
    for row in WorkItem.objects.filter(subject_type=subject_type, subject_id=subject_id).values_list(
        "assignee_id", "completed_by_id", "delegated_from_id", "sender_id", "unit_id", "role", "status"
    ):
        ids.update(v for v in row[:4] if v)
        if row[0] is None and row[4] and row[5] and row[6] == WorkItemStatus.OPEN:
            pooled.add((row[4], row[5]))
    if pooled:
        from tongban.orgs.models import RoleGrant

        q = Q()
        for unit_id, role in pooled:
            q |= Q(unit_id=unit_id, role=role)
        ids.update(RoleGrant.objects.filter(q).values_list("user_id", flat=True))
    return ids


# --- inbox ------------------------------------------------------------------------------------
@dataclass
class InboxPage:
    box: str
    page: Page
    rows: list[Any]
    q: str
    urgency: str


def _box_queryset(user: Any, box: str, grants: list[tuple[int, str]]) -> QuerySet[Any]:
    if box == "todo":
        return WorkItem.objects.filter(
            _mine_q(user, grants), kind=WorkItemKind.TASK, status=WorkItemStatus.OPEN
        )
    if box == "done":
        return WorkItem.objects.filter(completed_by=user, kind=WorkItemKind.TASK, status=WorkItemStatus.DONE)
    if box == "toread":
        return WorkItem.objects.filter(assignee=user, kind=WorkItemKind.READ, status=WorkItemStatus.OPEN)
    if box == "read":
        return WorkItem.objects.filter(assignee=user, kind=WorkItemKind.READ, status=WorkItemStatus.DONE)
    if box == "started":
        return ProcessInstance.objects.filter(starter=user)
    raise NotFound("workflow.no_box", _("没有这个收件箱。"))


def inbox(
    *,
    user: Any,
    box: str = "todo",
    q: str = "",
    page: int | str = 1,
    urgency: str = "",
    per_page: int = PAGE_SIZE,
) -> InboxPage:
    """One page (20 rows) of a box: ``todo`` (待办), ``done`` (已办), ``started`` (我发起的),
    ``toread`` (待阅), ``read`` (已阅); ``q`` filters the title, ``urgency`` 特急/加急."""
    grants = _grants(user) if box == "todo" else []
    qs = _box_queryset(user, box, grants)
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(title__icontains=q)
    if urgency in URGENCIES:
        qs = qs.filter(urgency=urgency)
    if box == "started":
        qs = qs.order_by("-started_at", "-pk")
    elif box in ("done", "read"):
        qs = qs.select_related("sender", "assignee", "completed_by", "delegated_from").order_by(
            "-completed_at", "-pk"
        )
    else:
        qs = qs.select_related("sender", "delegated_from", "assignee", "completed_by").order_by(
            "-created_at", "-pk"
        )
    paginator = Paginator(qs, per_page)
    pg = paginator.get_page(page)
    rows = list(pg.object_list)
    item_url = reverse("workflow:item", args=[0])[:-2]  # "/workflow/items/"
    now = timezone.now()
    soon = _soon_limit()
    latest: dict[int, int] = {}
    if box == "started" and rows:  # one query: each instance's latest step, for its 办理单
        from django.db.models import Max

        latest = dict(
            WorkItem.objects.filter(instance_id__in=[r.pk for r in rows], kind=WorkItemKind.TASK)
            .values("instance_id")
            .annotate(last=Max("pk"))
            .values_list("instance_id", "last")
        )
    for r in rows:
        r.url = registry.subject_url(r.subject_type, r.subject_id)
        if box == "started":
            r.item_url = f"{item_url}{latest[r.pk]}/" if r.pk in latest else "#"
        else:
            r.item_url = f"{item_url}{r.pk}/"
        r.subject_label = registry.subject_label(r.subject_type)
        due = getattr(r, "due_at", None)
        open_ = getattr(r, "status", "") == WorkItemStatus.OPEN
        r.overdue = bool(due and open_ and due < now)
        r.due_soon = bool(due and open_ and not r.overdue and due <= soon)
    return InboxPage(box=box, page=pg, rows=rows, q=q, urgency=urgency if urgency in URGENCIES else "")


def _soon_limit() -> datetime:
    """Deadlines up to the end of the next working day count as "due within one working day"."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    nxt = add_workdays(timezone.localdate(), 1)
    return datetime.combine(nxt, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


def inbox_counts(user: Any) -> dict[str, int]:
    """Open counts for the navigation: ``todo`` and ``toread`` in one query (plus the grants)."""
    if not getattr(user, "is_authenticated", False):
        return {"todo": 0, "toread": 0}
    grants = _grants(user)
    mine = _mine_q(user, grants)
    row = (
        WorkItem.objects.filter(status=WorkItemStatus.OPEN)
        .filter(mine | Q(assignee_id=user.pk))
        .aggregate(
            todo=Count("pk", filter=mine & Q(kind=WorkItemKind.TASK)),
            toread=Count("pk", filter=Q(assignee_id=user.pk, kind=WorkItemKind.READ)),
        )
    )
    return {"todo": row["todo"] or 0, "toread": row["toread"] or 0}


def inbox_counts_cached(user: Any) -> dict[str, int]:
    """:func:`inbox_counts`, computed once per request (the page and the navigation badges)."""
    cache = getattr(user, "_wf_counts", None)
    if cache is None:
        cache = inbox_counts(user)
        with contextlib.suppress(AttributeError):
            user._wf_counts = cache
    return cache


def _count_cached(user: Any, key: str) -> int:
    return inbox_counts_cached(user).get(key, 0)


def nav_badge(key: str) -> Any:
    return lambda user: _count_cached(user, key)


# --- step helpers -----------------------------------------------------------------------------
def returnable_steps(item: WorkItem) -> list[tuple[str, str]]:
    """Earlier completed steps on this item's path that it may be returned to, nearest first."""
    if item.kind != WorkItemKind.TASK or item.status != WorkItemStatus.OPEN:
        return []
    if "return" not in services.step_actions(item):
        return []
    tasks = services.returnable_tasks(item.instance, item)
    return [
        (t.task_spec.bpmn_id or t.task_spec.name, t.task_spec.bpmn_name or t.task_spec.name) for t in tasks
    ]


def allowed_actions(item: WorkItem, user: Any) -> set[str]:
    """What ``user`` may do with ``item`` now: the step's actions filtered by who they are."""
    if item.instance.status != InstanceStatus.RUNNING:
        return set()
    if item.kind == WorkItemKind.READ:
        return {"read"} if item.status == WorkItemStatus.OPEN and item.assignee_id == user.pk else set()
    acts = services.step_actions(item)
    out: set[str] = set()
    if item.status == WorkItemStatus.OPEN:
        if services.user_can_act(item, user):
            out.add("complete")
            out.update(acts & {"return", "transfer", "add_signer", "cc"})
            if item.parent_id is not None:
                out.discard("return")  # a 加签 signer gives an opinion; the step's handler decides
        if "urge" in acts and user.pk in (item.instance.starter_id, item.sender_id):
            out.add("urge")
    elif (
        item.status == WorkItemStatus.DONE
        and item.action == "submit"
        and item.completed_by_id == user.pk
        and "withdraw" in acts
    ):
        opened = list(WorkItem.objects.filter(source_item=item).values_list("status", "read_at"))
        if all(s == WorkItemStatus.OPEN and r is None for s, r in opened):
            out.add("withdraw")
        if "cc" in acts:
            out.add("cc")
    return out


def candidates(item_or_next: Any = None, *, user: Any = None, q: str = "", limit: int = 30) -> list[Any]:
    """People who can be picked (transfer, add signer, cc, next assignees): active staff of the
    item's county, searched by name / pinyin / username."""
    from tongban.identity.models import User

    county_id = getattr(item_or_next, "county_id", None)
    qs = User.objects.filter(is_active=True, admin_role="")
    if county_id:
        qs = qs.filter(posts__county_id=county_id)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(username__icontains=q)
            | Q(pinyin__icontains=q)
            | Q(pinyin_initials__icontains=q)
        )
    if user is not None:
        qs = qs.exclude(pk=user.pk)
    return list(qs.distinct().order_by("full_name", "pk")[:limit])


def delegations_for(user: Any) -> list[Delegation]:
    return list(Delegation.objects.filter(user=user).select_related("delegate").order_by("-created_at")[:50])


def delegations_to(user: Any) -> list[Delegation]:
    today = timezone.localdate()
    return list(
        Delegation.objects.filter(delegate=user, revoked_at__isnull=True, ends_on__gte=today)
        .select_related("user")
        .order_by("starts_on")
    )


def definitions_list() -> list[ProcessDefinition]:
    return list(ProcessDefinition.objects.select_related("uploaded_by").order_by("key", "-version"))


def access_definition(definition_id: int, user: Any) -> ProcessDefinition:
    from tongban.core.errors import PermissionDenied

    if not getattr(user, "is_security_admin", False):
        raise PermissionDenied("workflow.not_security_admin", _("只有安全管理员可以管理流程定义。"))
    row = ProcessDefinition.objects.filter(pk=definition_id).first()
    if row is None:
        raise NotFound("workflow.no_definition", _("找不到该流程定义。"))
    return row


def primary_unit_names(user_ids: list[int]) -> dict[int, str]:
    """Short names of the users' primary units (one query), for pickers."""
    from tongban.orgs.models import Post

    out: dict[int, str] = {}
    for uid, short, name in Post.objects.filter(user_id__in=user_ids, is_primary=True).values_list(
        "user_id", "unit__short_name", "unit__name"
    ):
        out[uid] = short or name
    return out
