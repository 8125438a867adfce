"""Who may see, download and manage which resource — the one place these rules live (pages and API
both use it).

国发〔2016〕51号 第九条 sorts shared government information into 无条件共享 (to every department),
有条件共享 (to the relevant departments, or only in part) and 不予共享. 第十条: an unconditionally
shared resource is taken directly; a conditionally shared one is applied for, and the providing
department answers (within 10 working days) and gives its reasons when it refuses.

- **无条件共享** (``open``): every staff member sees the entry and downloads it.
- **有条件共享** (``conditional``): every staff member sees the entry; a unit downloads once its
  request is approved (until the approval's expiry).
- **限定单位** (``restricted``): 有条件共享 limited to named relevant units. The entry is seen only by
  the owner unit and the named units (other units are outside the sharing scope: to them it does
  not exist, 404, as a 不予共享 item would not be offered); the named units still apply, and
  download once approved.
- The **owner unit**'s staff see and download their own resources; its 资源管理员 publish, edit,
  upload versions, decide requests and read the download log.

Access is per unit: a request is made by a staff member for his or her unit, and the approval lets
every staff member of that unit download."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.library.models import AccessRequest, RequestStatus, Resource, SharedUnit, SharingLevel
from tongban.orgs.models import BusinessRole, Post
from tongban.orgs.selectors import role_pairs


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.pk)


def can_see_library(user: Any) -> bool:
    """The navigation entry: any staff member (no query)."""
    return is_staff(user)


def admin_unit_ids(user: Any) -> set[int]:
    """Units where the user is 资源管理员 (from the request's memoised grants)."""
    if not is_staff(user):
        return set()
    return {u for r, u in role_pairs(user) if r == BusinessRole.RESOURCE_ADMIN}


def member_unit_ids(user: Any) -> set[int]:
    """Units where the user holds a post (memoised on the user for the request)."""
    if not is_staff(user):
        return set()
    cached = getattr(user, "_library_units", None)
    if cached is None:
        cached = set(Post.objects.filter(user=user, unit__is_active=True).values_list("unit_id", flat=True))
        user._library_units = cached
    return set(cached)


def own_unit_ids(user: Any) -> set[int]:
    """Units whose resources the user handles as owner: posts and 资源管理员 grants."""
    return member_unit_ids(user) | admin_unit_ids(user)


def active_grant_q(unit_ids: set[int], prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}status": RequestStatus.APPROVED, f"{prefix}unit_id__in": unit_ids}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": today})
    )


def visible_resources(user: Any) -> QuerySet[Resource]:
    """The catalogue entries the user may see, each annotated with ``granted`` (the user's units
    hold an approved, unexpired request) and ``owned``."""
    if not is_staff(user):
        return Resource.objects.none()
    units = own_unit_ids(user)
    named = SharedUnit.objects.filter(resource=OuterRef("pk"), unit_id__in=units)
    granted = AccessRequest.objects.filter(active_grant_q(units), resource=OuterRef("pk"))
    return (
        Resource.objects.filter(current_version__isnull=False)
        .annotate(named=Exists(named), granted=Exists(granted))
        .filter(
            Q(sharing__in=[SharingLevel.OPEN, SharingLevel.CONDITIONAL])
            | Q(owner_unit_id__in=units)
            | Q(named=True)
        )
    )


MAX_ID = 2**62  # larger ids cannot exist (and would overflow the database's integer)


def valid_id(value: int | None) -> bool:
    return value is not None and 0 < value < MAX_ID


def access_resource(pk: int, user: Any) -> Resource:
    """A resource the user may see (404 otherwise, whether it does not exist or is hidden)."""
    if not valid_id(pk):
        raise NotFound("library.not_found", _("资源不存在或您无权查看。"))
    resource = (
        visible_resources(user)
        .select_related("owner_unit", "current_version", "created_by")
        .filter(pk=pk)
        .first()
    )
    if resource is None:
        # the owner's administrators also reach an entry whose first upload failed (no version)
        resource = (
            Resource.objects.select_related("owner_unit", "current_version", "created_by")
            .filter(pk=pk, owner_unit_id__in=admin_unit_ids(user))
            .first()
        )
        if resource is not None:
            resource.named = False  # type: ignore[attr-defined]
            resource.granted = False  # type: ignore[attr-defined]
    if resource is None:
        raise NotFound("library.not_found", _("资源不存在或您无权查看。"))
    return resource


def is_owner(user: Any, resource: Resource) -> bool:
    return resource.owner_unit_id in own_unit_ids(user)


def can_manage(user: Any, resource: Resource) -> bool:
    return resource.owner_unit_id in admin_unit_ids(user)


def can_download(user: Any, resource: Resource) -> bool:
    if resource.sharing == SharingLevel.OPEN or is_owner(user, resource):
        return True
    granted = getattr(resource, "granted", None)
    if granted is None:
        granted = AccessRequest.objects.filter(active_grant_q(own_unit_ids(user)), resource=resource).exists()
    return bool(granted)


def requestable_units(user: Any, resource: Resource) -> list[int]:
    """Units for which the user may request this resource: the user's units that are not the owner
    and (for 限定单位) are named."""
    if resource.sharing == SharingLevel.OPEN:
        return []
    units = member_unit_ids(user) - {resource.owner_unit_id}
    if resource.sharing == SharingLevel.RESTRICTED:
        units &= set(
            SharedUnit.objects.filter(resource=resource, unit_id__in=units).values_list("unit_id", flat=True)
        )
    return sorted(units)


def require_manager(user: Any, resource: Resource) -> None:
    if not can_manage(user, resource):
        raise PermissionDenied("library.not_manager", _("只有提供单位的资源管理员可以进行此操作。"))


def require_download(user: Any, resource: Resource) -> None:
    if not can_download(user, resource):
        raise PermissionDenied(
            "library.no_access", _("该资源为有条件共享，请先提交共享申请，经提供单位同意后再下载。")
        )
