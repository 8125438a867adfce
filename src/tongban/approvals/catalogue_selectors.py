"""Reads of the service catalogue (事项目录), for staff (already filtered for the actor) and for the
public hall (published items only).

Who may see what (rules.md §3: "departments maintain their items; the county approval office
publishes them"):
- a department's 事项管理员 (catalogue_admin granted in that unit) sees and edits its own
  department's items;
- the 事项管理员 of the county approval office (the unit whose short name is
  ``settings.TONGBAN_APPROVAL_OFFICE``) sees every item of the county and publishes;
- everyone, logged in or not, sees published items in the 办事指南."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.approvals.models import (
    Case,
    ItemMaterial,
    ItemStatus,
    ItemVersion,
    ServiceItem,
    VersionStatus,
)
from tongban.core import clock as core_clock
from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, County, RoleGrant, Unit

OPEN_VERSION_STATUSES = (VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.SUBMITTED)
EDITABLE_STATUSES = (VersionStatus.DRAFT, VersionStatus.RETURNED)


# --- who may do what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueRights:
    """The actor's catalogue rights: the departments whose items they maintain, and whether they
    are an administrator of the county approval office (who sees every item and publishes)."""

    county_id: int  # 0 when the actor has no catalogue rights
    department_ids: frozenset[int]
    office: bool

    @property
    def any(self) -> bool:
        return self.office or bool(self.department_ids)

    def may_edit(self, item: ServiceItem) -> bool:
        return item.county_id == self.county_id and (self.office or item.department_id in self.department_ids)


def rights(user: Any) -> CatalogueRights:
    """One query: the actor's catalogue_admin grants (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return CatalogueRights(0, frozenset(), False)
    cached = getattr(user, "_tb_catalogue_rights", None)
    if cached is not None:
        return cached
    grants = list(
        RoleGrant.objects.filter(user=user, role=BusinessRole.CATALOGUE_ADMIN, unit__is_active=True)
        .select_related("unit")
        .only("unit__id", "unit__short_name", "unit__county_id", "county_id")
    )
    office = any(g.unit.short_name == settings.TONGBAN_APPROVAL_OFFICE for g in grants)
    county_id = grants[0].county_id if grants else 0
    result = CatalogueRights(
        county_id=county_id,
        department_ids=frozenset(g.unit_id for g in grants),
        office=office,
    )
    user._tb_catalogue_rights = result
    return result


def is_catalogue_admin(user: Any) -> bool:
    """Shown the 事项管理 pages: holds catalogue_admin in some unit."""
    return rights(user).any


def is_office_admin(user: Any) -> bool:
    """A catalogue_admin of the county approval office: publishes and returns versions."""
    return rights(user).office


def require_catalogue_admin(user: Any) -> CatalogueRights:
    r = rights(user)
    if not r.any:
        raise PermissionDenied("approvals.catalogue_forbidden", _("只有事项管理员可以维护事项目录。"))
    return r


def editable_departments(user: Any) -> QuerySet[Unit]:
    """The departments the actor may create items for: all active units of the county for the
    approval office, else the units where the actor is catalogue_admin."""
    r = rights(user)
    if not r.any:
        return Unit.objects.none()
    qs = Unit.objects.filter(county_id=r.county_id, is_active=True)
    if not r.office:
        qs = qs.filter(pk__in=r.department_ids)
    return qs.order_by("sort", "id")


def access_item(user: Any, item_id: int) -> ServiceItem:
    """The item, if the actor maintains it (its department's admin, or the approval office)."""
    r = require_catalogue_admin(user)
    item = (
        ServiceItem.objects.select_related("department", "parent", "current", "county")
        .filter(pk=item_id, county_id=r.county_id)
        .first()
    )
    if item is None:
        raise NotFound("approvals.item_not_found", _("事项不存在。"))
    if not r.may_edit(item):
        raise PermissionDenied("approvals.item_forbidden", _("只能维护本部门的事项。"))
    return item


def access_version(user: Any, version_id: int) -> ItemVersion:
    version = (
        ItemVersion.objects.select_related("item", "implementing_unit", "created_by", "published_by")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("approvals.version_not_found", _("事项版本不存在。"))
    item = access_item(user, version.item_id)
    version.item = item
    return version


def access_material(user: Any, material_id: int) -> ItemMaterial:
    material = ItemMaterial.objects.filter(pk=material_id).first()
    if material is None:
        raise NotFound("approvals.material_not_found", _("材料不存在。"))
    material.version = access_version(user, material.version_id)
    return material


# --- staff lists -------------------------------------------------------------------------------

PENDING = "pending"  # the staff list's status filter for "has a version waiting for publication"


def items_for_staff(
    user: Any,
    *,
    department_id: int | None = None,
    status: str = "",
    item_type: str = "",
    q: str = "",
) -> QuerySet[ServiceItem]:
    """The items the actor maintains, filtered; each row knows whether a version waits for
    publication (``pending``) or is being drafted (``drafting``)."""
    r = rights(user)
    if not r.any:
        return ServiceItem.objects.none()
    qs = ServiceItem.objects.filter(county_id=r.county_id)
    if not r.office:
        qs = qs.filter(department_id__in=r.department_ids)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if item_type:
        qs = qs.filter(item_type=item_type)
    qs = qs.annotate(
        pending=Exists(ItemVersion.objects.filter(item=OuterRef("pk"), status=VersionStatus.SUBMITTED)),
        drafting=Exists(ItemVersion.objects.filter(item=OuterRef("pk"), status__in=EDITABLE_STATUSES)),
    )
    if status == PENDING:
        qs = qs.filter(pending=True)
    elif status in ItemStatus.values:
        qs = qs.filter(status=status)
    qs = _search(qs, q)
    return qs.select_related("department", "current", "parent").order_by("department__sort", "sort", "code")


def _search(qs: QuerySet[ServiceItem], q: str) -> QuerySet[ServiceItem]:
    for word in (q or "").split()[:5]:
        word = word[:50]
        qs = qs.filter(Q(search_text__icontains=word) | Q(code__icontains=word) | Q(name__icontains=word))
    return qs


def item_versions(item: ServiceItem) -> list[ItemVersion]:
    return list(
        item.versions.select_related("created_by", "published_by", "implementing_unit").order_by("-number")
    )


def open_version(item: ServiceItem) -> ItemVersion | None:
    """The version being drafted, returned or waiting for publication (at most one at a time)."""
    return item.versions.filter(status__in=OPEN_VERSION_STATUSES).order_by("-number").first()


def version_detail(version_id: int) -> ItemVersion:
    """A version with its materials, fees and steps loaded (for pages and the API)."""
    v = (
        ItemVersion.objects.select_related("item", "item__department", "implementing_unit")
        .prefetch_related("materials", "fees", "steps")
        .filter(pk=version_id)
        .first()
    )
    if v is None:
        raise NotFound("approvals.version_not_found", _("事项版本不存在。"))
    return v


DIFF_FIELDS = (
    "name",
    "item_type",
    "implementing_unit",
    "legal_basis",
    "conditions",
    "place",
    "hours",
    "phone",
    "statutory_limit",
    "committed_limit",
    "joint",
    "visits",
    "online",
    "fee_free",
    "certificate_name",
    "certificate_valid_years",
    "process_key",
)


@dataclass
class DiffRow:
    label: str
    old: str
    new: str


def version_diff(a: ItemVersion, b: ItemVersion) -> list[DiffRow]:
    """What changed from version ``a`` to ``b``: each element, the materials, fees, steps and form
    fields, as readable text."""
    rows: list[DiffRow] = []
    for name in DIFF_FIELDS:
        label = str(getattr(ItemVersion._meta.get_field(name), "verbose_name", name))
        old, new = _show(a, name), _show(b, name)
        if old != new:
            rows.append(DiffRow(label, old, new))

    def lines(v: ItemVersion, rel: str) -> str:
        out = []
        for x in getattr(v, rel).all():
            if rel == "materials":
                out.append(
                    f"{x.name}（{x.get_form_display()}，{x.copies}份{'' if x.required else '，非必需'}）"
                )
            elif rel == "fees":
                out.append(f"{x.name} {x.amount}元（{x.basis}）")
            else:
                out.append(f"{x.name} {x.limit}{_('个工作日')}{'' if x.counts else _('（不计入）')}")
        return "\n".join(out)

    for rel, label in (("materials", _("申请材料")), ("fees", _("收费")), ("steps", _("办理环节"))):
        old, new = lines(a, rel), lines(b, rel)
        if old != new:
            rows.append(DiffRow(str(label), old, new))
    fa = "\n".join(f"{f.get('label')}（{f.get('key')}，{f.get('type')}）" for f in a.form_schema or [])
    fb = "\n".join(f"{f.get('label')}（{f.get('key')}，{f.get('type')}）" for f in b.form_schema or [])
    if fa != fb:
        rows.append(DiffRow(str(_("申请表字段")), fa, fb))
    return rows


def _show(v: ItemVersion, name: str) -> str:
    value = getattr(v, name)
    if name == "implementing_unit":
        return v.implementing_unit.name
    if isinstance(value, bool):
        return _("是") if value else _("否")
    display = getattr(v, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return "" if value is None else str(value)


# --- the public hall ---------------------------------------------------------------------------


def items_published(
    *,
    county: County | None = None,
    q: str = "",
    department_id: int | None = None,
    item_type: str = "",
) -> QuerySet[ServiceItem]:
    """Published items with a current version, for the 办事指南 and the applying part."""
    qs = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, current__isnull=False)
    if county is not None:
        qs = qs.filter(county=county)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if item_type:
        qs = qs.filter(item_type=item_type)
    qs = _search(qs, q)
    return qs.select_related("department", "current").order_by("department__sort", "sort", "code")


def item_by_code(code: str) -> ServiceItem:
    """The published item with this code (with its current version and units), or NotFound."""
    item = (
        ServiceItem.objects.filter(code=code, status=ItemStatus.PUBLISHED, current__isnull=False)
        .select_related("department", "current", "current__implementing_unit", "parent", "county")
        .first()
    )
    if item is None:
        raise NotFound("approvals.item_not_found", _("事项不存在或未发布。"))
    return item


def guide_version(item: ServiceItem) -> ItemVersion:
    """The current version of a published item, with its materials, fees and steps."""
    assert item.current_id is not None
    return (
        ItemVersion.objects.select_related("implementing_unit")
        .prefetch_related("materials", "fees", "steps")
        .get(pk=item.current_id)
    )


def published_children(item: ServiceItem) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(parent=item, status=ItemStatus.PUBLISHED, current__isnull=False)
        .select_related("current", "department")
        .order_by("sort", "code")
    )


def public_sample(code: str, material_id: int) -> ItemMaterial:
    """A material's sample file, only when it belongs to the current version of a published item."""
    item = item_by_code(code)
    material = ItemMaterial.objects.filter(pk=material_id, version_id=item.current_id).first()
    if material is None or not material.sample:
        raise NotFound("approvals.sample_not_found", _("示范文本不存在。"))
    return material


def hall_county() -> County | None:
    """The county the hall serves: the county of the published items (there is one per install)."""
    county_id = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values_list("county_id", flat=True).first()
    )
    return County.objects.filter(pk=county_id).first() if county_id else County.objects.first()


def published_departments(county: County | None = None) -> list[Unit]:
    """Departments with published items, each with ``n`` (how many)."""
    qs = Unit.objects.filter(service_items__status=ItemStatus.PUBLISHED, service_items__current__isnull=False)
    if county is not None:
        qs = qs.filter(county=county)
    return list(qs.annotate(n=Count("service_items")).order_by("sort", "id"))


def published_type_counts(county: County | None = None) -> list[dict[str, Any]]:
    from tongban.approvals.models import ItemType

    qs = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, current__isnull=False)
    if county is not None:
        qs = qs.filter(county=county)
    counts = dict(qs.values_list("item_type").annotate(n=Count("id")).values_list("item_type", "n"))
    return [{"value": v, "label": label, "n": counts[v]} for v, label in ItemType.choices if counts.get(v)]


POPULAR_DAYS = 90


def popular_items(county: County | None = None, *, limit: int = 8) -> list[ServiceItem]:
    """The items most applied for in the last 90 days (cached for 10 minutes); items in catalogue
    order fill up when there are fewer."""
    since = core_clock.now() - timedelta(days=POPULAR_DAYS)
    key = f"approvals:popular:{county.pk if county else 0}:{limit}:{core_clock.today():%Y%m%d}"
    ids: list[int] | None = cache.get(key)
    if ids is None:
        cases = Case.objects.filter(received_at__gte=since)
        if county is not None:
            cases = cases.filter(county=county)
        ids = list(
            cases.values("item_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("item_id", flat=True)[:limit]
        )
        cache.set(key, ids, 600)
    published = items_published(county=county)
    chosen = {i.pk: i for i in published.filter(pk__in=ids)}
    out = [chosen[i] for i in ids if i in chosen]
    if len(out) < limit:
        online = published.filter(current__online=True).exclude(pk__in=[i.pk for i in out])
        out += list(online[: limit - len(out)])
    return out


def versions_with_children(item: ServiceItem) -> QuerySet[ItemVersion]:
    return item.versions.prefetch_related(
        Prefetch("materials"), Prefetch("fees"), Prefetch("steps")
    ).select_related("implementing_unit")
