"""Applying (网上申请) — the applicant's side of a case: submit, supplement, withdraw, rate.

Rules (rules.md §3, 行政许可法):
- 第二十九条/第三十三条: an application may be filed online; the applicant's details are copied onto
  the case at filing (the account may change later, the case must not). The form is validated
  against the item version's ``form_schema``; every required material must be handed in; each file
  is checked by type (extension AND first bytes) and size (20 MB).
- 第三十二条: receipt starts the 5-working-day acceptance window — the RECEIVED clock event — and the
  applicant gets a written receipt (收件回执). A supplement (补正) restarts the window.
- An applicant may withdraw an application before the decision (撤回).
- 好差评 (国办发〔2019〕51号; GB/T 39734-2020): one rating per finished case, five levels and the four
  online criteria, each 1–5; supervision listens (hooks.rating_created) for bad ones.

Every time-affecting change goes through :func:`tongban.approvals.clock.record_event` with the
case locked. A refused submit leaves nothing behind: files are checked before anything is
stored, and stored files are deleted again when the transaction fails."""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.approvals import clock, hooks, numbering
from tongban.approvals.models import (
    ApplicantKind,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNotice,
    CaseRating,
    CaseStatus,
    Channel,
    Decision,
    EventKind,
    ItemMaterial,
    ItemStatus,
    ItemVersion,
    NoticeKind,
    RatingLevel,
    ServiceItem,
    SupplementRequest,
)
from tongban.core import audit
from tongban.core import clock as core_clock
from tongban.core import files as core_files
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity import public_rules
from tongban.identity import public_services as accounts
from tongban.identity.models import PublicAccount, PublicAccountKind
from tongban.notify import sms
from tongban.workflow import services as workflow
from tongban.workflow.models import InstanceStatus, ProcessInstance

ALLOWED = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd", "zip"}
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 40
FIELD_TYPES = ("text", "textarea", "date", "number", "select")
TEXT_MAX = {"text": 200, "textarea": 2000}
CRITERIA = ("efficiency", "guide_accuracy", "convenience", "operability")
# Statuses before a decision, in which the applicant may withdraw.
WITHDRAWABLE = (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT, CaseStatus.ACCEPTED, CaseStatus.PAUSED)

Upload = tuple[int | None, Any]  # (ItemMaterial id or None, an uploaded file with .name)


def _err(code: str, message: str, field: str | None = None) -> TongbanError:
    return TongbanError(f"approvals.{code}", message, field=field)


# --- SMS for the public account ---------------------------------------------------------------
def sms_send(phone: str, text: str) -> str:
    """Send one SMS through the configured backend (tongban.notify.sms)."""
    return sms.get_backend().send(phone, text)


def register_code_send(*, phone: str, client: str | None = None) -> None:
    """The registration SMS code (identity.public_services.phone_code_send); ``client`` is the
    caller's address, limited to 10 codes an hour."""
    _code_allowed(client)
    accounts.phone_code_send(phone=phone, purpose=accounts.PURPOSE_REGISTER, send=sms_send)


def reset_code_send(*, login: str, client: str | None = None) -> None:
    _code_allowed(client)
    accounts.reset_code_send(login=login, send=sms_send)


# --- the application form ---------------------------------------------------------------------
def form_validate(schema: Sequence[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked against the version's ``form_schema``: required fields present, dates ISO,
    numbers decimal, selects one of the choices, text within its length. Unknown keys are dropped.
    Raises TongbanError naming the first field at fault (``form_<key>``)."""
    clean: dict[str, Any] = {}
    for spec in schema or []:
        key = str(spec.get("key", ""))
        if not key:
            continue
        label = str(spec.get("label") or key)
        kind = spec.get("type", "text")
        raw = data.get(key, "")
        value = "" if raw is None else str(raw).strip()
        field = f"form_{key}"
        if not value:
            if spec.get("required"):
                raise _err("form_required", _("请填写“%(label)s”。") % {"label": label}, field)
            clean[key] = ""
            continue
        if kind in TEXT_MAX and len(value) > TEXT_MAX[kind]:
            raise _err(
                "form_too_long",
                _("“%(label)s”不能超过 %(n)d 个字。") % {"label": label, "n": TEXT_MAX[kind]},
                field,
            )
        if kind == "date":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                raise _err(
                    "form_date", _("“%(label)s”请填写正确的日期，如 2026-01-31。") % {"label": label}, field
                ) from None
        elif kind == "number":
            try:
                number = Decimal(value)
            except InvalidOperation:
                number = Decimal("NaN")
            if not number.is_finite():
                raise _err("form_number", _("“%(label)s”请填写数字。") % {"label": label}, field)
            value = str(number)
        elif kind == "select":
            choices = [str(c) for c in spec.get("choices") or []]
            if value not in choices:
                raise _err("form_choice", _("“%(label)s”请从列表中选择。") % {"label": label}, field)
        clean[key] = value
    return clean


# --- applicant --------------------------------------------------------------------------------
def _applicant_from_account(account: PublicAccount) -> dict[str, str]:
    enterprise = account.kind == PublicAccountKind.ENTERPRISE
    return {
        "kind": ApplicantKind.ENTERPRISE if enterprise else ApplicantKind.PERSON,
        "name": account.name,
        "id_number": account.credit_code if enterprise else account.id_number,
        "phone": account.phone,
        "contact_name": account.contact_name if enterprise else "",
        "address": "",
    }


def _applicant_clean(applicant: dict[str, Any]) -> dict[str, str]:
    """The applicant a counter clerk typed (窗口代办): kind, name, ID or credit code, phone."""
    kind = str(applicant.get("kind") or ApplicantKind.PERSON)
    if kind not in ApplicantKind.values:
        raise _err("applicant_kind", _("申请人类型不正确。"), "applicant_kind")
    name = " ".join(str(applicant.get("name") or "").split())
    if not name or len(name) > 128:
        raise _err("applicant_name", _("请填写申请人姓名或单位名称。"), "applicant_name")
    number = str(applicant.get("id_number") or "").strip().upper()
    if kind == ApplicantKind.PERSON and not public_rules.id_number_valid(number):
        raise _err("applicant_id", _("身份证号码不正确，请核对（含末位校验码）。"), "applicant_id_number")
    if kind == ApplicantKind.ENTERPRISE and not public_rules.credit_code_valid(number):
        raise _err(
            "applicant_id", _("统一社会信用代码不正确，请核对（含末位校验码）。"), "applicant_id_number"
        )
    phone = public_rules.normalize_phone(str(applicant.get("phone") or ""))
    if not public_rules.phone_valid(phone):
        raise _err("applicant_phone", _("请填写正确的 11 位手机号码。"), "applicant_phone")
    return {
        "kind": kind,
        "name": name,
        "id_number": number,
        "phone": phone,
        "contact_name": str(applicant.get("contact_name") or "").strip()[:64],
        "address": str(applicant.get("address") or "").strip()[:200],
    }


# --- files ------------------------------------------------------------------------------------
def _check_files(
    version: ItemVersion, files: Iterable[Upload]
) -> list[tuple[ItemMaterial | None, Any, core_files.Checked]]:
    materials = {m.pk: m for m in version.materials.all()}
    checked: list[tuple[ItemMaterial | None, Any, core_files.Checked]] = []
    items = list(files or [])
    if len(items) > MAX_FILES:
        raise _err("too_many_files", _("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES}, "materials")
    for material_id, f in items:
        material = None
        if material_id:
            material = materials.get(int(material_id))
            if material is None:
                raise _err("material_unknown", _("上传的材料不属于本事项。"), "materials")
        c = core_files.check(
            f,
            getattr(f, "name", "") or "file",
            getattr(f, "size", None),
            allowed=ALLOWED,
            limit=MAX_FILE_BYTES,
            prefix="approvals.material",
            field=f"material_{material_id}" if material_id else "materials",
        )
        checked.append((material, f, c))
    return checked


def _store(
    case: Case,
    checked: list[tuple[ItemMaterial | None, Any, core_files.Checked]],
    round_: int,
    stored: list[str],
) -> list[CaseMaterial]:
    """Store the checked files (random names) as CaseMaterial rows; ``stored`` collects the
    storage names so the caller can delete them if the transaction fails."""
    rows = []
    for material, f, c in checked:
        row = CaseMaterial(
            case=case, material=material, round=round_, name=c.name, size=c.size, sha256=c.sha256
        )
        f.seek(0)
        row.file.save(f"{uuid.uuid4().hex}.{c.ext}", File(f), save=False)
        stored.append(str(row.file.name))
        row.save()
        rows.append(row)
    return rows


def _delete_stored(stored: list[str]) -> None:
    for name in stored:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _issue_notice(case: Case, kind: str, actor: Any = None, **ctx: Any) -> CaseNotice:
    """A written notice through papers.notice_issue (lawful wording, SMS on commit)."""
    try:
        from tongban.approvals import papers
    except ImportError:  # the papers part not installed: the receipt row with its own wording
        papers = None  # type: ignore[assignment]
    if papers is not None and hasattr(papers, "notice_issue"):
        return papers.notice_issue(case=case, kind=kind, actor=actor, **ctx)
    return CaseNotice.objects.create(
        case=case,
        kind=kind,
        title=_("%(item)s 收件回执") % {"item": case.item.name},
        body=_(
            "%(name)s：您申请的“%(item)s”已于 %(at)s 收到，受理编号 %(no)s。"
            "本机关将在 5 个工作日内（%(due)s 前）作出是否受理的决定；逾期未告知补正的，自收到之日起即为受理"
            "（《中华人民共和国行政许可法》第三十二条）。"
        )
        % {
            "name": case.applicant_name,
            "item": case.item.name,
            "at": core_clock.now().astimezone().strftime("%Y-%m-%d %H:%M"),
            "no": case.tracking_no,
            "due": case.preaccept_due.isoformat() if case.preaccept_due else "—",
        },
    )


# --- submit -----------------------------------------------------------------------------------
def case_submit(
    *,
    item: ServiceItem,
    form_data: dict[str, Any],
    files: list[Upload],
    account: PublicAccount | None = None,
    applicant: dict[str, Any] | None = None,
    filed_by: Any = None,
    channel: str = Channel.ONLINE,
    title: str = "",
) -> Case:
    """File an application for ``item`` under its current version (第二十九条): validate the form
    and the materials, give it a 受理编号, copy the applicant's details, store the files, record
    the RECEIVED event (starts the 5-day window of 第三十二条) and issue the 收件回执.

    Online: ``account`` is the applicant. Counter (窗口代办): ``filed_by`` is the clerk,
    ``channel="counter"``, ``applicant`` the typed details, and ``account`` optional (found by phone
    by the caller). Nothing is stored when refused."""
    if channel not in Channel.values:
        raise _err("channel", _("申请渠道不正确。"))
    if item.status != ItemStatus.PUBLISHED or item.current_id is None:
        raise _err("item_unavailable", _("该事项未发布或已停用，暂不能申请。"))
    version = ItemVersion.objects.select_related("implementing_unit").get(pk=item.current_id)
    if channel == Channel.ONLINE:
        if account is None:
            raise PermissionDenied("approvals.login_required", _("请先登录办事账户。"))
        if not version.online:
            raise _err("not_online", _("该事项不支持网上申请，请到窗口办理。"))
    if channel == Channel.COUNTER and filed_by is None:
        raise PermissionDenied("approvals.counter_clerk", _("窗口代办须由窗口人员办理。"))
    if account is not None and not account.is_active:
        raise PermissionDenied("approvals.account_inactive", _("办事账户已停用。"))
    who = _applicant_clean(applicant) if applicant else None
    if who is None:
        if account is None:
            raise _err("applicant_required", _("请填写申请人信息。"), "applicant_name")
        who = _applicant_from_account(account)
    clean_form = form_validate(version.form_schema, form_data or {})
    checked = _check_files(version, files)
    handed = {m.pk for m, _f, _c in checked if m is not None}
    missing = [m.name for m in version.materials.all() if m.required and m.pk not in handed]
    if missing:
        raise _err(
            "materials_missing",
            _("请上传必需的申请材料：%(names)s。") % {"names": "、".join(missing)},
            "materials",
        )
    title = " ".join((title or "").split())[:200] or version.name
    now = core_clock.now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = Case.objects.create(
                county=item.county,
                tracking_no=numbering.tracking_no(item.county, core_clock.today()),
                item=item,
                version=version,
                unit=version.implementing_unit,
                account=account,
                applicant_kind=who["kind"],
                applicant_name=who["name"],
                applicant_id_number=who["id_number"],
                applicant_phone=who["phone"],
                contact_name=who["contact_name"],
                applicant_address=who["address"],
                title=title,
                form_data=clean_form,
                channel=channel,
                filed_by=filed_by,
                status=CaseStatus.SUBMITTED,
                is_open=True,
                received_at=now,
                received_on=core_clock.today(),
            )
            case = clock.lock_case(case.pk)
            _store(case, checked, 0, stored)
            clock.record_event(
                case,
                EventKind.RECEIVED,
                actor=filed_by or who["name"],
                at=now,
                data={"channel": channel, "files": len(checked)},
            )
            case.refresh_from_db()
            _issue_notice(case, NoticeKind.RECEIPT, actor=filed_by)
            if filed_by is not None:
                audit.record(
                    "approvals.case_filed",
                    actor=filed_by,
                    obj=case,
                    unit_id=case.unit_id,
                    new={"tracking_no": case.tracking_no, "item": item.code, "channel": channel},
                )
    except BaseException:
        _delete_stored(stored)
        raise
    return case


# --- supplement -------------------------------------------------------------------------------
def _owner_check(case: Case, account: PublicAccount | None) -> None:
    if account is not None and case.account_id != account.pk:
        raise NotFound("approvals.case_not_found", _("没有找到这个办件。"))


def case_supplement(
    *,
    case: Case,
    account: PublicAccount | None,
    files: list[Upload],
    note: str = "",
    actor: Any = None,
) -> Case:
    """The applicant hands in what the 补正告知 asked for (第三十二条): only while the case waits
    for it, by the case's own account (or a staff ``actor`` at the counter). Answers the open
    SupplementRequest and records SUPPLEMENTED; asked before acceptance the case returns to
    pre-acceptance (a new 5-day window), asked after acceptance to the status it had then."""
    if account is None and actor is None:
        raise PermissionDenied("approvals.login_required", _("请先登录办事账户。"))
    _owner_check(case, account)
    note = (note or "").strip()[:2000]
    if not files:
        raise _err("supplement_empty", _("请上传补正材料。"), "materials")
    checked = _check_files(case.version, files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = clock.lock_case(case.pk)
            _owner_check(case, account)
            if case.status != CaseStatus.SUPPLEMENT:
                raise _err("not_supplement", _("该办件当前不需要补正材料。"))
            asked = (
                CaseEvent.objects.filter(case=case, kind=EventKind.SUPPLEMENT_REQUESTED)
                .order_by("-seq")
                .first()
            )
            back = (asked.data or {}).get("previous_status") if asked else None
            if back not in (CaseStatus.ACCEPTED, CaseStatus.PAUSED, CaseStatus.SUBMITTED):
                back = CaseStatus.ACCEPTED if case.accepted_on else CaseStatus.SUBMITTED
            round_ = (max(case.materials.values_list("round", flat=True), default=0) or 0) + 1
            _store(case, checked, round_, stored)
            now = core_clock.now()
            request = (
                SupplementRequest.objects.filter(case=case, answered_at__isnull=True).order_by("-id").first()
            )
            if request is not None:
                request.answered_at = now
                request.answer_note = note
                request.save(update_fields=["answered_at", "answer_note"])
            case.status = back
            case.save(update_fields=["status", "updated_at"])
            clock.record_event(
                case,
                EventKind.SUPPLEMENTED,
                actor=actor or case.applicant_name,
                at=now,
                data={
                    "round": round_,
                    "files": len(checked),
                    "request": request.pk if request else None,
                    "status": back,
                    "note": note[:200],
                },
            )
            if actor is not None:
                audit.record("approvals.case_supplemented", actor=actor, obj=case, unit_id=case.unit_id,
                             new={"round": round_, "files": len(checked)})  # fmt: skip
    except BaseException:
        _delete_stored(stored)
        raise
    case.refresh_from_db()
    return case


# --- withdraw ---------------------------------------------------------------------------------
@transaction.atomic
def case_withdraw(*, case: Case, account: PublicAccount, reason: str = "") -> Case:
    """The applicant withdraws the application before the decision: WITHDRAWN event, the clock
    stops, the case is closed."""
    case = clock.lock_case(case.pk)
    _owner_check(case, account)
    if case.status not in WITHDRAWABLE or case.decision:
        raise _err("not_withdrawable", _("该办件已作出决定或已结束，不能撤回。"))
    now = core_clock.now()
    reason = (reason or "").strip()[:500]
    _cancel_process(case, reason)
    case.status = CaseStatus.WITHDRAWN
    case.is_open = False
    case.completed_at = now
    case.current_step = ""
    case.save(update_fields=["status", "is_open", "completed_at", "current_step", "updated_at"])
    SupplementRequest.objects.filter(case=case, answered_at__isnull=True).update(answered_at=now)
    clock.record_event(
        case,
        EventKind.WITHDRAWN,
        actor=case.applicant_name,
        at=now,
        data={"reason": reason, "by": "applicant"},
    )
    return case


def _cancel_process(case: Case, reason: str) -> None:
    """A withdrawn case leaves nobody's inbox: its running process instance is cancelled."""
    if not case.instance_id:
        return
    inst = ProcessInstance.objects.filter(pk=case.instance_id).first()
    if inst is not None and inst.status in (InstanceStatus.RUNNING, InstanceStatus.ERROR):
        workflow.instance_cancel(
            instance=inst, actor=None, reason=_("申请人撤回申请：%(r)s") % {"r": reason or "—"}, force=True
        )


# --- rating -----------------------------------------------------------------------------------
def is_finished(case: Case) -> bool:
    """Finished for 好差评: 办结, 不予受理, or a grant whose certificate was issued (a refusal
    closes the case too)."""
    if case.status in (CaseStatus.COMPLETED, CaseStatus.REJECTED):
        return True
    if case.status == CaseStatus.DECIDED:
        return (
            case.decision == Decision.REFUSE
            or Case.objects.filter(pk=case.pk, certificate__isnull=False).exists()
        )
    return False


def can_rate(case: Case) -> bool:
    return is_finished(case) and not CaseRating.objects.filter(case=case).exists()


def case_rate(
    *,
    case: Case,
    account: PublicAccount,
    level: int,
    efficiency: int,
    guide_accuracy: int,
    convenience: int,
    operability: int,
    comment: str = "",
    named: bool = True,
) -> CaseRating:
    """The applicant's one rating of a finished case (国办发〔2019〕51号): a level of five and the
    four online criteria (办事效率、办事指南精确度、办事便捷度、平台操作性), each 1–5. A bad rating is
    followed up by supervision (hooks.rating_created, in this transaction)."""
    values = {
        "efficiency": efficiency,
        "guide_accuracy": guide_accuracy,
        "convenience": convenience,
        "operability": operability,
    }
    try:
        level = int(level)
        values = {k: int(v) for k, v in values.items()}
    except (TypeError, ValueError):
        raise _err("rating_invalid", _("请为每一项选择 1–5 分。"), "level") from None
    if level not in RatingLevel.values:
        raise _err("rating_level", _("请选择总体评价。"), "level")
    for key, v in values.items():
        if not 1 <= v <= 5:
            raise _err("rating_invalid", _("请为每一项选择 1–5 分。"), key)
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise _err("rating_comment", _("评价意见不能超过 1000 字。"), "comment")
    with transaction.atomic():
        case = clock.lock_case(case.pk)
        _owner_check(case, account)
        if not is_finished(case):
            raise _err("not_finished", _("办件办结后才能评价。"))
        if CaseRating.objects.filter(case=case).exists():
            raise _err("already_rated", _("该办件已经评价过了，每个办件只能评价一次。"))
        rating = CaseRating.objects.create(
            case=case, level=level, comment=comment, named=bool(named), unit_id=case.unit_id, **values
        )
        hooks.rating_created(rating)
    return rating


# --- anonymous lookup throttle ----------------------------------------------------------------
LOOKUP_LIMIT = 20
LOOKUP_WINDOW = 10 * 60
CODE_LIMIT = 10  # SMS codes one client address may ask for within CODE_WINDOW (any numbers)
CODE_WINDOW = 60 * 60


def _allowed(kind: str, client: str, limit: int, window: int) -> bool:
    key = f"ban:{kind}:" + hashlib.sha256((client or "-").encode()).hexdigest()[:32]
    now = time.time()
    stamps = [t for t in (cache.get(key) or []) if t > now - window]
    if len(stamps) >= limit:
        return False
    stamps.append(now)
    cache.set(key, stamps, window)
    return True


def lookup_allowed(client: str) -> bool:
    """At most 20 progress lookups per client address in 10 minutes (guessing tracking numbers
    and names is slow)."""
    return _allowed("lookup", client, LOOKUP_LIMIT, LOOKUP_WINDOW)


def _code_allowed(client: str | None) -> None:
    """At most 10 SMS codes per client address an hour, whatever the numbers (no SMS bombing);
    each number has its own 60-second rule in identity.public_services."""
    if client is not None and not _allowed("code", client, CODE_LIMIT, CODE_WINDOW):
        raise _err("code_too_many", _("获取验证码过于频繁，请 1 小时后再试。"), "phone")
