"""Unit editorial desks (单位网站编辑部): who may edit, review and publish which part of the portal.

Issue #5: "Editors are staff of their unit: a unit's editors edit only their unit's columns;
publishing goes through Wagtail's moderation workflow (editor → unit reviewer → publish) with
scheduled publishing and revisions." 政府网站发展指引 (国办发〔2017〕47号) 三（四）: the organiser
sets up an editorial review system (信息发布审核制度) — what goes on the site is reviewed first.

The platform's business roles (granted only by the security administrator, rules.md §0) are the
single source of truth; this module turns them into Wagtail groups and permissions:

- ``portal_editor`` in unit U → group "网站编辑·U": admin access, add/change pages under every
  :class:`ColumnPage` whose ``unit`` is U (no publish), add/choose/change images and documents in
  U's collection. Publishing goes through U's workflow "审核流程·U" (one ``GroupApprovalTask``).
- ``portal_reviewer`` in U → group "网站审核·U": the same plus publish, and the approval task.
- ``portal_admin`` in any unit of county C → group "网站管理员·C": every page permission at C's home
  page, the site settings (:class:`PortalIdentity`), all images and documents of C, workflows,
  redirects.

Wagtail's permissions cascade down the page tree: a column's desk also covers its sub-columns
unless they are owned by another unit (then both desks may edit the sub-column; only the
sub-column's own workflow applies to it, as Wagtail uses the nearest assigned workflow).

:func:`sync_user` puts a user in exactly the groups his grants imply (connected to RoleGrant
saves and deletes); :func:`ensure_desk` recomputes a unit's desk; column saves keep the
permissions in step with the column's ``unit`` (:func:`refresh_column`); :func:`sync_all` redoes
a whole county (demo seeding, ``manage.py portal_desks_sync``)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django_tasks import task
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from tongban.identity.models import User
from tongban.orgs.models import BusinessRole, County, RoleGrant, Unit
from tongban.portal.models import ColumnPage, HomePage, UnitDesk

PORTAL_ROLES = (BusinessRole.PORTAL_EDITOR, BusinessRole.PORTAL_REVIEWER, BusinessRole.PORTAL_ADMIN)
ADMIN_GROUP_PREFIX = "网站管理员·"

EDITOR_PAGE_PERMS = ("add_page", "change_page")
REVIEWER_PAGE_PERMS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
ADMIN_PAGE_PERMS = (
    "add_page",
    "change_page",
    "publish_page",
    "bulk_delete_page",
    "lock_page",
    "unlock_page",
)
DESK_COLLECTION_PERMS = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
)
ADMIN_COLLECTION_PERMS = (
    *DESK_COLLECTION_PERMS,
    "wagtailimages.delete_image",
    "wagtaildocs.delete_document",
    "wagtailcore.add_collection",
    "wagtailcore.change_collection",
)
ACCESS_ADMIN = "wagtailadmin.access_admin"
ADMIN_MODEL_PERMS = (
    ACCESS_ADMIN,
    "portal.change_portalidentity",
    "wagtailcore.add_workflow",
    "wagtailcore.change_workflow",
    "wagtailcore.add_task",
    "wagtailcore.change_task",
    "wagtailredirects.add_redirect",
    "wagtailredirects.change_redirect",
    "wagtailredirects.delete_redirect",
)


def _perms(labels: Iterable[str]) -> list[Permission]:
    """``app_label.codename`` labels (page permissions: bare codenames of ``wagtailcore``) →
    Permission rows, one query (not cached: a flushed test database renumbers them)."""
    wanted = [label if "." in label else f"wagtailcore.{label}" for label in labels]
    q = Q()
    for label in wanted:
        app_label, codename = label.split(".", 1)
        q |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(q).select_related("content_type")
    }
    return [found[label] for label in wanted]


def _label(unit: Unit) -> str:
    return unit.short_name or unit.name


def _unique_group_name(base: str, unit: Unit) -> str:
    for name in (base, f"{base}（{unit.county.name}）", f"{base}（{unit.county.name}·{unit.pk}）"):
        if not Group.objects.filter(name=name).exists():
            return name
    return f"{base}#{unit.pk}"


def _give_model_perms(group: Group, labels: Iterable[str]) -> None:
    group.permissions.add(*_perms(labels))


def _give_page_perms(group: Group, page: Page, codenames: Iterable[str]) -> None:
    perms = _perms(codenames)
    have = set(
        GroupPagePermission.objects.filter(group=group, page=page).values_list("permission_id", flat=True)
    )
    GroupPagePermission.objects.bulk_create(
        [GroupPagePermission(group=group, page=page, permission=p) for p in perms if p.pk not in have]
    )
    extra = have - {p.pk for p in perms}
    if extra:
        GroupPagePermission.objects.filter(group=group, page=page, permission_id__in=extra).delete()


def _give_collection_perms(group: Group, collection: Collection, labels: Iterable[str]) -> None:
    perms = _perms(labels)
    have = set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list(
            "permission_id", flat=True
        )
    )
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection=collection, permission=p)
            for p in perms
            if p.pk not in have
        ]
    )


def county_collection(county: County) -> Collection:
    """The county's image/document collection (under Wagtail's root collection)."""
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=county.name).first()
    if found is not None:
        return found
    return root.add_child(name=county.name)


def unit_collection(unit: Unit) -> Collection:
    """The unit's own collection under its county's: its editors upload and choose there."""
    parent = county_collection(unit.county)
    name = _label(unit)
    found = parent.get_children().filter(name=name).first()
    if found is not None:
        return found
    return parent.add_child(name=name)


def desk_group_ids() -> set[int]:
    """Ids of every group a desk owns (editors and reviewers of all units)."""
    ids: set[int] = set()
    for editors_id, reviewers_id in UnitDesk.objects.values_list("editors_id", "reviewers_id"):
        ids.update((editors_id, reviewers_id))
    return ids


def managed_group_ids() -> set[int]:
    """The groups :func:`sync_user` manages: desk groups and the counties' administrator groups.
    Other groups (Wagtail's own "Editors"/"Moderators" …) are left alone."""
    admin = Group.objects.filter(name__startswith=ADMIN_GROUP_PREFIX).values_list("id", flat=True)
    return desk_group_ids() | set(admin)


def _create_desk(unit: Unit) -> UnitDesk:
    label = _label(unit)
    editors = Group.objects.create(name=_unique_group_name(f"网站编辑·{label}", unit))
    reviewers = Group.objects.create(name=_unique_group_name(f"网站审核·{label}", unit))
    workflow = Workflow.objects.create(name=f"审核流程·{label}（{unit.county.name}）")
    approval = GroupApprovalTask.objects.create(name=f"{label}审核")
    approval.groups.set([reviewers])
    WorkflowTask.objects.create(workflow=workflow, task=approval, sort_order=0)
    return UnitDesk.objects.create(unit=unit, editors=editors, reviewers=reviewers, workflow=workflow)


def desk_for(unit: Unit, *, create: bool = True) -> UnitDesk | None:
    """The unit's desk; created (with its permissions on the unit's columns) when missing."""
    desk = UnitDesk.objects.filter(unit=unit).select_related("editors", "reviewers", "workflow").first()
    if desk is None and create:
        desk = ensure_desk(unit)
    return desk


@transaction.atomic
def ensure_desk(unit: Unit) -> UnitDesk:
    """Create or complete the unit's desk: the two groups, admin access, the unit's collection, the
    workflow with its approval task, and permissions plus workflow on each column the unit owns.
    Idempotent."""
    desk = UnitDesk.objects.filter(unit=unit).select_related("editors", "reviewers", "workflow").first()
    if desk is None:
        desk = _create_desk(unit)
    _give_model_perms(desk.editors, [ACCESS_ADMIN])
    _give_model_perms(desk.reviewers, [ACCESS_ADMIN])
    collection = unit_collection(unit)
    _give_collection_perms(desk.editors, collection, DESK_COLLECTION_PERMS)
    _give_collection_perms(desk.reviewers, collection, DESK_COLLECTION_PERMS)
    approval = desk.workflow.tasks.first()
    if approval is None:
        approval = GroupApprovalTask.objects.create(name=f"{_label(unit)}审核")
        WorkflowTask.objects.create(workflow=desk.workflow, task=approval, sort_order=0)
    specific = approval.specific
    if isinstance(specific, GroupApprovalTask) and not specific.groups.filter(pk=desk.reviewers_id).exists():
        specific.groups.add(desk.reviewers)
    for column in ColumnPage.objects.filter(unit=unit):
        _apply_column(column, desk)
    return desk


def _apply_column(column: ColumnPage, desk: UnitDesk | None) -> None:
    """Make ``column``'s desk permissions and workflow match ``desk`` (None: no unit desk)."""
    stale = desk_group_ids()
    if desk is not None:
        stale -= {desk.editors_id, desk.reviewers_id}
    if stale:
        GroupPagePermission.objects.filter(page=column, group_id__in=stale).delete()
    desk_workflows = UnitDesk.objects.values_list("workflow_id", flat=True)
    if desk is None:
        WorkflowPage.objects.filter(page=column, workflow_id__in=desk_workflows).delete()
        return
    _give_page_perms(desk.editors, column, EDITOR_PAGE_PERMS)
    _give_page_perms(desk.reviewers, column, REVIEWER_PAGE_PERMS)
    WorkflowPage.objects.update_or_create(page=column, defaults={"workflow": desk.workflow})


def refresh_column(column: ColumnPage) -> None:
    """Called when a column is saved: permissions follow its ``unit``. A unit without a desk yet
    gets none here (its desk is made when someone is granted a portal role in it, or by
    :func:`sync_all`); stale grants of another unit's desk are always removed."""
    desk = desk_for(column.unit, create=False) if column.unit is not None else None
    _apply_column(column, desk)


def admin_group(county: County) -> Group:
    """The county's "网站管理员" group with its permissions (created when missing)."""
    group, _created = Group.objects.get_or_create(name=f"{ADMIN_GROUP_PREFIX}{county.name}（{county.code}）")
    _give_model_perms(group, ADMIN_MODEL_PERMS)
    _give_collection_perms(group, county_collection(county), ADMIN_COLLECTION_PERMS)
    home = HomePage.objects.filter(county=county).first()
    if home is not None:
        _give_page_perms(group, home, ADMIN_PAGE_PERMS)
    return group


def refresh_home(home: HomePage) -> None:
    """A county's home page was saved: its administrators' group covers it."""
    name = f"{ADMIN_GROUP_PREFIX}{home.county.name}（{home.county.code}）"
    group = Group.objects.filter(name=name).first()
    if group is not None:
        _give_page_perms(group, home, ADMIN_PAGE_PERMS)


@transaction.atomic
def sync_user(user: User) -> set[int]:
    """Put ``user`` into exactly the desk and administrator groups his portal role grants imply
    (and out of the others). Returns the ids of his managed groups afterwards."""
    wanted: set[int] = set()
    if user.is_active:
        grants = RoleGrant.objects.filter(user=user, role__in=PORTAL_ROLES).select_related(
            "unit", "unit__county", "county"
        )
        for grant in grants:
            if grant.role == BusinessRole.PORTAL_ADMIN:
                wanted.add(admin_group(grant.county).pk)
                continue
            desk = desk_for(grant.unit)
            assert desk is not None
            wanted.add(desk.editors_id if grant.role == BusinessRole.PORTAL_EDITOR else desk.reviewers_id)
    managed = managed_group_ids()
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    return wanted


@dataclass(frozen=True)
class SyncSummary:
    desks: int
    users: int


@transaction.atomic
def sync_all(county: County) -> SyncSummary:
    """Rebuild every desk of the county (units owning a column or holding portal roles), the
    administrators' group, and every user's membership. Idempotent."""
    home = HomePage.objects.filter(county=county).first()
    unit_ids: set[int] = set(
        RoleGrant.objects.filter(
            county=county, role__in=(BusinessRole.PORTAL_EDITOR, BusinessRole.PORTAL_REVIEWER)
        ).values_list("unit_id", flat=True)
    )
    if home is not None:
        unit_ids |= set(
            ColumnPage.objects.descendant_of(home)
            .exclude(unit=None)
            .values_list("unit_id", flat=True)
            .distinct()
        )
    units = Unit.objects.filter(pk__in=unit_ids, county=county).select_related("county")
    desks = [ensure_desk(unit) for unit in units]
    admin_group(county)
    granted = set(
        RoleGrant.objects.filter(county=county, role__in=PORTAL_ROLES).values_list("user_id", flat=True)
    )
    members = set(User.objects.filter(groups__in=managed_group_ids()).values_list("pk", flat=True).distinct())
    users = User.objects.filter(pk__in=granted | members)
    count = 0
    for user in users:
        sync_user(user)
        count += 1
    return SyncSummary(desks=len(desks), users=count)


# --- signals ------------------------------------------------------------------------------------
def on_grant_changed(sender: Any, instance: RoleGrant, **kwargs: Any) -> None:
    """RoleGrant post_save / post_delete: re-sync the holder's groups for portal roles."""
    if kwargs.get("raw") or instance.role not in PORTAL_ROLES:
        return
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        sync_user(user)


def on_column_saved(sender: Any, instance: ColumnPage, **kwargs: Any) -> None:
    """ColumnPage post_save: when the live ``unit`` may have changed, permissions follow it."""
    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "unit" not in update_fields and not kwargs.get("created"):
        return
    refresh_column(instance)


def on_home_saved(sender: Any, instance: HomePage, **kwargs: Any) -> None:
    if kwargs.get("raw") or not kwargs.get("created"):
        return
    refresh_home(instance)


# --- scheduled publishing -----------------------------------------------------------------------
@task()
def publish_scheduled_pages() -> str:
    """Every minute: publish the revisions whose ``go_live_at`` has come and unpublish the pages
    whose ``expire_at`` has passed (Wagtail's ``publish_scheduled`` command)."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()[:2000]


# --- moderation notifications -------------------------------------------------------------------
def _edit_url(page_id: int) -> str:
    from django.urls import reverse

    return reverse("wagtailadmin_pages:edit", args=[page_id])


def on_task_submitted(sender: Any, instance: Any, user: Any = None, **kwargs: Any) -> None:
    """Wagtail ``task_submitted``: tell the approval task's reviewers (in-app) that a page waits
    for them (event ``portal.review_requested``)."""
    from django.utils.translation import gettext as _

    from tongban.notify.services import notify

    task_obj = instance.task.specific
    if not isinstance(task_obj, GroupApprovalTask):
        return
    page = instance.workflow_state.content_object
    reviewers = list(
        User.objects.filter(groups__in=task_obj.groups.all(), is_active=True)
        .exclude(pk=getattr(user, "pk", 0) or 0)
        .distinct()
    )
    if not reviewers:
        return
    notify(
        users=reviewers,
        event="portal.review_requested",
        title=_("网站稿件待审核：%(title)s") % {"title": page.get_admin_display_title()},
        body=_("%(name)s 提交了稿件，请在门户网站管理中审核。")
        % {"name": getattr(user, "full_name", "") or getattr(user, "username", "")},
        url=_edit_url(page.pk),
        dedupe_key=f"taskstate:{instance.pk}",
        actor=user if isinstance(user, User) else None,
    )


def _review_done(instance: Any, user: Any, approved: bool) -> None:
    from django.utils.translation import gettext as _

    from tongban.notify.services import notify

    task_obj = instance.task.specific
    if not isinstance(task_obj, GroupApprovalTask):
        return
    requester = instance.workflow_state.requested_by
    if requester is None or not requester.is_active or requester.pk == getattr(user, "pk", None):
        return
    page = instance.workflow_state.content_object
    title = page.get_admin_display_title()
    if approved:
        subject = _("稿件已通过审核：%(title)s") % {"title": title}
    else:
        subject = _("稿件被退回修改：%(title)s") % {"title": title}
    comment = (instance.comment or "").strip()
    body = _("审核意见：%(comment)s") % {"comment": comment} if comment else ""
    notify(
        users=[requester],
        event="portal.review_done",
        title=subject,
        body=body,
        url=_edit_url(page.pk),
        dedupe_key=f"taskstate:{instance.pk}:{'ok' if approved else 'back'}",
        actor=user if isinstance(user, User) else None,
    )


def on_task_approved(sender: Any, instance: Any, user: Any = None, **kwargs: Any) -> None:
    """Wagtail ``task_approved``: tell the editor who submitted (event ``portal.review_done``)."""
    _review_done(instance, user, approved=True)


def on_task_rejected(sender: Any, instance: Any, user: Any = None, **kwargs: Any) -> None:
    """Wagtail ``task_rejected`` (请修改): tell the editor, with the reviewer's comment."""
    _review_done(instance, user, approved=False)
