"""Resource library services: the only writers of resources, versions, requests and download logs.
Every function is atomic, keyword-only, takes the ``actor`` and writes an audit row; a refused call
changes nothing (no row, no stored file)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit, calendar
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.library import access, files
from tongban.library.models import (
    AccessRequest,
    ColumnType,
    DownloadLog,
    RequestStatus,
    Resource,
    ResourceKind,
    ResourceVersion,
    SharedUnit,
    SharingLevel,
    UpdateFrequency,
)
from tongban.notify.services import notify
from tongban.orgs.models import BusinessRole, RoleGrant, Unit

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_REASON = 1000
REPLY_WORKDAYS = 10  # 国发〔2016〕51号 第十条: the provider answers a request within 10 working days


# --- catalogue entries ----------------------------------------------------------------------------
def _clean_entry(
    *,
    county_id: int,
    kind: str,
    title: str,
    description: str,
    category: str,
    keywords: str,
    update_frequency: str,
    sharing: str,
    shared_unit_ids: Iterable[int],
    contact: str,
    owner_unit_id: int,
) -> dict[str, Any]:
    title = (title or "").strip()
    if not title:
        raise TongbanError("library.title_required", _("请填写资源名称。"), field="title")
    if len(title) > MAX_TITLE:
        raise TongbanError("library.title_too_long", _("资源名称不能超过 200 个字。"), field="title")
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION:
        raise TongbanError("library.description_too_long", _("摘要不能超过 5000 个字。"), field="description")
    if kind not in ResourceKind.values:
        raise TongbanError("library.bad_kind", _("资源类型不正确。"), field="kind")
    if update_frequency not in UpdateFrequency.values:
        raise TongbanError("library.bad_frequency", _("更新周期不正确。"), field="update_frequency")
    if sharing not in SharingLevel.values:
        raise TongbanError("library.bad_sharing", _("共享类型不正确。"), field="sharing")
    wanted = {int(u) for u in shared_unit_ids} - {owner_unit_id}
    units: list[Unit] = []
    if sharing == SharingLevel.RESTRICTED:
        units = list(Unit.objects.filter(pk__in=wanted, county_id=county_id, is_active=True))
        if len(units) != len(wanted):
            raise TongbanError("library.bad_units", _("所选单位不存在或已停用。"), field="shared_units")
        if not units:
            raise TongbanError(
                "library.units_required", _("限定单位共享时请至少选择一个单位。"), field="shared_units"
            )
    keywords = " ".join((keywords or "").replace("，", " ").replace(",", " ").replace("、", " ").split())
    return {
        "kind": kind,
        "title": title,
        "description": description,
        "category": (category or "").strip()[:50],
        "keywords": keywords[:200],
        "update_frequency": update_frequency,
        "sharing": sharing,
        "contact": (contact or "").strip()[:100],
        "units": units,
    }


def _set_shared_units(resource: Resource, units: list[Unit]) -> None:
    SharedUnit.objects.filter(resource=resource).exclude(unit__in=units).delete()
    have = set(SharedUnit.objects.filter(resource=resource).values_list("unit_id", flat=True))
    SharedUnit.objects.bulk_create([SharedUnit(resource=resource, unit=u) for u in units if u.pk not in have])


def _store(parsed: files.Parsed, upload: IO[bytes], stored: list[Any], version: ResourceVersion) -> None:
    upload.seek(0)
    version.file.save(f"{uuid.uuid4().hex}.{parsed.ext}", File(upload), save=False)
    stored.append((version.file.storage, version.file.name))


def _with_cleanup(fn: Any) -> Any:
    """Run ``fn(stored)`` in a transaction; files it stored are removed if anything fails."""
    stored: list[Any] = []
    try:
        with transaction.atomic():
            return fn(stored)
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise


def _new_version(
    *,
    actor: User,
    resource: Resource,
    parsed: files.Parsed,
    upload: IO[bytes],
    note: str,
    stored: list[Any],
    previous: ResourceVersion | None,
) -> ResourceVersion:
    schema = parsed.schema
    if previous is not None and previous.schema:
        described = {c["name"]: c.get("description", "") for c in previous.schema}
        schema = [{**c, "description": described.get(c["name"], "")} for c in schema]
    number = (previous.number if previous is not None else 0) + 1
    version = ResourceVersion(
        resource=resource,
        number=number,
        name=parsed.name,
        ext=parsed.ext,
        size=parsed.size,
        content_type=parsed.content_type,
        sha256=parsed.sha256,
        encoding=parsed.encoding,
        schema=schema,
        preview=parsed.preview,
        row_count=parsed.row_count,
        note=(note or "").strip()[:200],
        uploaded_by=actor,
    )
    _store(parsed, upload, stored, version)
    version.save()
    return version


def resource_publish(
    *,
    actor: User,
    owner_unit: Unit,
    kind: str,
    title: str,
    file: IO[bytes],
    file_name: str,
    description: str = "",
    category: str = "",
    keywords: str = "",
    update_frequency: str = UpdateFrequency.IRREGULAR,
    sharing: str = SharingLevel.OPEN,
    shared_unit_ids: Iterable[int] = (),
    contact: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Resource:
    """A new catalogue entry with its first version. Only the owner unit's 资源管理员."""
    if owner_unit.pk not in access.admin_unit_ids(actor):
        raise PermissionDenied("library.not_manager", _("只有本单位的资源管理员可以发布共享资源。"))
    data = _clean_entry(
        county_id=owner_unit.county_id,
        kind=kind,
        title=title,
        description=description,
        category=category,
        keywords=keywords,
        update_frequency=update_frequency,
        sharing=sharing,
        shared_unit_ids=shared_unit_ids,
        contact=contact,
        owner_unit_id=owner_unit.pk,
    )
    parsed = files.check(file, file_name, kind=kind)
    units = data.pop("units")

    def run(stored: list[Any]) -> Resource:
        resource = Resource.objects.create(
            county_id=owner_unit.county_id, owner_unit=owner_unit, created_by=actor, **data
        )
        _set_shared_units(resource, units)
        version = _new_version(
            actor=actor,
            resource=resource,
            parsed=parsed,
            upload=file,
            note=note,
            stored=stored,
            previous=None,
        )
        resource.current_version = version
        resource.save(update_fields=["current_version", "updated_at"])
        audit.record(
            "library.published",
            actor=actor,
            request=request,
            obj=resource,
            unit_id=owner_unit.pk,
            new={**data, "units": [u.pk for u in units], "file": parsed.name, "sha256": parsed.sha256},
        )
        return resource

    result: Resource = _with_cleanup(run)
    return result


def resource_update(
    *,
    actor: User,
    resource: Resource,
    title: str,
    description: str = "",
    category: str = "",
    keywords: str = "",
    update_frequency: str = UpdateFrequency.IRREGULAR,
    sharing: str = SharingLevel.OPEN,
    shared_unit_ids: Iterable[int] = (),
    contact: str = "",
    schema: list[dict[str, str]] | None = None,
    request: HttpRequest | None = None,
) -> Resource:
    """Change the catalogue entry (the kind stays) and, for a dataset, the current version's schema
    (column names, types and descriptions; as many columns as the file has)."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        access.require_manager(actor, resource)
        data = _clean_entry(
            county_id=resource.county_id,
            kind=resource.kind,
            title=title,
            description=description,
            category=category,
            keywords=keywords,
            update_frequency=update_frequency,
            sharing=sharing,
            shared_unit_ids=shared_unit_ids,
            contact=contact,
            owner_unit_id=resource.owner_unit_id,
        )
        units = data.pop("units")
        data.pop("kind")
        old = {k: getattr(resource, k) for k in data}
        old["units"] = sorted(SharedUnit.objects.filter(resource=resource).values_list("unit_id", flat=True))
        for k, v in data.items():
            setattr(resource, k, v)
        resource.save(update_fields=[*data, "updated_at"])
        _set_shared_units(resource, units)
        new: dict[str, Any] = {**data, "units": sorted(u.pk for u in units)}
        if schema is not None and resource.current_version_id is not None:
            version = ResourceVersion.objects.select_for_update().get(pk=resource.current_version_id)
            cleaned = clean_schema(schema, version.schema)
            if cleaned != version.schema:
                old["schema"], new["schema"] = version.schema, cleaned
                version.schema = cleaned
                version.save(update_fields=["schema"])
        audit.record(
            "library.updated",
            actor=actor,
            request=request,
            obj=resource,
            unit_id=resource.owner_unit_id,
            old=old,
            new=new,
        )
    return resource


def clean_schema(schema: list[dict[str, str]], current: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(schema) != len(current):
        raise TongbanError(
            "library.schema_columns",
            _("数据结构的列数应与文件一致（%(n)d 列）。") % {"n": len(current)},
            field="schema",
        )
    out: list[dict[str, str]] = []
    names: set[str] = set()
    for i, col in enumerate(schema, start=1):
        name = str(col.get("name") or "").strip()[:100]
        ctype = str(col.get("type") or "")
        if not name:
            raise TongbanError(
                "library.schema_name", _("第 %(n)d 列的列名不能为空。") % {"n": i}, field="schema"
            )
        if name in names:
            raise TongbanError(
                "library.schema_duplicate", _("列名“%(name)s”重复。") % {"name": name}, field="schema"
            )
        if ctype not in ColumnType.values:
            raise TongbanError(
                "library.schema_type", _("第 %(n)d 列的类型不正确。") % {"n": i}, field="schema"
            )
        names.add(name)
        out.append(
            {"name": name, "type": ctype, "description": str(col.get("description") or "").strip()[:200]}
        )
    return out


def version_add(
    *,
    actor: User,
    resource: Resource,
    file: IO[bytes],
    file_name: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ResourceVersion:
    """Upload a new file: a new version that becomes current; the older ones stay listed."""
    access.require_manager(actor, resource)
    parsed = files.check(file, file_name, kind=resource.kind)

    def run(stored: list[Any]) -> ResourceVersion:
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        previous = ResourceVersion.objects.filter(resource=locked).order_by("-number").first()
        version = _new_version(
            actor=actor,
            resource=locked,
            parsed=parsed,
            upload=file,
            note=note,
            stored=stored,
            previous=previous,
        )
        locked.current_version = version
        locked.save(update_fields=["current_version", "updated_at"])
        audit.record(
            "library.version_added",
            actor=actor,
            request=request,
            obj=locked,
            unit_id=locked.owner_unit_id,
            new={"version": version.number, "file": parsed.name, "sha256": parsed.sha256},
        )
        return version

    result: ResourceVersion = _with_cleanup(run)
    return result


# --- requests ------------------------------------------------------------------------------------
def _admins_of(unit_id: int) -> list[User]:
    ids = RoleGrant.objects.filter(unit_id=unit_id, role=BusinessRole.RESOURCE_ADMIN).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


@transaction.atomic
def request_create(
    *,
    actor: User,
    resource: Resource,
    reason: str,
    unit_id: int | None = None,
    request: HttpRequest | None = None,
) -> AccessRequest:
    """A staff member asks for his or her unit to use a conditionally shared resource."""
    units = access.requestable_units(actor, resource)
    if resource.sharing == SharingLevel.OPEN:
        raise TongbanError("library.no_request_needed", _("该资源为无条件共享，可直接下载，无需申请。"))
    if unit_id is None and units:
        unit_id = units[0]
    if unit_id is None or unit_id not in units:
        raise PermissionDenied("library.cannot_request", _("您所在的单位不能申请该资源。"))
    reason = (reason or "").strip()
    if not reason:
        raise TongbanError("library.reason_required", _("请填写申请理由（用途）。"), field="reason")
    if len(reason) > MAX_REASON:
        raise TongbanError("library.reason_too_long", _("申请理由不能超过 1000 个字。"), field="reason")
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    if AccessRequest.objects.filter(
        resource=resource, unit_id=unit_id, status=RequestStatus.PENDING
    ).exists():
        raise TongbanError("library.request_pending", _("本单位已有一份待审核的申请，请等候答复。"))
    if AccessRequest.objects.filter(access.active_grant_q({unit_id}), resource=resource).exists():
        raise TongbanError("library.already_granted", _("本单位已获准使用该资源，无需再次申请。"))
    today = timezone.localdate()
    req = AccessRequest.objects.create(
        resource=resource,
        unit_id=unit_id,
        requester=actor,
        reason=reason,
        reply_due=calendar.add_workdays(today, REPLY_WORKDAYS),
    )
    audit.record(
        "library.requested",
        actor=actor,
        request=request,
        obj=req,
        unit_id=unit_id,
        new={"resource": resource.pk, "reason": reason},
    )
    unit = Unit.objects.get(pk=unit_id)
    notify(
        users=_admins_of(resource.owner_unit_id),
        event="library.request_new",
        title=_("共享申请：%(unit)s 申请使用“%(title)s”") % {"unit": unit.name, "title": resource.title},
        body=reason,
        url=reverse("library:requests") + "?box=incoming",
        dedupe_key=f"library.request:{req.pk}",
        actor=actor,
    )
    return req


def _decide(
    *,
    actor: User,
    req: AccessRequest,
    status: str,
    note: str,
    expires_on: date | None,
    request: HttpRequest | None,
) -> AccessRequest:
    req = AccessRequest.objects.select_for_update().select_related("resource", "unit").get(pk=req.pk)
    access.require_manager(actor, req.resource)
    if req.status != RequestStatus.PENDING:
        raise TongbanError("library.request_decided", _("该申请已处理，不能重复审核。"))
    req.status = status
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.expires_on = expires_on
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "expires_on"])
    audit.record(
        f"library.request_{status}",
        actor=actor,
        request=request,
        obj=req,
        unit_id=req.resource.owner_unit_id,
        old={"status": RequestStatus.PENDING},
        new={"status": status, "note": note, "expires_on": expires_on},
    )
    if status == RequestStatus.APPROVED:
        title = _("共享申请已同意：“%(title)s”") % {"title": req.resource.title}
    else:
        title = _("共享申请未获同意：“%(title)s”") % {"title": req.resource.title}
    notify(
        users=[req.requester],
        event="library.request_decided",
        title=title,
        body=note,
        url=reverse("library:detail", args=[req.resource_id]),
        dedupe_key=f"library.decided:{req.pk}",
        actor=actor,
    )
    return req


@transaction.atomic
def request_approve(
    *,
    actor: User,
    req: AccessRequest,
    expires_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> AccessRequest:
    """Approve: the requesting unit may download until ``expires_on`` (inclusive; none = no end)."""
    if expires_on is not None and expires_on < timezone.localdate():
        raise TongbanError("library.expiry_past", _("使用期限不能早于今天。"), field="expires_on")
    note = (note or "").strip()[:500]
    return _decide(
        actor=actor, req=req, status=RequestStatus.APPROVED, note=note, expires_on=expires_on, request=request
    )


@transaction.atomic
def request_refuse(
    *, actor: User, req: AccessRequest, reason: str, request: HttpRequest | None = None
) -> AccessRequest:
    """Refuse with the reason (第十条: the provider states why)."""
    reason = (reason or "").strip()
    if not reason:
        raise TongbanError("library.refuse_reason_required", _("不予同意时请说明理由。"), field="reason")
    return _decide(
        actor=actor,
        req=req,
        status=RequestStatus.REFUSED,
        note=reason[:500],
        expires_on=None,
        request=request,
    )


# --- downloads -----------------------------------------------------------------------------------
@transaction.atomic
def download_record(
    *, actor: User, resource: Resource, version: ResourceVersion, request: HttpRequest | None = None
) -> DownloadLog:
    """Check the right to download and log it (a DownloadLog row and an audit record)."""
    access.require_download(actor, resource)
    units = access.own_unit_ids(actor)
    unit_id: int | None = None
    if resource.owner_unit_id in units:
        unit_id = resource.owner_unit_id
    else:
        granted = (
            AccessRequest.objects.filter(access.active_grant_q(units), resource=resource)
            .values_list("unit_id", flat=True)
            .first()
        )
        members = sorted(access.member_unit_ids(actor))
        unit_id = granted or (members[0] if members else None)
    log = DownloadLog.objects.create(
        resource=resource, version=version, user=actor, unit_id=unit_id, ip=audit.client_ip(request)
    )
    audit.record(
        "library.downloaded",
        actor=actor,
        request=request,
        obj=resource,
        unit_id=unit_id,
        new={"version": version.number, "file": version.name, "sha256": version.sha256},
    )
    return log


def content_file(data: bytes, name: str) -> ContentFile:
    """Bytes as an upload (demo data and tests)."""
    return ContentFile(data, name=name)
