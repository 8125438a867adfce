"""Writes of the service catalogue (事项目录): items, their versions, materials, fees and steps.

Rules encoded (rules.md §3, 行政许可法):
- An item has the elements of §3 (name, code, type, competent department, implementing unit,
  legal basis, conditions, materials, place, hours, phone, fees, steps each with its own limit and
  whether it counts toward the total, 到现场次数) and sits in the tree 主项 → 子项 → 新设/变更/延续/注销.
  Its code is unique in the county.
- 承诺时限 ≤ 法定时限 (rules.md §3; also a database constraint). The steps that count add up to at
  most the committed limit. 制证送达 does not count toward the decision's limit and is at most 10
  working days (第四十四条). All limits are working days (第八十二条).
- A fee needs its legal basis; otherwise the item is 不收费.
- Departments draft and submit; only the 事项管理员 of the county approval office publishes or
  returns (with a reason). Publishing makes the version current and supersedes the previous one.
  A published version is never edited again: a change is a new draft copied from it, and cases
  keep the version they were filed under (Case.version, PROTECT).

Every write is atomic and audited (tongban.core.audit.record)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongban.approvals import processes
from tongban.approvals.catalogue_selectors import (
    EDITABLE_STATUSES,
    OPEN_VERSION_STATUSES,
    access_item,
    editable_departments,
    rights,
)
from tongban.approvals.models import (
    ItemFee,
    ItemMaterial,
    ItemStatus,
    ItemStep,
    ItemType,
    ItemVersion,
    MaterialForm,
    ServiceItem,
    Variant,
    VersionStatus,
)
from tongban.core import audit, files
from tongban.core import clock as core_clock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.orgs.models import Unit

CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{2,63}$")
FIELD_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIELD_TYPES = ("text", "textarea", "date", "number", "select")
SAMPLE_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "jpg", "jpeg", "png")
SAMPLE_LIMIT = 10 * 1024 * 1024
CERTIFICATE_STEP_MAX = 10  # 第四十四条: 制证送达 within 10 working days of the decision
MAX_LIMIT = 365

VERSION_FIELDS = (
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
    "form_schema",
    "note",
)


@dataclass
class MaterialIn:
    name: str
    form: str = MaterialForm.ELECTRONIC
    copies: int = 1
    required: bool = True
    note: str = ""
    id: int | None = None  # an existing material of the same version (keeps its sample file)
    sample: UploadedFile | None = None
    clear_sample: bool = False


@dataclass
class FeeIn:
    name: str
    amount: Any
    basis: str


@dataclass
class StepIn:
    key: str
    limit: int
    counts: bool = True
    name: str = ""


def process_steps(process_key: str) -> list[tuple[str, str]]:
    """The (key, name) of each step of a process (approvals.processes), [] for an unknown key."""
    spec = processes.PROCESSES.get(process_key)
    steps = cast("list[tuple[str, Any]]", spec["steps"]) if spec else []
    return [(k, str(n)) for k, n in steps]


def _err(code: str, message: Any, field: str | None = None) -> TongbanError:
    return TongbanError(f"approvals.{code}", message, field=field)


def _require_editable(version: ItemVersion) -> None:
    if version.status not in EDITABLE_STATUSES:
        raise _err(
            "version_locked",
            _("该版本已提交或已发布，不能再修改；请新建修订草稿。"),
        )


def _snapshot(v: ItemVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "status": v.status,
        "name": v.name,
        "statutory_limit": v.statutory_limit,
        "committed_limit": v.committed_limit,
        "process_key": v.process_key,
        "fee_free": v.fee_free,
        "online": v.online,
    }


# --- validation (pure) -------------------------------------------------------------------------


def validate_limits(statutory: int | None, committed: int | None) -> None:
    """承诺时限 ≤ 法定时限, both positive working days (rules.md §3)."""
    if not statutory or statutory < 1 or statutory > MAX_LIMIT:
        raise _err("statutory_invalid", _("法定办结时限应为 1–365 个工作日。"), "statutory_limit")
    if not committed or committed < 1:
        raise _err("committed_invalid", _("承诺办结时限至少为 1 个工作日。"), "committed_limit")
    if committed > statutory:
        raise _err(
            "committed_over_statutory",
            _("承诺办结时限（%(c)d 个工作日）不能超过法定办结时限（%(s)d 个工作日）。")
            % {"c": committed, "s": statutory},
            "committed_limit",
        )


def validate_steps(process_key: str, steps: Sequence[StepIn], committed: int) -> list[StepIn]:
    """The steps are exactly those of the process, each with its own limit (≥ 1 working day); the
    counted steps add up to at most the committed limit; 制证送达 never counts and is at most 10
    working days (第四十四条). Returns the steps in the process's order with their names."""
    spec = processes.PROCESSES.get(process_key)
    if spec is None:
        raise _err("process_invalid", _("请选择有效的办理流程。"), "process_key")
    expected = process_steps(process_key)
    keys = [s.key for s in steps]
    if sorted(keys) != sorted(k for k, _n in expected):
        raise _err(
            "steps_mismatch",
            _("办理环节应与所选流程一致：%(steps)s。") % {"steps": "、".join(n for _k, n in expected)},
            "steps",
        )
    by_key = {s.key: s for s in steps}
    out: list[StepIn] = []
    total = 0
    for key, name in expected:
        s = by_key[key]
        try:
            limit = int(s.limit)
        except (TypeError, ValueError):
            limit = 0
        if limit < 1 or limit > MAX_LIMIT:
            raise _err(
                "step_limit_invalid", _("环节“%(name)s”的时限应为 1–365 个工作日。") % {"name": name}, "steps"
            )
        counts = bool(s.counts)
        if key == processes.CERTIFY_STEP:
            if counts:
                raise _err(
                    "certify_counts",
                    _("制证送达环节有其独立时限（行政许可法第四十四条），不计入办结时限。"),
                    "steps",
                )
            if limit > CERTIFICATE_STEP_MAX:
                raise _err(
                    "certify_over_limit",
                    _("制证送达应在作出决定之日起 10 个工作日内完成（行政许可法第四十四条）。"),
                    "steps",
                )
        if counts:
            total += limit
        out.append(StepIn(key=key, limit=limit, counts=counts, name=s.name or name))
    if total > committed:
        raise _err(
            "steps_over_committed",
            _("计入总时限的环节时限合计 %(t)d 个工作日，超过承诺办结时限 %(c)d 个工作日。")
            % {"t": total, "c": committed},
            "steps",
        )
    return out


def validate_form_schema(schema: Any) -> list[dict[str, Any]]:
    """A list of fields ``{key, label, type, required, choices}``: keys are lower-case
    identifiers and unique, labels not empty, types text|textarea|date|number|select, a select has
    choices."""
    if schema in (None, ""):
        return []
    if not isinstance(schema, list):
        raise _err("form_schema_invalid", _("申请表字段格式不正确。"), "form_schema")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(schema, start=1):
        if not isinstance(raw, dict):
            raise _err("form_schema_invalid", _("申请表字段格式不正确。"), "form_schema")
        key = str(raw.get("key") or "").strip()
        label = str(raw.get("label") or "").strip()
        ftype = str(raw.get("type") or "text").strip()
        if not FIELD_KEY_RE.match(key):
            raise _err(
                "form_field_key",
                _("第 %(i)d 个字段的标识应以小写字母开头，只含小写字母、数字和下划线。") % {"i": i},
                "form_schema",
            )
        if key in seen:
            raise _err("form_field_duplicate", _("字段标识“%(key)s”重复。") % {"key": key}, "form_schema")
        seen.add(key)
        if not label or len(label) > 60:
            raise _err(
                "form_field_label", _("第 %(i)d 个字段需要名称（60 字以内）。") % {"i": i}, "form_schema"
            )
        if ftype not in FIELD_TYPES:
            raise _err(
                "form_field_type", _("字段“%(label)s”的类型不正确。") % {"label": label}, "form_schema"
            )
        field: dict[str, Any] = {
            "key": key,
            "label": label,
            "type": ftype,
            "required": bool(raw.get("required")),
        }
        if ftype == "select":
            choices = raw.get("choices") or []
            if isinstance(choices, str):
                choices = [c for c in re.split(r"[\n,，、;；]", choices)]
            choices = [str(c).strip() for c in choices if str(c).strip()]
            if not choices or len(set(choices)) != len(choices):
                raise _err(
                    "form_field_choices",
                    _("下拉字段“%(label)s”需要不重复的选项。") % {"label": label},
                    "form_schema",
                )
            field["choices"] = choices
        out.append(field)
    return out


def _validate_fees(fee_free: bool, fees: Sequence[FeeIn]) -> list[tuple[str, Decimal, str]]:
    """不收费, or every fee with its amount and legal basis (收费依据)."""
    if fee_free:
        if fees:
            raise _err("fees_when_free", _("标为不收费的事项不能列出收费项目。"), "fees")
        return []
    if not fees:
        raise _err("fees_missing", _("收费事项至少列出一项收费及其依据；不收费请勾选“不收费”。"), "fees")
    out = []
    for f in fees:
        name = (f.name or "").strip()
        basis = (f.basis or "").strip()
        try:
            amount = Decimal(str(f.amount))
        except (InvalidOperation, ValueError):
            amount = Decimal(-1)
        if not name:
            raise _err("fee_name", _("请填写收费项目名称。"), "fees")
        if amount <= 0 or amount >= Decimal("10000000000"):
            raise _err("fee_amount", _("收费项目“%(name)s”的金额应大于 0。") % {"name": name}, "fees")
        if not basis:
            raise _err("fee_basis", _("收费项目“%(name)s”须写明收费依据。") % {"name": name}, "fees")
        out.append((name[:200], amount.quantize(Decimal("0.01")), basis))
    return out


def _validate_materials(materials: Sequence[MaterialIn]) -> None:
    for m in materials:
        if not (m.name or "").strip():
            raise _err("material_name", _("请填写材料名称。"), "materials")
        if m.form not in MaterialForm.values:
            raise _err("material_form", _("材料“%(name)s”的形式不正确。") % {"name": m.name}, "materials")
        if not 1 <= int(m.copies or 0) <= 99:
            raise _err(
                "material_copies", _("材料“%(name)s”的份数应为 1–99。") % {"name": m.name}, "materials"
            )


def _validate_version(v: ItemVersion) -> None:
    """The scalar elements of a version (rules.md §3)."""
    if not (v.name or "").strip():
        raise _err("name_required", _("请填写事项名称。"), "name")
    if v.item_type not in ItemType.values:
        raise _err("type_invalid", _("请选择事项类型。"), "item_type")
    if not (v.legal_basis or "").strip():
        raise _err("legal_basis_required", _("请填写设定依据。"), "legal_basis")
    validate_limits(v.statutory_limit, v.committed_limit)
    if v.visits is None or v.visits < 0 or v.visits > 10:
        raise _err("visits_invalid", _("到现场次数应为 0–10 次。"), "visits")
    if v.certificate_valid_years is not None and not (v.certificate_name or "").strip():
        raise _err("certificate_name_required", _("填写证照有效期时须写明证照名称。"), "certificate_name")
    if v.certificate_valid_years is not None and not 1 <= v.certificate_valid_years <= 99:
        raise _err("certificate_years", _("证照有效期应为 1–99 年。"), "certificate_valid_years")
    if v.process_key not in processes.PROCESSES:
        raise _err("process_invalid", _("请选择有效的办理流程。"), "process_key")


def _check_unit(actor: Any, unit: Unit | None, *, field: str) -> Unit:
    r = rights(actor)
    if unit is None or unit.county_id != r.county_id or not unit.is_active:
        raise _err("unit_invalid", _("请选择本县的单位。"), field)
    return unit


# --- items -------------------------------------------------------------------------------------


def default_steps(process_key: str, committed: int) -> list[StepIn]:
    """A first draft's steps: the process's counted steps share the committed limit (the last one
    takes the rest); 制证送达 gets 10 working days and does not count."""
    keys = process_steps(process_key)
    counted = [k for k, _n in keys if k != processes.CERTIFY_STEP]
    share = max(1, committed // max(1, len(counted)))
    out: list[StepIn] = []
    used = 0
    for i, (key, name) in enumerate(keys):
        if key == processes.CERTIFY_STEP:
            out.append(StepIn(key=key, name=name, limit=CERTIFICATE_STEP_MAX, counts=False))
            continue
        last = i == len(counted) - 1
        limit = max(1, committed - used) if last else share
        used += limit
        out.append(StepIn(key=key, name=name, limit=limit, counts=True))
    return out


@transaction.atomic
def item_create(
    *,
    actor: Any,
    department: Unit,
    code: str,
    name: str,
    item_type: str,
    legal_basis: str,
    statutory_limit: int,
    committed_limit: int,
    parent: ServiceItem | None = None,
    variant: str = "",
    implementing_unit: Unit | None = None,
    process_key: str = processes.DEFAULT_PROCESS,
    sort: int = 0,
    request: Any = None,
) -> ServiceItem:
    """A new item (未发布) with its first draft version. The actor must maintain ``department``
    (its catalogue_admin, or the approval office). The code is unique in the county."""
    r = rights(actor)
    if not r.any:
        raise PermissionDenied("approvals.catalogue_forbidden", _("只有事项管理员可以维护事项目录。"))
    if not editable_departments(actor).filter(pk=department.pk).exists():
        raise PermissionDenied("approvals.item_forbidden", _("只能为本部门新增事项。"))
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise _err("code_invalid", _("事项编码应为 3–64 位字母、数字或连字符。"), "code")
    if ServiceItem.objects.filter(county_id=r.county_id, code=code).exists():
        raise _err("code_taken", _("事项编码“%(code)s”已被使用。") % {"code": code}, "code")
    if variant not in Variant.values:
        raise _err("variant_invalid", _("业务办理项不正确。"), "variant")
    if parent is not None:
        if parent.county_id != r.county_id or parent.department_id != department.pk:
            raise _err("parent_invalid", _("上级事项须是本部门的事项。"), "parent")
        if parent.parent is not None and parent.parent.parent_id is not None:
            raise _err("parent_depth", _("事项目录只有主项、子项、办理项三级。"), "parent")
        if variant and ServiceItem.objects.filter(parent=parent, variant=variant).exists():
            raise _err("variant_taken", _("该事项下已有同一业务办理项。"), "variant")
    elif variant:
        raise _err("variant_needs_parent", _("新设/变更/延续/注销办理项须有上级事项。"), "parent")
    implementing = _check_unit(actor, implementing_unit or department, field="implementing_unit")
    validate_limits(statutory_limit, committed_limit)
    item = ServiceItem(
        county_id=r.county_id,
        code=code,
        parent=parent,
        variant=variant,
        department=department,
        status=ItemStatus.DRAFT,
        name=(name or "").strip()[:200],
        item_type=item_type,
        sort=sort,
    )
    version = ItemVersion(
        item=item,
        number=1,
        status=VersionStatus.DRAFT,
        name=item.name,
        item_type=item_type,
        implementing_unit=implementing,
        legal_basis=(legal_basis or "").strip(),
        statutory_limit=statutory_limit,
        committed_limit=committed_limit,
        process_key=process_key,
        created_by=actor,
    )
    _validate_version(version)
    # a committed limit shorter than the process's counted steps is refused here (choose 简易程序)
    steps = validate_steps(process_key, default_steps(process_key, committed_limit), committed_limit)
    try:
        with transaction.atomic():
            item.search_text = _search_text(item, version, department)
            item.save()
    except IntegrityError as exc:
        raise _err("code_taken", _("事项编码“%(code)s”已被使用。") % {"code": code}, "code") from exc
    version.item = item
    version.save()
    _replace_steps(version, steps)
    audit.record(
        "approvals.item_created",
        actor=actor,
        request=request,
        obj=item,
        unit_id=department.pk,
        new={"code": code, "name": item.name, "department": department.pk, "version": version.number},
    )
    return item


def _search_text(item: ServiceItem, v: ItemVersion, department: Unit) -> str:
    parts = [
        v.name,
        item.code,
        department.name,
        department.short_name,
        v.certificate_name,
        v.implementing_unit.name,
    ]
    return " ".join(p for p in parts if p)


# --- versions ----------------------------------------------------------------------------------


@transaction.atomic
def version_draft(*, actor: Any, item: ServiceItem, note: str = "", request: Any = None) -> ItemVersion:
    """A new draft copied from the current published version (its materials — sample files
    included —, fees and steps). Only one unpublished version at a time."""
    item = access_item(actor, item.pk)
    ServiceItem.objects.select_for_update().filter(pk=item.pk).first()
    if item.versions.filter(status__in=OPEN_VERSION_STATUSES).exists():
        raise _err("draft_exists", _("该事项已有未发布的版本，请先完成或退回它。"))
    source = item.current
    if source is None:
        source = item.versions.order_by("-number").first()
    if source is None:
        raise _err("no_version", _("该事项还没有任何版本。"))
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    materials = list(source.materials.all())
    fees = list(source.fees.all())
    steps = list(source.steps.all())
    v = ItemVersion.objects.get(pk=source.pk)
    v.pk = None
    v.id = None
    v._state.adding = True
    v.number = number
    v.status = VersionStatus.DRAFT
    v.note = (note or "").strip()
    v.created_by = actor
    v.submitted_at = None
    v.published_at = None
    v.published_by = None
    v.return_reason = ""
    v.save()
    ItemMaterial.objects.bulk_create(
        ItemMaterial(
            version=v, name=m.name, form=m.form, copies=m.copies, required=m.required, note=m.note,
            sample=m.sample.name if m.sample else "", sort=m.sort,
        )
        for m in materials
    )  # fmt: skip
    ItemFee.objects.bulk_create(
        ItemFee(version=v, name=f.name, amount=f.amount, basis=f.basis, sort=f.sort) for f in fees
    )
    ItemStep.objects.bulk_create(
        ItemStep(version=v, key=s.key, name=s.name, limit=s.limit, counts=s.counts, sort=s.sort)
        for s in steps
    )
    audit.record(
        "approvals.version_drafted",
        actor=actor,
        request=request,
        obj=v,
        unit_id=item.department_id,
        new={"item": item.pk, "number": v.number, "from": source.number},
    )
    return v


def _replace_steps(v: ItemVersion, steps: Sequence[StepIn]) -> None:
    v.steps.all().delete()
    ItemStep.objects.bulk_create(
        ItemStep(version=v, key=s.key, name=s.name[:64], limit=s.limit, counts=s.counts, sort=i)
        for i, s in enumerate(steps)
    )


@transaction.atomic
def version_update(
    *,
    actor: Any,
    version: ItemVersion,
    fields: dict[str, Any],
    materials: Sequence[MaterialIn] | None = None,
    fees: Sequence[FeeIn] | None = None,
    steps: Sequence[StepIn] | None = None,
    request: Any = None,
) -> ItemVersion:
    """Edit a draft (or returned) version: any of the §3 elements in ``fields``; the materials,
    fees and steps when given replace the version's lists (an existing material named by ``id``
    keeps its sample file unless replaced or cleared). Everything is validated together; on any
    error nothing is changed."""
    item = access_item(actor, version.item_id)
    v = ItemVersion.objects.select_for_update().get(pk=version.pk)
    _require_editable(v)
    old = _snapshot(v)
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise _err("field_unknown", _("不能修改的字段：%(f)s。") % {"f": "、".join(sorted(unknown))})
    for name, value in fields.items():
        if name == "implementing_unit":
            value = _check_unit(actor, value, field="implementing_unit")
        elif name == "form_schema":
            value = validate_form_schema(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(v, name, value)
    _validate_version(v)
    step_rows = steps
    if step_rows is None:
        step_rows = [StepIn(key=s.key, limit=s.limit, counts=s.counts, name=s.name) for s in v.steps.all()]
    checked_steps = validate_steps(v.process_key, step_rows, v.committed_limit)
    fee_rows = fees if fees is not None else [FeeIn(f.name, f.amount, f.basis) for f in v.fees.all()]
    checked_fees = _validate_fees(v.fee_free, fee_rows)
    if materials is not None:
        _validate_materials(materials)
        checked_samples = {
            i: files.check(
                m.sample, m.sample.name or "sample", getattr(m.sample, "size", None),
                allowed=SAMPLE_TYPES, limit=SAMPLE_LIMIT, prefix="approvals.sample", field="materials",
            )
            for i, m in enumerate(materials)
            if m.sample is not None
        }  # fmt: skip
    v.save()
    _replace_steps(v, checked_steps)
    if fees is not None:
        v.fees.all().delete()
        ItemFee.objects.bulk_create(
            ItemFee(version=v, name=n, amount=a, basis=b, sort=i) for i, (n, a, b) in enumerate(checked_fees)
        )
    if materials is not None:
        existing = {m.pk: m for m in v.materials.all()}
        keep: set[int] = set()
        for i, m in enumerate(materials):
            row = existing.get(m.id) if m.id else None
            if row is None:
                row = ItemMaterial(version=v)
            else:
                keep.add(row.pk)
            row.name = m.name.strip()[:200]
            row.form = m.form
            row.copies = int(m.copies)
            row.required = bool(m.required)
            row.note = (m.note or "").strip()[:300]
            row.sort = i
            if m.clear_sample:
                row.sample = ""
            if i in checked_samples:
                row.sample.save(checked_samples[i].name, m.sample, save=False)  # type: ignore[arg-type]
            row.save()
            keep.add(row.pk)
        v.materials.exclude(pk__in=keep).delete()
    if v.number == 1 and item.current_id is None:
        # An item never published shows its draft's name in the staff list.
        item.name, item.item_type = v.name, v.item_type
        item.search_text = _search_text(item, v, item.department)
        item.save(update_fields=["name", "item_type", "search_text", "updated_at"])
    audit.record(
        "approvals.version_updated",
        actor=actor,
        request=request,
        obj=v,
        unit_id=item.department_id,
        old=old,
        new=_snapshot(v),
    )
    return v


@transaction.atomic
def material_sample_upload(
    *, actor: Any, material: ItemMaterial, file: UploadedFile, request: Any = None
) -> ItemMaterial:
    """Attach a sample (示范文本) to a material of a draft; checked by type, content and size."""
    v = ItemVersion.objects.select_for_update().get(pk=material.version_id)
    access_item(actor, v.item_id)
    _require_editable(v)
    checked = files.check(
        file, file.name or "sample", getattr(file, "size", None),
        allowed=SAMPLE_TYPES, limit=SAMPLE_LIMIT, prefix="approvals.sample", field="sample",
    )  # fmt: skip
    material.sample.save(checked.name, file, save=False)
    material.save(update_fields=["sample"])
    audit.record(
        "approvals.sample_uploaded",
        actor=actor,
        request=request,
        obj=v,
        new={"material": material.pk, "name": checked.name, "sha256": checked.sha256},
    )
    return material


@transaction.atomic
def version_submit(*, actor: Any, version: ItemVersion, request: Any = None) -> ItemVersion:
    """The department submits its draft for publication (待发布); it is validated again."""
    item = access_item(actor, version.item_id)
    v = ItemVersion.objects.select_for_update().get(pk=version.pk)
    _require_editable(v)
    _validate_version(v)
    validate_steps(
        v.process_key,
        [StepIn(key=s.key, limit=s.limit, counts=s.counts) for s in v.steps.all()],
        v.committed_limit,
    )
    _validate_fees(v.fee_free, [FeeIn(f.name, f.amount, f.basis) for f in v.fees.all()])
    if not v.materials.exists():
        raise _err("materials_missing", _("请至少列出一项申请材料。"), "materials")
    v.status = VersionStatus.SUBMITTED
    v.submitted_at = core_clock.now()
    v.save(update_fields=["status", "submitted_at"])
    audit.record(
        "approvals.version_submitted",
        actor=actor,
        request=request,
        obj=v,
        unit_id=item.department_id,
        new={"status": v.status},
    )
    return v


def _require_office(actor: Any, item: ServiceItem) -> None:
    r = rights(actor)
    if not r.office or item.county_id != r.county_id:
        raise PermissionDenied(
            "approvals.publish_forbidden", _("只有县行政审批局的事项管理员可以发布或退回事项。")
        )


@transaction.atomic
def version_publish(*, actor: Any, version: ItemVersion, request: Any = None) -> ItemVersion:
    """The approval office publishes a submitted version: it becomes the item's current version
    (name, type and search text copied to the item), the previous one is superseded. New cases
    are filed under it; existing cases keep theirs."""
    item = access_item(actor, version.item_id)
    _require_office(actor, item)
    item = ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)
    v = ItemVersion.objects.select_for_update().select_related("implementing_unit").get(pk=version.pk)
    if v.status != VersionStatus.SUBMITTED:
        raise _err("not_submitted", _("只有待发布的版本可以发布。"))
    previous = item.current
    now = core_clock.now()
    if previous is not None and previous.pk != v.pk:
        ItemVersion.objects.filter(pk=previous.pk).update(status=VersionStatus.SUPERSEDED)
    v.status = VersionStatus.PUBLISHED
    v.published_at = now
    v.published_by = actor
    v.return_reason = ""
    v.save(update_fields=["status", "published_at", "published_by", "return_reason"])
    item.current = v
    item.name = v.name
    item.item_type = v.item_type
    item.search_text = _search_text(item, v, item.department)
    if item.status == ItemStatus.DRAFT:
        item.status = ItemStatus.PUBLISHED
    item.save(update_fields=["current", "name", "item_type", "search_text", "status", "updated_at"])
    audit.record(
        "approvals.version_published",
        actor=actor,
        request=request,
        obj=v,
        unit_id=item.department_id,
        old={"current": previous.number if previous else None},
        new={"current": v.number, "committed_limit": v.committed_limit, "statutory_limit": v.statutory_limit},
    )
    return v


@transaction.atomic
def version_return(*, actor: Any, version: ItemVersion, reason: str, request: Any = None) -> ItemVersion:
    """The approval office returns a submitted version to the department with a reason."""
    item = access_item(actor, version.item_id)
    _require_office(actor, item)
    v = ItemVersion.objects.select_for_update().get(pk=version.pk)
    reason = (reason or "").strip()
    if v.status != VersionStatus.SUBMITTED:
        raise _err("not_submitted", _("只有待发布的版本可以退回。"))
    if not reason:
        raise _err("reason_required", _("请填写退回理由。"), "reason")
    v.status = VersionStatus.RETURNED
    v.return_reason = reason[:2000]
    v.save(update_fields=["status", "return_reason"])
    audit.record(
        "approvals.version_returned",
        actor=actor,
        request=request,
        obj=v,
        unit_id=item.department_id,
        new={"status": v.status, "reason": v.return_reason},
    )
    return v


@transaction.atomic
def version_discard(*, actor: Any, version: ItemVersion, request: Any = None) -> ServiceItem:
    """Delete an unpublished revision draft (never the item's only version, never a published one)."""
    item = access_item(actor, version.item_id)
    v = ItemVersion.objects.select_for_update().get(pk=version.pk)
    _require_editable(v)
    if item.current_id is None or not item.versions.exclude(pk=v.pk).exists():
        raise _err("discard_first", _("事项的第一个版本不能删除。"))
    number = v.number
    v.delete()
    audit.record(
        "approvals.version_discarded",
        actor=actor,
        request=request,
        obj=item,
        unit_id=item.department_id,
        old={"number": number},
    )
    return item


@transaction.atomic
def item_withdraw(*, actor: Any, item: ServiceItem, reason: str, request: Any = None) -> ServiceItem:
    """停用: the item leaves the 办事指南 and takes no new applications (open cases go on)."""
    item = access_item(actor, item.pk)
    _require_office(actor, item)
    reason = (reason or "").strip()
    if item.status != ItemStatus.PUBLISHED:
        raise _err("not_published", _("只有已发布的事项可以停用。"))
    if not reason:
        raise _err("reason_required", _("请填写停用理由。"), "reason")
    ServiceItem.objects.filter(pk=item.pk).update(status=ItemStatus.WITHDRAWN, updated_at=core_clock.now())
    audit.record(
        "approvals.item_withdrawn",
        actor=actor,
        request=request,
        obj=item,
        unit_id=item.department_id,
        old={"status": item.status},
        new={"status": ItemStatus.WITHDRAWN},
        message=reason[:500],
    )
    item.status = ItemStatus.WITHDRAWN
    return item


@transaction.atomic
def item_restore(*, actor: Any, item: ServiceItem, request: Any = None) -> ServiceItem:
    """Put a withdrawn item back in the 办事指南 under its current version."""
    item = access_item(actor, item.pk)
    _require_office(actor, item)
    if item.status != ItemStatus.WITHDRAWN or item.current_id is None:
        raise _err("not_withdrawn", _("只有已停用的事项可以恢复。"))
    ServiceItem.objects.filter(pk=item.pk).update(status=ItemStatus.PUBLISHED, updated_at=core_clock.now())
    audit.record(
        "approvals.item_restored",
        actor=actor,
        request=request,
        obj=item,
        unit_id=item.department_id,
        old={"status": item.status},
        new={"status": ItemStatus.PUBLISHED},
    )
    item.status = ItemStatus.PUBLISHED
    return item
