"""Organisation services: the only writers of units, offices, posts, 分管 and business roles.

Every function takes a keyword-only ``actor``, checks the actor's administrator role (三员分立:
the system administrator keeps the organisation, the security administrator grants roles), runs in
one transaction and writes an audit record with old and new values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity import services as identity_services
from tongban.identity.models import User
from tongban.identity.services import name_pinyin
from tongban.orgs import tabular
from tongban.orgs.models import BusinessRole, County, LeaderDuty, Office, Post, RoleGrant, Unit, UnitKind
from tongban.orgs.tabular import KIND_BY_LABEL, OrgTable, RowError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
UNIT_FIELDS = ("unit_code", "name", "short_name", "code", "kind", "sort", "phone", "address", "is_active")


def _require_system_admin(actor: Any) -> None:
    if (
        actor is None
        or not getattr(actor, "is_active", False)
        or not getattr(actor, "is_system_admin", False)
    ):
        raise PermissionDenied("orgs.system_admin_only", _("只有系统管理员可以维护组织机构。"))


def _require_security_admin(actor: Any) -> None:
    if (
        actor is None
        or not getattr(actor, "is_active", False)
        or not getattr(actor, "is_security_admin", False)
    ):
        raise PermissionDenied("orgs.security_admin_only", _("只有安全管理员可以授予或撤销业务角色。"))


def _unit_snapshot(unit: Unit) -> dict[str, Any]:
    snap: dict[str, Any] = {f: getattr(unit, f) for f in UNIT_FIELDS}
    snap["parent_id"] = unit.parent_id
    return snap


def _post_snapshot(post: Post) -> dict[str, Any]:
    return {
        "user_id": post.user_id,
        "unit_id": post.unit_id,
        "office_id": post.office_id,
        "title": post.title,
        "is_primary": post.is_primary,
        "sort": post.sort,
        "office_phone": post.office_phone,
    }


# --- units and offices -------------------------------------------------------------------------


def _check_unit(
    *,
    county: County,
    unit_code: str,
    name: str,
    code: str,
    kind: str,
    parent: Unit | None,
    is_active: bool,
    exclude_pk: int | None,
) -> None:
    if not unit_code:
        raise TongbanError("orgs.unit_code_required", _("请填写单位代码。"), field="unit_code")
    if not name:
        raise TongbanError("orgs.unit_name_required", _("请填写单位名称。"), field="name")
    if kind not in UnitKind.values:
        raise TongbanError("orgs.bad_kind", _("单位类型无效。"), field="kind")
    others = Unit.objects.filter(county=county)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(unit_code=unit_code).exists():
        raise TongbanError(
            "orgs.unit_code_taken", _("单位代码“%(code)s”已被使用。") % {"code": unit_code}, field="unit_code"
        )
    if code and is_active and others.filter(code=code, is_active=True).exists():
        raise TongbanError(
            "orgs.agency_code_taken", _("机关代字“%(code)s”已被其他单位使用。") % {"code": code}, field="code"
        )
    if parent is not None:
        if parent.county_id != county.pk:
            raise TongbanError("orgs.parent_other_county", _("上级单位不属于本县。"), field="parent")
        cur: Unit | None = parent
        while cur is not None:
            if exclude_pk is not None and cur.pk == exclude_pk:
                raise TongbanError(
                    "orgs.parent_cycle", _("上级单位不能是本单位或其下级单位。"), field="parent"
                )
            cur = cur.parent


def unit_create(
    *,
    actor: User,
    county: County,
    unit_code: str,
    name: str,
    kind: str,
    short_name: str = "",
    code: str = "",
    parent: Unit | None = None,
    sort: int = 0,
    phone: str = "",
    address: str = "",
    request: HttpRequest | None = None,
) -> Unit:
    _require_system_admin(actor)
    unit = Unit(
        county=county,
        unit_code=unit_code.strip(),
        name=name.strip(),
        short_name=short_name.strip(),
        code=code.strip(),
        kind=kind,
        parent=parent,
        sort=sort,
        phone=phone.strip(),
        address=address.strip(),
    )
    _check_unit(
        county=county,
        unit_code=unit.unit_code,
        name=unit.name,
        code=unit.code,
        kind=kind,
        parent=parent,
        is_active=True,
        exclude_pk=None,
    )
    with transaction.atomic():
        unit.save()
        audit.record(
            "orgs.unit_created",
            actor=actor,
            request=request,
            obj=unit,
            unit_id=unit.pk,
            new=_unit_snapshot(unit),
        )
    return unit


def unit_update(*, actor: User, unit: Unit, request: HttpRequest | None = None, **changes: Any) -> Unit:
    """Change a unit's fields (those of UNIT_FIELDS and ``parent``). Writes nothing if nothing differs."""
    _require_system_admin(actor)
    unknown = set(changes) - {*UNIT_FIELDS, "parent"}
    if unknown:
        raise TongbanError(
            "orgs.bad_field", _("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    old = _unit_snapshot(unit)
    for key, value in changes.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    new = _unit_snapshot(unit)
    if new == old:
        return unit
    _check_unit(
        county=unit.county,
        unit_code=unit.unit_code,
        name=unit.name,
        code=unit.code,
        kind=unit.kind,
        parent=unit.parent,
        is_active=unit.is_active,
        exclude_pk=unit.pk,
    )
    with transaction.atomic():
        unit.save()
        audit.record(
            "orgs.unit_updated", actor=actor, request=request, obj=unit, unit_id=unit.pk, old=old, new=new
        )
    return unit


def office_create(
    *, actor: User, unit: Unit, name: str, sort: int = 0, request: HttpRequest | None = None
) -> Office:
    _require_system_admin(actor)
    name = name.strip()
    if not name:
        raise TongbanError("orgs.office_name_required", _("请填写科室名称。"), field="name")
    if Office.objects.filter(unit=unit, name=name).exists():
        raise TongbanError(
            "orgs.office_name_taken", _("本单位已有科室“%(name)s”。") % {"name": name}, field="name"
        )
    with transaction.atomic():
        office = Office.objects.create(county_id=unit.county_id, unit=unit, name=name, sort=sort)
        audit.record(
            "orgs.office_created",
            actor=actor,
            request=request,
            obj=office,
            unit_id=unit.pk,
            new={"name": name, "sort": sort},
        )
    return office


def office_update(
    *, actor: User, office: Office, name: str, sort: int, request: HttpRequest | None = None
) -> Office:
    _require_system_admin(actor)
    name = name.strip()
    if not name:
        raise TongbanError("orgs.office_name_required", _("请填写科室名称。"), field="name")
    if Office.objects.filter(unit_id=office.unit_id, name=name).exclude(pk=office.pk).exists():
        raise TongbanError(
            "orgs.office_name_taken", _("本单位已有科室“%(name)s”。") % {"name": name}, field="name"
        )
    old = {"name": office.name, "sort": office.sort}
    new = {"name": name, "sort": sort}
    if old == new:
        return office
    with transaction.atomic():
        office.name, office.sort = name, sort
        office.save(update_fields=["name", "sort"])
        audit.record(
            "orgs.office_updated",
            actor=actor,
            request=request,
            obj=office,
            unit_id=office.unit_id,
            old=old,
            new=new,
        )
    return office


def office_delete(*, actor: User, office: Office, request: HttpRequest | None = None) -> None:
    _require_system_admin(actor)
    if Post.objects.filter(office=office).exists():
        raise TongbanError("orgs.office_in_use", _("科室内还有人员，不能删除。"))
    with transaction.atomic():
        audit.record(
            "orgs.office_deleted",
            actor=actor,
            request=request,
            obj=office,
            unit_id=office.unit_id,
            old={"name": office.name},
        )
        office.delete()


# --- staff and posts ---------------------------------------------------------------------------


def _check_post(*, unit: Unit, office: Office | None, office_phone: str) -> None:
    if not unit.is_active:
        raise TongbanError("orgs.unit_inactive", _("单位已停用。"), field="unit")
    if office is not None and office.unit_id != unit.pk:
        raise TongbanError("orgs.office_not_in_unit", _("科室不属于所选单位。"), field="office")
    if office_phone and not tabular.PHONE_RE.match(office_phone):
        raise TongbanError(
            "orgs.bad_office_phone", _("办公电话格式不正确（如 0736-8221234）。"), field="office_phone"
        )


def _check_mobile(mobile: str) -> None:
    if mobile and not MOBILE_RE.match(mobile):
        raise TongbanError("orgs.bad_mobile", _("手机号码格式不正确（11 位，以 1 开头）。"), field="mobile")


def _post_create(
    *,
    actor: User,
    request: HttpRequest | None,
    event: str,
    user: User,
    unit: Unit,
    office: Office | None,
    title: str,
    is_primary: bool,
    sort: int,
    office_phone: str,
) -> Post:
    """Create a post and audit it (inside the caller's transaction)."""
    post = Post.objects.create(
        county_id=unit.county_id,
        user=user,
        unit=unit,
        office=office,
        title=title.strip(),
        is_primary=is_primary,
        sort=sort,
        office_phone=office_phone,
    )
    audit.record(event, actor=actor, request=request, obj=post, unit_id=unit.pk, new=_post_snapshot(post))
    return post


def staff_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    unit: Unit,
    office: Office | None = None,
    title: str = "",
    mobile: str = "",
    email: str = "",
    office_phone: str = "",
    sort: int = 0,
    request: HttpRequest | None = None,
) -> User:
    """Create a staff account (through identity) with its primary post."""
    _require_system_admin(actor)
    mobile, office_phone = mobile.strip(), office_phone.strip()
    _check_mobile(mobile)
    _check_post(unit=unit, office=office, office_phone=office_phone)
    with transaction.atomic():
        user = identity_services.user_create(
            actor=actor, username=username, full_name=full_name, mobile=mobile, email=email
        )
        _post_create(
            actor=actor, request=request, event="orgs.staff_created", user=user, unit=unit, office=office,
            title=title, is_primary=True, sort=sort, office_phone=office_phone,
        )  # fmt: skip
    return user


def staff_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    unit: Unit,
    office: Office | None = None,
    title: str = "",
    mobile: str = "",
    email: str = "",
    office_phone: str = "",
    sort: int = 0,
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> User:
    """Change a staff member's account fields (through identity) and primary post."""
    _require_system_admin(actor)
    if user.admin_role and user.pk == actor.pk and not is_active:
        raise TongbanError("orgs.cannot_disable_self", _("不能停用自己的账号。"), field="is_active")
    if user.admin_role and is_active != user.is_active:
        # 三员分立: one administrator may not switch another off.
        raise TongbanError(
            "orgs.admin_account_protected",
            _("三员账号只能由安装人员在服务器上启用或停用。"),
            field="is_active",
        )
    mobile, office_phone = mobile.strip(), office_phone.strip()
    _check_mobile(mobile)
    _check_post(unit=unit, office=office, office_phone=office_phone)
    with transaction.atomic():
        identity_services.user_update(
            actor=actor, user=user, full_name=full_name, mobile=mobile, email=email, is_active=is_active
        )
        post = Post.objects.select_for_update().filter(user=user, is_primary=True).first()
        old = _post_snapshot(post) if post is not None else None
        if post is None:
            post = Post(user=user, is_primary=True)
        post.county_id, post.unit, post.office = unit.county_id, unit, office
        post.title, post.office_phone, post.sort = title.strip(), office_phone, sort
        new = _post_snapshot(post)
        if new != old:
            post.save()
            audit.record(
                "orgs.post_updated", actor=actor, request=request, obj=post, unit_id=unit.pk, old=old, new=new
            )
    return user


def post_add(
    *,
    actor: User,
    user: User,
    unit: Unit,
    office: Office | None = None,
    title: str = "",
    office_phone: str = "",
    sort: int = 0,
    request: HttpRequest | None = None,
) -> Post:
    """Add a concurrent post (兼职); the primary post is changed through staff_update."""
    _require_system_admin(actor)
    office_phone = office_phone.strip()
    _check_post(unit=unit, office=office, office_phone=office_phone)
    if not Post.objects.filter(user=user, is_primary=True).exists():
        raise TongbanError("orgs.no_primary_post", _("此人还没有主职，请先设置主职。"))
    if Post.objects.filter(user=user, unit=unit, office=office, title=title.strip()).exists():
        raise TongbanError("orgs.post_exists", _("此人已有相同的职务。"))
    with transaction.atomic():
        post = _post_create(
            actor=actor, request=request, event="orgs.post_added", user=user, unit=unit, office=office,
            title=title, is_primary=False, sort=sort, office_phone=office_phone,
        )  # fmt: skip
    return post


def post_remove(*, actor: User, post: Post, request: HttpRequest | None = None) -> None:
    _require_system_admin(actor)
    if post.is_primary:
        raise TongbanError("orgs.cannot_remove_primary", _("不能删除主职；请修改主职或停用账号。"))
    with transaction.atomic():
        audit.record(
            "orgs.post_removed",
            actor=actor,
            request=request,
            obj=post,
            unit_id=post.unit_id,
            old=_post_snapshot(post),
        )
        post.delete()


def leader_duties_set(
    *, actor: User, leader: User, units: list[Unit], note: str = "", request: HttpRequest | None = None
) -> list[LeaderDuty]:
    """Set the units a county leader is in charge of (分管), replacing the previous set."""
    _require_system_admin(actor)
    primary = Post.objects.filter(user=leader, is_primary=True).first()
    county_ids = {u.county_id for u in units}
    if primary is None:
        raise TongbanError("orgs.no_primary_post", _("此人还没有主职。"))
    if county_ids - {primary.county_id}:
        raise TongbanError("orgs.duty_other_county", _("分管单位须属于本县。"), field="units")
    with transaction.atomic():
        current = {d.unit_id: d for d in LeaderDuty.objects.select_for_update().filter(leader=leader)}
        wanted = {u.pk: u for u in units}
        old = sorted(current)
        for unit_id, duty in current.items():
            if unit_id not in wanted:
                duty.delete()
        for unit_id, unit in wanted.items():
            if unit_id not in current:
                LeaderDuty.objects.create(
                    county_id=unit.county_id, leader=leader, unit=unit, note=note.strip()
                )
        new = sorted(wanted)
        if new != old:
            audit.record(
                "orgs.leader_duties_set",
                actor=actor,
                request=request,
                obj=leader,
                old={"units": old},
                new={"units": new},
            )
    return list(LeaderDuty.objects.filter(leader=leader).select_related("unit"))


# --- business roles (security administrator) ----------------------------------------------------


def role_grant(
    *, actor: User, user: User, unit: Unit, role: str, request: HttpRequest | None = None
) -> RoleGrant:
    _require_security_admin(actor)
    if role not in BusinessRole.values:
        raise TongbanError("orgs.bad_role", _("业务角色无效。"), field="role")
    if user.admin_role:
        raise TongbanError("orgs.admin_no_business_role", _("三员账号不能兼任业务角色。"), field="user")
    if not user.is_active:
        raise TongbanError("orgs.user_inactive", _("账号已停用。"), field="user")
    if RoleGrant.objects.filter(user=user, unit=unit, role=role).exists():
        raise TongbanError("orgs.role_exists", _("此人在该单位已有此角色。"), field="role")
    with transaction.atomic():
        grant = RoleGrant.objects.create(
            county_id=unit.county_id, user=user, unit=unit, role=role, granted_by=actor
        )
        audit.record(
            "orgs.role_granted",
            actor=actor,
            request=request,
            obj=grant,
            unit_id=unit.pk,
            old=None,
            new={"user": user.username, "unit_id": unit.pk, "role": role},
        )
    return grant


def role_revoke(*, actor: User, grant: RoleGrant, request: HttpRequest | None = None) -> None:
    _require_security_admin(actor)
    with transaction.atomic():
        audit.record(
            "orgs.role_revoked",
            actor=actor,
            request=request,
            obj=grant,
            unit_id=grant.unit_id,
            old={"user": grant.user.username, "unit_id": grant.unit_id, "role": grant.role},
            new=None,
        )
        grant.delete()


# --- import, export and the bulk engine ---------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ApplyResult:
    units: Counts = field(default_factory=Counts)
    staff: Counts = field(default_factory=Counts)
    created_usernames: set[str] = field(default_factory=set)
    updated_usernames: set[str] = field(default_factory=set)

    @property
    def created(self) -> int:
        return self.units.created + self.staff.created

    @property
    def updated(self) -> int:
        return self.units.updated + self.staff.updated

    @property
    def unchanged(self) -> int:
        return self.units.unchanged + self.staff.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {"units": self.units.as_dict(), "staff": self.staff.as_dict()}


@dataclass
class ImportReport:
    file_name: str
    errors: list[RowError]
    result: ApplyResult | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.result is not None

    @property
    def summary(self) -> str:
        if self.result is None:
            return ""
        r = self.result
        return _("新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d") % {
            "created": r.created,
            "updated": r.updated,
            "unchanged": r.unchanged,
        }


def _apply_table(county: County, table: OrgTable) -> ApplyResult:
    """Upsert units (by 单位代码) and staff (by 登录名) of an already validated table. Must run
    inside a transaction. Staff are created in bulk (pinyin set through identity's name_pinyin)."""
    result = ApplyResult()
    units = {u.unit_code: u for u in Unit.objects.filter(county=county)}
    # units: fields first, parents in a second pass (a parent may come later in the file)
    changed_units: set[str] = set()
    for r in table.units:
        values = {
            "name": r.name,
            "short_name": r.short_name,
            "code": r.code,
            "kind": KIND_BY_LABEL[r.kind],
            "sort": r.sort,
            "phone": r.phone,
            "address": r.address,
            "is_active": True,
        }
        unit = units.get(r.unit_code)
        if unit is None:
            unit = Unit(county=county, unit_code=r.unit_code, **values)
            units[r.unit_code] = unit
            result.units.created += 1
            changed_units.add(r.unit_code)
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(unit, k, v)
            changed_units.add(r.unit_code)
            result.units.updated += 1
    # Free agency codes that move between units before saving (the constraint is checked per row).
    moving = [units[c] for c in changed_units if units[c].pk]
    if moving:
        Unit.objects.filter(pk__in=[u.pk for u in moving]).update(code="")
    new_units = [units[r.unit_code] for r in table.units if units[r.unit_code].pk is None]
    for u in moving:
        u.save()
    if new_units:
        Unit.objects.bulk_create(new_units)
    parent_updates = []
    for r in table.units:
        unit = units[r.unit_code]
        parent_id = units[r.parent_code].pk if r.parent_code else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            parent_updates.append(unit)
            if r.unit_code not in changed_units:
                changed_units.add(r.unit_code)
                result.units.updated += 1
    if parent_updates:
        Unit.objects.bulk_update(parent_updates, ["parent"])
    # offices: listed ones are created or re-sorted; unlisted ones are kept
    offices = {(o.unit_id, o.name): o for o in Office.objects.filter(county=county)}
    new_offices, resorted = [], []
    for r in table.units:
        unit = units[r.unit_code]
        for sort, name in enumerate(r.offices, start=1):
            office = offices.get((unit.pk, name))
            if office is None:
                office = Office(county=county, unit=unit, name=name, sort=sort)
                offices[(unit.pk, name)] = office
                new_offices.append(office)
            elif office.sort != sort:
                office.sort = sort
                resorted.append(office)
            else:
                continue
            if r.unit_code not in changed_units:
                changed_units.add(r.unit_code)
                result.units.updated += 1
    if new_offices:
        Office.objects.bulk_create(new_offices)
    if resorted:
        Office.objects.bulk_update(resorted, ["sort"])
    result.units.unchanged = len(table.units) - result.units.created - result.units.updated

    # staff
    by_user: dict[str, list[tabular.StaffRow]] = {}
    for s in table.staff:
        by_user.setdefault(s.username, []).append(s)
    if not by_user:
        return result
    existing = {u.username: u for u in User.objects.filter(username__in=list(by_user))}
    new_users, changed_users = [], []
    changed_names: set[str] = set()
    for username, rows in by_user.items():
        first = next(s for s in rows if s.is_primary)
        user = existing.get(username)
        if user is None:
            user = User(
                username=username,
                full_name=first.full_name,
                mobile=first.mobile,
                email=first.email,
                password=make_password(None),
                is_active=True,
            )
            user.pinyin, user.pinyin_initials = name_pinyin(first.full_name)
            new_users.append(user)
            existing[username] = user
            result.created_usernames.add(username)
        elif (user.full_name, user.mobile, user.email) != (first.full_name, first.mobile, first.email):
            user.full_name, user.mobile, user.email = first.full_name, first.mobile, first.email
            user.pinyin, user.pinyin_initials = name_pinyin(first.full_name)
            changed_users.append(user)
            changed_names.add(username)
    if new_users:
        User.objects.bulk_create(new_users, batch_size=500)
    if changed_users:
        User.objects.bulk_update(
            changed_users, ["full_name", "mobile", "email", "pinyin", "pinyin_initials"], batch_size=500
        )
    user_ids = [existing[n].pk for n in by_user]
    current: dict[int, list[Post]] = {}
    for p in Post.objects.filter(user_id__in=user_ids, county=county).order_by("id"):
        current.setdefault(p.user_id, []).append(p)

    def key(
        unit_id: int, office_id: int | None, title: str, phone: str, primary: bool, sort: int
    ) -> tuple[Any, ...]:
        return (unit_id, office_id or 0, title, phone, primary, sort)

    stale: list[int] = []
    fresh: list[Post] = []
    for username, rows in by_user.items():
        user = existing[username]
        wanted = []
        for s in rows:
            unit = units[s.unit_code]
            office = offices.get((unit.pk, s.office)) if s.office else None
            wanted.append(
                (
                    key(
                        unit.pk, office.pk if office else None, s.title, s.office_phone, s.is_primary, s.sort
                    ),
                    unit,
                    office,
                    s,
                )
            )
        have = sorted(
            key(p.unit_id, p.office_id, p.title, p.office_phone, p.is_primary, p.sort)
            for p in current.get(user.pk, [])
        )
        if sorted(w[0] for w in wanted) == have:
            continue
        stale += [p.pk for p in current.get(user.pk, [])]
        for _k, unit, office, s in wanted:
            fresh.append(
                Post(
                    county=county,
                    user=user,
                    unit=unit,
                    office=office,
                    title=s.title,
                    is_primary=s.is_primary,
                    sort=s.sort,
                    office_phone=s.office_phone,
                )
            )
        if username not in result.created_usernames:
            changed_names.add(username)
    if stale:
        Post.objects.filter(pk__in=stale).delete()
    if fresh:
        Post.objects.bulk_create(fresh, batch_size=500)
    result.staff.created = len(result.created_usernames)
    result.staff.updated = len(changed_names)
    result.updated_usernames = changed_names
    result.staff.unchanged = len(by_user) - result.staff.created - result.staff.updated
    return result


def org_import(
    *, actor: User, county: County, table: OrgTable, file_name: str, request: HttpRequest | None = None
) -> ImportReport:
    """Validate every row; apply the whole file in one transaction only when no row has an error."""
    _require_system_admin(actor)
    errors = tabular.validate(table, county)
    report = ImportReport(file_name=file_name, errors=errors)
    if errors:
        audit.record(
            "orgs.imported",
            actor=actor,
            request=request,
            object_type="orgs.county",
            object_id=county.pk,
            object_repr=county.name,
            new={"file": file_name, "errors": len(errors)},
            message=f"导入被拒绝：{len(errors)} 处错误",
            success=False,
        )
        return report
    with transaction.atomic():
        report.result = _apply_table(county, table)
        audit.record(
            "orgs.imported",
            actor=actor,
            request=request,
            object_type="orgs.county",
            object_id=county.pk,
            object_repr=county.name,
            # who was added or changed, so the audit administrator can follow one account's history
            new={
                "file": file_name,
                **report.result.as_dict(),
                "created_usernames": sorted(report.result.created_usernames)[:2000],
                "updated_usernames": sorted(report.result.updated_usernames)[:2000],
            },
            message=report.summary,
        )
    return report


def org_export(*, actor: User, county: County, request: HttpRequest | None = None) -> bytes:
    """The whole organisation of the county as an XLSX in the import format."""
    _require_system_admin(actor)
    table = tabular.table_from_db(county)
    data = tabular.write_xlsx(table)
    audit.record(
        "orgs.exported",
        actor=actor,
        request=request,
        object_type="orgs.county",
        object_id=county.pk,
        object_repr=county.name,
        new={"units": len(table.units), "posts": len(table.staff)},
    )
    return data


# --- the demo county ----------------------------------------------------------------------------


@dataclass
class SeedPlan:
    county_name: str
    county_code: str
    table: OrgTable
    duties: list[tuple[str, str, str]]  # (leader username, unit_code, note)
    grants: list[tuple[str, str, str]]  # (username, unit_code, role)
    accounts: dict[str, tuple[str, str]]  # username -> (admin_role, password)


@dataclass
class SeedResult:
    county_created: bool
    apply: ApplyResult
    duties_created: int
    grants_created: int
    accounts_updated: int

    @property
    def created(self) -> int:
        return int(self.county_created) + self.apply.created + self.duties_created + self.grants_created


def seed_apply(*, plan: SeedPlan, actor: User | None = None) -> SeedResult:
    """Build (or complete) a county from a plan; idempotent: a second run creates nothing.
    Only the plan's demo accounts get a usable password, set when they are created."""
    with transaction.atomic():
        county, county_created = County.objects.get_or_create(
            code=plan.county_code, defaults={"name": plan.county_name}
        )
        errors = tabular.validate(plan.table, county)
        if errors:
            first = errors[0]
            raise TongbanError(
                "orgs.seed_invalid",
                _("演示数据有误：%(sheet)s 第 %(row)d 行 %(column)s：%(message)s")
                % {"sheet": first.sheet, "row": first.row, "column": first.column, "message": first.message},
            )
        result = _apply_table(county, plan.table)
        units = {u.unit_code: u for u in Unit.objects.filter(county=county)}
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in={d[0] for d in plan.duties} | {g[0] for g in plan.grants} | set(plan.accounts)
            )
        }
        have_duties = set(LeaderDuty.objects.filter(county=county).values_list("leader_id", "unit_id"))
        new_duties = [
            LeaderDuty(county=county, leader=users[login], unit=units[code], note=note)
            for login, code, note in plan.duties
            if (users[login].pk, units[code].pk) not in have_duties
        ]
        LeaderDuty.objects.bulk_create(new_duties)
        have_grants = set(RoleGrant.objects.filter(county=county).values_list("user_id", "unit_id", "role"))
        new_grants = [
            RoleGrant(county=county, user=users[login], unit=units[code], role=role)
            for login, code, role in plan.grants
            if (users[login].pk, units[code].pk, role) not in have_grants
        ]
        RoleGrant.objects.bulk_create(new_grants)
        touched = 0
        for login, (admin_role, password) in plan.accounts.items():
            user = users[login]
            fields = []
            if user.admin_role != admin_role:
                user.admin_role = admin_role
                fields.append("admin_role")
            if login in result.created_usernames:
                user.set_password(password)
                fields.append("password")
            if fields:
                user.save(update_fields=fields)
                touched += 1
        seed = SeedResult(county_created, result, len(new_duties), len(new_grants), touched)
        if seed.created or result.updated or touched:
            audit.record(
                "orgs.seeded",
                actor=actor,
                actor_name="" if actor else "seed_demo",
                object_type="orgs.county",
                object_id=county.pk,
                object_repr=county.name,
                new={
                    **result.as_dict(),
                    "duties_created": len(new_duties),
                    "grants_created": len(new_grants),
                    "accounts": sorted(plan.accounts),
                },
                message="演示县数据（批量创建人员，统一记此一条）",
            )
    return seed
