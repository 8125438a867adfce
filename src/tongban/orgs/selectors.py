"""Reads of the organisation, used by the address book and by every later module."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Window
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.orgs.models import County, LeaderDuty, Office, Post, RoleGrant, Unit, UnitKind

_LETTERS = re.compile(r"^[a-z]+$")
_PHONE = re.compile(r"^[0-9-]{3,}$")


def county_for_user(user: Any) -> County | None:
    """The county a user works in: that of the primary post; else the only county, if there is one."""
    if user is not None and getattr(user, "is_authenticated", False):
        post = Post.objects.filter(user=user, is_primary=True).select_related("county").first()
        if post is not None:
            return post.county
    counties = list(County.objects.all()[:2])
    return counties[0] if len(counties) == 1 else None


def access_county(user: Any) -> County:
    county = county_for_user(user)
    if county is None:
        raise NotFound("orgs.no_county", _("尚未建立县的组织机构，请先导入或运行 seed_demo。"))
    return county


def user_primary_post(user: Any) -> Post | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Post.objects.filter(user=user, is_primary=True).select_related("unit", "office").first()


def user_primary_unit(user: Any) -> Unit | None:
    post = user_primary_post(user)
    return post.unit if post is not None else None


def units_for_user(user: Any) -> list[Unit]:
    """Units where the user holds a post, the primary one first."""
    if user is None or not getattr(user, "pk", None):
        return []
    posts = (
        Post.objects.filter(user=user, unit__is_active=True)
        .select_related("unit")
        .order_by("-is_primary", "sort", "id")
    )
    seen: dict[int, Unit] = {}
    for post in posts:
        seen.setdefault(post.unit_id, post.unit)
    return list(seen.values())


def user_has_role(user: Any, role: str, unit: Unit | None = None) -> bool:
    """Whether ``user`` holds business ``role`` (in ``unit``, or in any unit when ``unit`` is None)."""
    if user is None or not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return False
    qs = RoleGrant.objects.filter(user=user, role=role, unit__is_active=True)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.exists()


def role_triples(user: Any) -> frozenset[tuple[str, int, int]]:
    """(role, unit id, county id) of the user's grants in active units, read once per request:
    memoised on the user object, so the navigation entries of several domains share one query."""
    if user is None or not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return frozenset()
    cached = getattr(user, "_orgs_role_triples", None)
    if cached is None:
        cached = frozenset(
            RoleGrant.objects.filter(user=user, unit__is_active=True).values_list(
                "role", "unit_id", "county_id"
            )
        )
        user._orgs_role_triples = cached
    return cached


def role_pairs(user: Any) -> frozenset[tuple[str, int]]:
    """(role, unit id) of the user's grants in active units (one query per request, shared)."""
    return frozenset((r, u) for r, u, _c in role_triples(user))


def roles_of(user: Any) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user=user).select_related("unit").order_by("unit__sort", "role")


def leaders_in_charge_of(unit: Unit) -> list[User]:
    """County leaders in charge of (分管) ``unit``."""
    duties = (
        LeaderDuty.objects.filter(unit=unit, leader__is_active=True).select_related("leader").order_by("id")
    )
    return [d.leader for d in duties]


def duties_of(leader: Any) -> QuerySet[LeaderDuty]:
    return LeaderDuty.objects.filter(leader=leader).select_related("unit").order_by("unit__sort", "unit_id")


# --- the unit tree ---------------------------------------------------------------------------


@dataclass
class UnitNode:
    unit: Unit
    children: list[UnitNode] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.unit.pk


@dataclass
class TreeGroup:
    """A top-level group of the tree: a leading body with its units, or a bucket by kind."""

    label: str
    nodes: list[UnitNode]


def unit_tree(county: County, *, include_inactive: bool = False) -> list[UnitNode]:
    """The county's units as a forest (roots first: the four leading bodies, then the rest by sort),
    built from ONE query."""
    qs = Unit.objects.filter(county=county).order_by("sort", "id")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    nodes = {u.pk: UnitNode(u) for u in qs}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            roots.append(node)
    order = {k: i for i, k in enumerate(UnitKind.values)}
    roots.sort(key=lambda n: (order.get(n.unit.kind, 99), n.unit.sort, n.unit.pk))
    return roots


def unit_tree_groups(county: County) -> list[TreeGroup]:
    """The tree grouped for browsing: each leading body with its units; other roots by kind."""
    groups: list[TreeGroup] = []
    by_kind: dict[str, list[UnitNode]] = {}
    for node in unit_tree(county):
        if node.unit.kind == UnitKind.LEADING_BODY:
            groups.append(TreeGroup(node.unit.name, [node]))
        else:
            by_kind.setdefault(node.unit.kind, []).append(node)
    for kind in UnitKind:
        if kind.value in by_kind:
            groups.append(TreeGroup(str(kind.label), by_kind[kind.value]))
    return groups


def access_unit(unit_id: int, user: Any, *, include_inactive: bool = False) -> Unit:
    """A unit of the user's county (a unit of another county is not found)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("orgs.login_required", _("请先登录。"))
    county = county_for_user(user)
    qs = Unit.objects.filter(pk=unit_id)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    unit = qs.select_related("parent", "county").first()
    if unit is None or county is None or unit.county_id != county.pk:
        raise NotFound("orgs.unit_not_found", _("单位不存在。"))
    return unit


@dataclass
class OfficeGroup:
    office: Office | None
    posts: list[Post]


def unit_people(unit: Unit) -> list[OfficeGroup]:
    """A unit's offices, each with its people (leaders without an office come first). Two queries."""
    offices = list(Office.objects.filter(unit=unit).order_by("sort", "id"))
    posts = list(
        Post.objects.filter(unit=unit, user__is_active=True)
        .select_related("user", "office")
        .order_by("sort", "user__pinyin", "id")
    )
    by_office: dict[int | None, list[Post]] = {}
    for post in posts:
        by_office.setdefault(post.office_id, []).append(post)
    groups = [OfficeGroup(None, by_office.get(None, []))] if by_office.get(None) else []
    groups += [OfficeGroup(o, by_office.get(o.pk, [])) for o in offices]
    return groups


# --- the address book ------------------------------------------------------------------------


def addressbook_queryset(*, county: County, q: str = "", unit: Unit | None = None) -> QuerySet[Post]:
    """Posts of active staff in active units matching ``q``: name (contains), pinyin (prefix),
    pinyin initials (prefix, "zs" finds 张三), unit name, office or mobile phone (contains).

    Each criterion is a small subquery on its own table (users, units, offices) so the database
    filters posts by indexed ids instead of evaluating a wide OR over a four-table join."""
    qs = Post.objects.filter(county=county, user__is_active=True, unit__is_active=True)
    if unit is not None:
        qs = qs.filter(unit=unit)
    q = q.strip()
    if q:
        low = q.lower().replace(" ", "")
        user_cond = Q(full_name__contains=q)
        if _LETTERS.match(low):
            user_cond |= Q(pinyin__startswith=low) | Q(pinyin_initials__startswith=low)
        phone = bool(_PHONE.match(q))
        if phone:
            user_cond |= Q(mobile__contains=q)
        units = Unit.objects.filter(county=county).filter(Q(name__contains=q) | Q(short_name__contains=q))
        offices = Office.objects.filter(county=county, name__contains=q)
        cond = (
            Q(user_id__in=User.objects.filter(user_cond).values("pk"))
            | Q(unit_id__in=units.values("pk"))
            | Q(office_id__in=offices.values("pk"))
        )
        if phone:
            cond |= Q(office_phone__contains=q)
        qs = qs.filter(cond)
    return qs.select_related("user", "unit", "office").order_by(
        "unit__sort", "unit_id", "sort", "user__pinyin", "id"
    )


@dataclass
class ResultPage:
    """One page of results with the total, shaped like Django's Page (``page.paginator.count``)."""

    object_list: list[Post]
    number: int
    count: int
    per_page: int

    @property
    def paginator(self) -> ResultPage:
        return self

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def addressbook_search(
    *, county: County, q: str = "", unit: Unit | None = None, page: int | str = 1, per_page: int = 20
) -> ResultPage:
    """One page of address-book results in ONE query (the total rides along as a window count);
    a page past the end falls back to the last page."""
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    qs = (
        addressbook_queryset(county=county, q=q, unit=unit)
        .only(*_AB_FIELDS)
        .annotate(_total=Window(Count("*")))
    )
    rows: list[Post] = list(qs[(number - 1) * per_page : number * per_page])
    if rows:
        return ResultPage(rows, number, int(getattr(rows[0], "_total", 0)), per_page)
    if number == 1:
        return ResultPage([], 1, 0, per_page)
    total = addressbook_queryset(county=county, q=q, unit=unit).count()
    last = max(1, -(-total // per_page))
    return (
        addressbook_search(county=county, q=q, unit=unit, page=last, per_page=per_page)
        if total
        else ResultPage([], 1, 0, per_page)
    )


_AB_FIELDS = (
    "id",
    "user_id",
    "unit_id",
    "office_id",
    "title",
    "is_primary",
    "sort",
    "office_phone",
    "user__id",
    "user__full_name",
    "user__pinyin",
    "user__mobile",
    "unit__id",
    "unit__name",
    "unit__short_name",
    "unit__sort",
    "office__id",
    "office__name",
)


def staff_queryset(*, county: County, q: str = "") -> QuerySet[Post]:
    """Primary posts of the county's staff (active or not) for the administrator's list."""
    qs = Post.objects.filter(county=county, is_primary=True)
    q = q.strip()
    if q:
        low = q.lower()
        cond = Q(user__full_name__contains=q) | Q(user__username__contains=q) | Q(unit__name__contains=q)
        if _LETTERS.match(low):
            cond |= Q(user__pinyin__startswith=low) | Q(user__pinyin_initials__startswith=low)
        if _PHONE.match(q):
            cond |= Q(user__mobile__contains=q)
        qs = qs.filter(cond)
    return qs.select_related("user", "unit", "office").order_by("unit__sort", "unit_id", "sort", "id")


def county_units(county: County, *, include_inactive: bool = False) -> QuerySet[Unit]:
    qs = Unit.objects.filter(county=county)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort", "id")


def unit_choices(county: County | None = None) -> list[tuple[int, str]]:
    """(id, name) of units, for filters such as the audit page's."""
    qs = Unit.objects.all() if county is None else Unit.objects.filter(county=county)
    return [(pk, name) for pk, name in qs.order_by("county_id", "sort", "id").values_list("pk", "name")]


def access_staff(user_id: int, actor: Any) -> User:
    """A staff member with a post in the actor's county."""
    county = county_for_user(actor)
    user = User.objects.filter(pk=user_id).first()
    if user is None or county is None or not Post.objects.filter(user=user, county=county).exists():
        raise NotFound("orgs.staff_not_found", _("人员不存在。"))
    return user


def access_office(office_id: int, actor: Any) -> Office:
    county = county_for_user(actor)
    office = Office.objects.filter(pk=office_id).select_related("unit").first()
    if office is None or county is None or office.county_id != county.pk:
        raise NotFound("orgs.office_not_found", _("科室不存在。"))
    return office


def access_post(post_id: int, actor: Any) -> Post:
    county = county_for_user(actor)
    post = Post.objects.filter(pk=post_id).select_related("user", "unit").first()
    if post is None or county is None or post.county_id != county.pk:
        raise NotFound("orgs.post_not_found", _("职务不存在。"))
    return post


def access_grant(grant_id: int, actor: Any) -> RoleGrant:
    county = county_for_user(actor)
    grant = RoleGrant.objects.filter(pk=grant_id).select_related("user", "unit").first()
    if grant is None or county is None or grant.county_id != county.pk:
        raise NotFound("orgs.grant_not_found", _("授权不存在。"))
    return grant


def posts_of(user: Any) -> QuerySet[Post]:
    return (
        Post.objects.filter(user=user).select_related("unit", "office").order_by("-is_primary", "sort", "id")
    )


def role_grants(*, county: County, unit: Unit | None = None) -> QuerySet[RoleGrant]:
    qs = RoleGrant.objects.filter(county=county).select_related("user", "unit", "granted_by")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("unit__sort", "unit_id", "role", "user__pinyin")
