"""Reads of the editorial desks: whose desk a user sees, the desks' columns, people and pending
reviews, and the access function of a desk (:func:`access_desk`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from wagtail.models import TaskState, WorkflowTask

from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.orgs.models import BusinessRole, RoleGrant, Unit
from tongban.portal.models import ColumnKind, ColumnPage, HomePage, UnitDesk


@dataclass(frozen=True)
class PortalScope:
    """A user's portal roles: counties he administers, units he edits or reviews for."""

    admin_county_ids: frozenset[int] = frozenset()
    editor_unit_ids: frozenset[int] = frozenset()
    reviewer_unit_ids: frozenset[int] = frozenset()

    @property
    def any(self) -> bool:
        return bool(self.admin_county_ids or self.editor_unit_ids or self.reviewer_unit_ids)

    @property
    def desk_unit_ids(self) -> frozenset[int]:
        return self.editor_unit_ids | self.reviewer_unit_ids


def scope_of(user: Any) -> PortalScope:
    """The portal roles of ``user`` (one query; cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return PortalScope()
    cached = getattr(user, "_portal_scope", None)
    if isinstance(cached, PortalScope):
        return cached
    admin: set[int] = set()
    editor: set[int] = set()
    reviewer: set[int] = set()
    for county_id, unit_id, role in RoleGrant.objects.filter(
        user=user,
        role__in=(BusinessRole.PORTAL_ADMIN, BusinessRole.PORTAL_EDITOR, BusinessRole.PORTAL_REVIEWER),
        unit__is_active=True,
    ).values_list("county_id", "unit_id", "role"):
        if role == BusinessRole.PORTAL_ADMIN:
            admin.add(county_id)
        elif role == BusinessRole.PORTAL_EDITOR:
            editor.add(unit_id)
        else:
            reviewer.add(unit_id)
    scope = PortalScope(frozenset(admin), frozenset(editor), frozenset(reviewer))
    user._portal_scope = scope
    return scope


def is_portal_staff(user: Any) -> bool:
    return scope_of(user).any


def is_portal_admin(user: Any) -> bool:
    return bool(scope_of(user).admin_county_ids)


@dataclass
class DeskRow:
    unit: Unit
    desk: UnitDesk | None
    columns: list[ColumnPage] = field(default_factory=list)
    editors: list[User] = field(default_factory=list)
    reviewers: list[User] = field(default_factory=list)
    pending: int = 0


def _visible_units(user: Any) -> Q:
    scope = scope_of(user)
    return Q(county_id__in=scope.admin_county_ids) | Q(pk__in=scope.desk_unit_ids)


def desks_for(user: Any) -> list[DeskRow]:
    """The desks ``user`` sees: a portal administrator every unit of his counties that owns a
    column or has a desk; an editor or reviewer his own units. A fixed number of queries."""
    scope = scope_of(user)
    if not scope.any:
        return []
    homes = list(HomePage.objects.filter(county_id__in=scope.admin_county_ids))
    column_qs = ColumnPage.objects.none()
    unit_ids: set[int] = set(scope.desk_unit_ids)
    unit_ids |= set(
        UnitDesk.objects.filter(unit__county_id__in=scope.admin_county_ids).values_list("unit_id", flat=True)
    )
    for home in homes:
        unit_ids |= set(
            ColumnPage.objects.descendant_of(home).exclude(unit=None).values_list("unit_id", flat=True)
        )
    units = list(Unit.objects.filter(pk__in=unit_ids).filter(_visible_units(user)).order_by("sort", "pk"))
    ids = [u.pk for u in units]
    column_qs = ColumnPage.objects.filter(unit_id__in=ids).order_by("path")
    columns: dict[int, list[ColumnPage]] = defaultdict(list)
    for column in column_qs:
        columns[column.unit_id].append(column)
    desks = {d.unit_id: d for d in UnitDesk.objects.filter(unit_id__in=ids).select_related("workflow")}
    people: dict[tuple[int, str], list[User]] = defaultdict(list)
    for grant in (
        RoleGrant.objects.filter(
            unit_id__in=ids, role__in=(BusinessRole.PORTAL_EDITOR, BusinessRole.PORTAL_REVIEWER)
        )
        .select_related("user")
        .order_by("user__username")
    ):
        people[(grant.unit_id, grant.role)].append(grant.user)
    pending = pending_by_workflow([d.workflow_id for d in desks.values()])
    return [
        DeskRow(
            unit=u,
            desk=desks.get(u.pk),
            columns=columns.get(u.pk, []),
            editors=people.get((u.pk, BusinessRole.PORTAL_EDITOR), []),
            reviewers=people.get((u.pk, BusinessRole.PORTAL_REVIEWER), []),
            pending=pending.get(desks[u.pk].workflow_id, 0) if u.pk in desks else 0,
        )
        for u in units
    ]


def pending_by_workflow(workflow_ids: list[int]) -> dict[int, int]:
    """Pages waiting in an approval task, per workflow id (one query)."""
    if not workflow_ids:
        return {}
    task_to_workflow = dict(
        WorkflowTask.objects.filter(workflow_id__in=workflow_ids).values_list("task_id", "workflow_id")
    )
    counts: dict[int, int] = defaultdict(int)
    for row in (
        TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS, task_id__in=list(task_to_workflow))
        .values("task_id")
        .annotate(n=Count("pk"))
    ):
        counts[task_to_workflow[row["task_id"]]] += row["n"]
    return dict(counts)


def pending_count(user: Any) -> int:
    """Pages waiting for ``user``'s review (reviewer of a desk; nav badge)."""
    scope = scope_of(user)
    if not scope.reviewer_unit_ids:
        return 0
    workflows = list(
        UnitDesk.objects.filter(unit_id__in=scope.reviewer_unit_ids).values_list("workflow_id", flat=True)
    )
    return sum(pending_by_workflow(workflows).values())


def access_desk(user: Any, unit_id: Any) -> DeskRow:
    """One unit's desk if ``user`` may see it (its editor or reviewer, or an administrator of its
    county); PermissionDenied/NotFound otherwise."""
    if not scope_of(user).any:
        raise PermissionDenied("portal.not_portal_staff", _("您没有门户网站编辑部的权限。"))
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise NotFound("portal.desk_not_found", _("编辑部不存在。")) from None
    for row in desks_for(user):
        if row.unit.pk == pk:
            return row
    raise NotFound("portal.desk_not_found", _("编辑部不存在。"))


def policy_columns_for(user: Any, unit: Unit) -> list[ColumnPage]:
    """Columns a document of ``unit`` may be published to by ``user``: the policy columns
    (政策文件类: 县委文件, 政府文件 …) of the unit, and for an administrator of the county every
    policy column of its site."""
    scope = scope_of(user)
    home = HomePage.objects.filter(county_id=unit.county_id).first()
    if home is None:
        return []
    qs = ColumnPage.objects.descendant_of(home).filter(kind=ColumnKind.POLICY)
    if unit.county_id not in scope.admin_county_ids:
        if unit.pk not in scope.desk_unit_ids:
            return []
        qs = qs.filter(unit=unit)
    return list(qs.order_by("path"))


def can_publish_column(user: Any, column: ColumnPage) -> bool:
    """May ``user`` publish in ``column`` without review (its unit's reviewer, or a site admin)?"""
    scope = scope_of(user)
    if column.unit_id and column.unit_id in scope.reviewer_unit_ids:
        return True
    home = column.county_home()
    return home is not None and home.county_id in scope.admin_county_ids
