"""Services of requests for government information (依申请公开, 政府信息公开条例 2019 第二十七条–
第四十五条). Every step writes a :class:`DisclosureEvent` and recomputes the clock with
:func:`tongban.interaction.disclosure_clock.refresh` (the rules are documented there).

Who may act: a ``disclosure_officer`` of the request's organ; the county's disclosure office (the
``disclosure_officer`` of the general office, ``settings.TONGBAN_DISCLOSURE_OFFICE``, default the
mailbox office 政府办 — the 政府信息公开工作机构 of 第四条) sees and may act on every request of the
county. The applicant (anonymous with code + ID number, or the logged-in public account) may
complete a request asked for 补正 and withdraw an open request."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.core import audit, clock, files
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity import public_rules
from tongban.identity.models import PublicAccount, User
from tongban.interaction import disclosure_clock as dclock
from tongban.interaction import disclosure_fees
from tongban.interaction.disclosure_table import REASONS
from tongban.interaction.models import (
    ApplicantType,
    DeliveryMethod,
    DisclosureEvent,
    DisclosureEventKind,
    DisclosureFile,
    DisclosureRequest,
    Outcome,
    ProvisionForm,
    RequestChannel,
    RequestStatus,
)
from tongban.orgs.models import County, RoleGrant, Unit

K = DisclosureEventKind
S = RequestStatus
ROLE = "disclosure_officer"
UPLOAD_KINDS = {"pdf", "doc", "docx", "wps", "ofd", "jpg", "jpeg", "png", "txt", "xls", "xlsx", "zip"}
UPLOAD_LIMIT = 20 * 1024 * 1024
MAX_FILES = 5
OPEN = (S.RECEIVED, S.SUPPLEMENT, S.PROCESSING, S.CONSULTING, S.FEE_PENDING)
TEXT_MAX = 2000


@dataclass(frozen=True)
class Upload:
    """An uploaded file for a service: an open binary file and its name."""

    file: IO[bytes]
    name: str


# --- who ---------------------------------------------------------------------------------------
def office_short_name() -> str:
    return str(getattr(settings, "TONGBAN_DISCLOSURE_OFFICE", settings.TONGBAN_MAILBOX_OFFICE))


def officer_scope(user: Any, county_id: int | None = None) -> tuple[int | None, set[int] | None]:
    """(county id, unit ids the user acts for; None = every unit of the county) — or (None, set())
    when the user is no disclosure officer."""
    if not getattr(user, "is_authenticated", False):
        return None, set()
    cached = getattr(user, "_tb_disclosure_scope", None)
    if cached is not None and (county_id is None or cached[0] == county_id):
        return cached
    scope = _scope(user, county_id)
    if county_id is None:
        user._tb_disclosure_scope = scope  # one look-up per request (nav, badge, list)
    return scope


def _scope(user: Any, county_id: int | None) -> tuple[int | None, set[int] | None]:
    grants = list(
        RoleGrant.objects.filter(user=user, role=ROLE).values_list("county_id", "unit_id", "unit__short_name")
    )
    if county_id is not None:
        grants = [g for g in grants if g[0] == county_id]
    if not grants:
        return None, set()
    county = grants[0][0]
    if any(short == office_short_name() for _c, _u, short in grants):
        return county, None
    return county, {u for c, u, _s in grants if c == county}


def is_officer(user: Any) -> bool:
    return officer_scope(user)[0] is not None


def can_act(user: Any, req: DisclosureRequest) -> bool:
    county, units = officer_scope(user, req.county_id)
    return county == req.county_id and (units is None or req.organ_id in units)


def _require_officer(user: Any, req: DisclosureRequest) -> None:
    if not can_act(user, req):
        raise PermissionDenied(
            "interaction.disclosure_forbidden", _("您不是该申请受理机关的政府信息公开工作人员。")
        )


def organs(county: County) -> list[Unit]:
    """Units that can receive requests: active units with a disclosure officer."""
    ids = RoleGrant.objects.filter(county=county, role=ROLE).values("unit_id")
    return list(Unit.objects.filter(county=county, is_active=True, pk__in=ids).order_by("sort", "id"))


# --- helpers -----------------------------------------------------------------------------------
def _text(value: Any, field: str, label: str, *, required: bool = True, max_len: int = TEXT_MAX) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise TongbanError(
            "interaction.disclosure_required", _("请填写%(label)s。") % {"label": label}, field=field
        )
    if len(value) > max_len:
        raise TongbanError(
            "interaction.disclosure_too_long",
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_len},
            field=field,
        )
    return value


def _event(
    req: DisclosureRequest,
    kind: str,
    *,
    actor: User | None = None,
    on: date | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> DisclosureEvent:
    now = clock.now()
    return DisclosureEvent.objects.create(
        request=req, kind=kind, on=on or clock.today(), at=now, actor=actor, note=note, data=data or {}
    )


def _attach(req: DisclosureRequest, uploads: Sequence[Upload], role: str) -> list[DisclosureFile]:
    if len(uploads) > MAX_FILES:
        raise TongbanError(
            "interaction.disclosure_too_many_files",
            _("最多上传 %(n)d 个文件。") % {"n": MAX_FILES},
            field="files",
        )
    checked = [
        (
            up,
            files.check(
                up.file,
                up.name,
                allowed=UPLOAD_KINDS,
                limit=UPLOAD_LIMIT,
                prefix="interaction.disclosure_file",
                field="files",
            ),
        )
        for up in uploads
    ]
    out = []
    for up, c in checked:
        row = DisclosureFile(request=req, role=role, name=c.name, size=c.size, content_type=c.content_type)
        row.file.save(f"{uuid.uuid4().hex}.{c.ext}", File(up.file), save=False)
        row.save()
        out.append(row)
    return out


def _sms(req: DisclosureRequest, text: str) -> None:
    """Text the applicant after commit (tasks_disclosure sends it; a second run is a no-op)."""
    from tongban.interaction.tasks_disclosure import applicant_sms_task

    key = uuid.uuid4().hex
    with translation.override(settings.LANGUAGE_CODE):
        body = f"【{settings.TONGBAN_SMS_SIGNATURE}】{text}"[:300]
    pk = req.pk
    transaction.on_commit(lambda: applicant_sms_task.enqueue(pk, body, key))


def _locked(req: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.select_for_update().get(pk=req.pk)


def _need(req: DisclosureRequest, *statuses: str) -> None:
    if req.status not in statuses:
        raise TongbanError(
            "interaction.disclosure_bad_state",
            _("申请当前状态为“%(status)s”，不能进行此操作。") % {"status": req.get_status_display()},
        )


def _refresh(req: DisclosureRequest) -> dclock.ClockState:
    return dclock.refresh(req)


def cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


# --- submit ------------------------------------------------------------------------------------
def new_code(on: date) -> str:
    return f"GK{on:%Y%m%d}{secrets.randbelow(10**5):05d}"


def validate_applicant(applicant_type: str, id_number: str, phone: str) -> tuple[str, str]:
    """Check the ID (身份证号 for a person, 统一社会信用代码 for an organisation) and the phone."""
    if applicant_type not in ApplicantType.values:
        raise TongbanError("interaction.disclosure_type", _("请选择申请人类型。"), field="applicant_type")
    if applicant_type == ApplicantType.PERSON:
        id_number = public_rules.normalize_id_number(id_number)
        if not public_rules.id_number_valid(id_number):
            raise TongbanError(
                "interaction.disclosure_id_number",
                _("身份证号码不正确，请核对（含最后一位校验码）。"),
                field="id_number",
            )
    else:
        id_number = public_rules.normalize_credit_code(id_number)
        if not public_rules.credit_code_valid(id_number):
            raise TongbanError(
                "interaction.disclosure_credit_code",
                _("统一社会信用代码不正确，请核对（含最后一位校验码）。"),
                field="id_number",
            )
    phone = public_rules.normalize_phone(phone)
    if not public_rules.phone_valid(phone):
        raise TongbanError("interaction.disclosure_phone", _("请填写正确的 11 位手机号码。"), field="phone")
    return id_number, phone


@transaction.atomic
def submit(
    *,
    county: County,
    organ_id: int,
    applicant_type: str,
    name: str,
    id_number: str,
    phone: str,
    description: str,
    legal_representative: str = "",
    contact_name: str = "",
    email: str = "",
    address: str = "",
    postcode: str = "",
    purpose: str = "",
    provision_form: str = ProvisionForm.ELECTRONIC,
    delivery_method: str = DeliveryMethod.ONLINE,
    channel: str = RequestChannel.ONLINE,
    received_on: date | None = None,
    account: PublicAccount | None = None,
    uploads: Sequence[Upload] = (),
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> DisclosureRequest:
    """A new request. Online (``actor`` None): received the day it is submitted (see
    disclosure_clock). Paper requests are registered by an officer of the organ: in person the
    day of registration, by mail/fax ``received_on`` = the day the organ signed for it (第三十一条)."""
    organ = Unit.objects.filter(pk=organ_id, county=county, is_active=True).first()
    if organ is None or organ.pk not in {u.pk for u in organs(county)}:
        raise TongbanError("interaction.disclosure_organ", _("请选择受理机关。"), field="organ")
    id_number, phone = validate_applicant(applicant_type, id_number, phone)
    name = _text(name, "name", _("申请人姓名或名称"), max_len=128)
    description = _text(description, "description", _("所需政府信息的描述"))
    purpose = _text(purpose, "purpose", _("用途"), required=False, max_len=500)
    legal_representative = _text(
        legal_representative, "legal_representative", _("法定代表人"), required=False, max_len=64
    )
    contact_name = _text(contact_name, "contact_name", _("联系人"), required=False, max_len=64)
    address = _text(address, "address", _("通信地址"), required=False, max_len=200)
    email = _text(email, "email", _("电子邮箱"), required=False, max_len=254)
    postcode = str(postcode or "").strip()
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        raise TongbanError("interaction.disclosure_postcode", _("邮政编码应为 6 位数字。"), field="postcode")
    if applicant_type != ApplicantType.PERSON and not contact_name:
        raise TongbanError("interaction.disclosure_required", _("请填写联系人。"), field="contact_name")
    if provision_form not in ProvisionForm.values:
        raise TongbanError("interaction.disclosure_form", _("请选择提供形式。"), field="provision_form")
    if delivery_method not in DeliveryMethod.values:
        raise TongbanError("interaction.disclosure_delivery", _("请选择获取方式。"), field="delivery_method")
    if delivery_method == DeliveryMethod.POST and not address:
        raise TongbanError("interaction.disclosure_required", _("邮寄获取请填写通信地址。"), field="address")
    if delivery_method == DeliveryMethod.EMAIL and not email:
        raise TongbanError(
            "interaction.disclosure_required", _("电子邮件获取请填写电子邮箱。"), field="email"
        )
    if channel not in RequestChannel.values:
        raise TongbanError("interaction.disclosure_channel", _("申请方式不正确。"), field="channel")
    today = clock.today()
    if channel == RequestChannel.ONLINE:
        received_on = today
    else:
        if actor is None or not can_act(actor, DisclosureRequest(county=county, organ=organ)):
            raise PermissionDenied(
                "interaction.disclosure_forbidden", _("纸质申请由受理机关的工作人员登记。")
            )
        if channel == RequestChannel.IN_PERSON or received_on is None:
            received_on = received_on or today
        if received_on > today:
            raise TongbanError(
                "interaction.disclosure_future", _("签收日期不能晚于今天。"), field="received_on"
            )
    req = DisclosureRequest(
        county=county, organ=organ, applicant_type=applicant_type, name=name,
        id_type=_("居民身份证") if applicant_type == ApplicantType.PERSON else _("统一社会信用代码"),
        id_number=id_number, legal_representative=legal_representative, contact_name=contact_name,
        phone=phone, email=email, address=address, postcode=postcode, description=description, purpose=purpose,
        provision_form=provision_form, delivery_method=delivery_method, channel=channel, account=account,
        submitted_at=clock.now(), received_on=received_on, clock_start_on=received_on, status=S.RECEIVED,
    )  # fmt: skip
    for _attempt in range(5):
        req.tracking_code = new_code(today)
        try:
            with transaction.atomic():
                req.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover — 10^5 codes a day
        raise TongbanError("interaction.disclosure_code", _("申请编号生成失败，请重试。"))
    _attach(req, uploads, DisclosureFile.Role.APPLICANT)
    _event(
        req, K.RECEIVED, actor=actor, on=received_on,
        note=_("收到%(channel)s的政府信息公开申请。") % {"channel": req.get_channel_display()},
        data={"channel": channel},
    )  # fmt: skip
    st = _refresh(req)
    audit.record("interaction.disclosure_submitted", actor=actor, request=request, obj=req)
    transaction.on_commit(lambda: _notify_received(req.pk))
    _sms(
        req,
        _(
            "您的政府信息公开申请已收到，申请编号%(code)s，答复期限%(due)s（如需补正、征求第三方意见或缴费，期限另计）。"
        )
        % {"code": req.tracking_code, "due": cn(st.due_on)},
    )
    return req


def _notify_received(pk: int) -> None:
    from tongban.interaction.tasks_disclosure import notify_officers

    notify_officers(pk, "disclosure.received")


# --- officer actions -----------------------------------------------------------------------------
@transaction.atomic
def confirm(req: DisclosureRequest, *, actor: User, request: HttpRequest | None = None) -> DisclosureRequest:
    """The officer takes the request up (待确认 → 办理中). The receipt date does not move."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.RECEIVED)
    req.status = S.PROCESSING
    req.handler = actor
    req.save(update_fields=["status", "handler", "updated_at"])
    _event(req, K.NOTE, actor=actor, note=_("确认受理，开始办理。"), data={"action": "confirmed"})
    _refresh(req)
    audit.record("interaction.disclosure_confirmed", actor=actor, request=request, obj=req)
    return req


@transaction.atomic
def ask_supplement(
    req: DisclosureRequest,
    *,
    actor: User,
    text: str,
    period: int = dclock.SUPPLEMENT_REPLY_WORKDAYS,
    request: HttpRequest | None = None,
) -> DisclosureRequest:
    """补正告知 (第三十条): once, within 7 working days of receipt, stating what to complete and by
    when; the clock stands until the completed request arrives."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.RECEIVED, S.PROCESSING)
    text = _text(text, "text", _("需要补正的事项"))
    if req.events.filter(kind=K.SUPPLEMENT_ASKED).exists():
        raise TongbanError("interaction.disclosure_supplement_once", _("补正告知只能发出一次（第三十条）。"))
    today = clock.today()
    st = dclock.compute(req, req.events.all(), today)
    if today > st.supplement_due_on:
        raise TongbanError(
            "interaction.disclosure_supplement_late",
            _("补正告知应在收到申请之日起 7 个工作日内发出（截至 %(date)s），已逾期。")
            % {"date": cn(st.supplement_due_on)},
        )
    if not 1 <= period <= 30:
        raise TongbanError(
            "interaction.disclosure_period", _("补正期限应为 1 到 30 个工作日。"), field="period"
        )
    reply_due = dclock.add_workdays(today, period)
    notice = _(
        "%(name)s：您于%(received)s提交的政府信息公开申请（编号%(code)s）内容不明确，请在%(due)s前补正：%(text)s。"
        "答复期限自本机关收到补正后的申请之日起计算；无正当理由逾期不补正的，视为放弃申请，本机关不再处理该申请。"
    ) % {
        "name": req.name,
        "received": cn(req.received_on),
        "code": req.tracking_code,
        "due": cn(reply_due),
        "text": text,
    }
    req.status = S.SUPPLEMENT
    req.handler = req.handler or actor
    req.save(update_fields=["status", "handler", "updated_at"])
    _event(
        req,
        K.SUPPLEMENT_ASKED,
        actor=actor,
        note=notice,
        data={"period": period, "text": text, "reply_due": reply_due.isoformat()},
    )
    _refresh(req)
    audit.record("interaction.disclosure_supplement_asked", actor=actor, request=request, obj=req)
    _sms(
        req,
        _("您的政府信息公开申请%(code)s需要补正，请在%(due)s前登录网站查询并补正。")
        % {"code": req.tracking_code, "due": cn(reply_due)},
    )
    return req


@transaction.atomic
def supplement(
    req: DisclosureRequest,
    *,
    text: str,
    uploads: Sequence[Upload] = (),
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> DisclosureRequest:
    """The completed request arrives: online by the applicant (``actor`` None — the caller has
    checked code + ID number or the account), on paper recorded by the officer. The answer period
    starts again from this day (第三十条)."""
    if actor is not None:
        _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.SUPPLEMENT)
    text = _text(text, "text", _("补正内容"))
    st = dclock.compute(req, req.events.all())
    today = clock.today()
    if st.supplement_reply_due and today > st.supplement_reply_due:
        raise TongbanError(
            "interaction.disclosure_supplement_expired",
            _("补正期限（%(date)s）已过。") % {"date": cn(st.supplement_reply_due)},
        )
    _attach(req, uploads, DisclosureFile.Role.SUPPLEMENT)
    req.status = S.PROCESSING
    req.save(update_fields=["status", "updated_at"])
    _event(req, K.SUPPLEMENTED, actor=actor, note=text, data={"by": "officer" if actor else "applicant"})
    _refresh(req)
    audit.record("interaction.disclosure_supplemented", actor=actor, request=request, obj=req)
    return req


@transaction.atomic
def start_consult(
    req: DisclosureRequest,
    *,
    actor: User,
    third_party: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> DisclosureRequest:
    """征求第三方意见 (第三十二条): the third party has 15 working days; the time is not counted."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.PROCESSING)
    third_party = _text(third_party, "third_party", _("第三方名称"), max_len=200)
    note = _text(note, "note", _("征求意见事项"), required=False)
    req.status = S.CONSULTING
    req.save(update_fields=["status", "updated_at"])
    due = dclock.add_workdays(clock.today(), dclock.CONSULT_WORKDAYS)
    _event(
        req, K.CONSULT_STARTED, actor=actor,
        note=_("书面征求%(party)s的意见，请其在%(due)s前提出意见；逾期未提出的，由本机关依法决定。%(note)s")
        % {"party": third_party, "due": cn(due), "note": note},
        data={"third_party": third_party},
    )  # fmt: skip
    _refresh(req)
    audit.record("interaction.disclosure_consult_started", actor=actor, request=request, obj=req)
    return req


@transaction.atomic
def end_consult(
    req: DisclosureRequest, *, actor: User, note: str, request: HttpRequest | None = None
) -> DisclosureRequest:
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.CONSULTING)
    note = _text(note, "note", _("第三方意见"))
    req.status = S.PROCESSING
    req.save(update_fields=["status", "updated_at"])
    _event(req, K.CONSULT_ENDED, actor=actor, note=note)
    _refresh(req)
    audit.record("interaction.disclosure_consult_ended", actor=actor, request=request, obj=req)
    return req


@transaction.atomic
def extend(
    req: DisclosureRequest, *, actor: User, days: int, reason: str, request: HttpRequest | None = None
) -> DisclosureRequest:
    """延长答复期限 (第三十三条第二款): once, at most 20 working days, with a reason, before the
    period runs out, and the applicant is told."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.RECEIVED, S.PROCESSING)
    reason = _text(reason, "reason", _("延期理由"), max_len=500)
    if req.events.filter(kind=K.EXTENDED).exists():
        raise TongbanError("interaction.disclosure_extend_once", _("答复期限只能延长一次（第三十三条）。"))
    if not isinstance(days, int) or not 1 <= days <= dclock.EXTENSION_MAX_WORKDAYS:
        raise TongbanError(
            "interaction.disclosure_extend_days", _("延长期限为 1 到 20 个工作日。"), field="days"
        )
    st = dclock.compute(req, req.events.all())
    today = clock.today()
    if st.due_on is not None and today > st.due_on:
        raise TongbanError(
            "interaction.disclosure_extend_late",
            _("答复期限（%(date)s）已过，不能再延长。") % {"date": cn(st.due_on)},
        )
    new_due = dclock.add_workdays(st.clock_start_on, st.limit_days + days + st.paused_days)
    notice = _(
        "%(name)s：因%(reason)s，本机关需要延长答复期限，您于%(received)s提交的政府信息公开申请（编号%(code)s）"
        "答复期限延长 %(days)d 个工作日，至%(due)s。"
    ) % {
        "name": req.name,
        "reason": reason,
        "received": cn(req.received_on),
        "code": req.tracking_code,
        "days": days,
        "due": cn(new_due),
    }
    _event(req, K.EXTENDED, actor=actor, note=notice, data={"days": days, "reason": reason})
    st = _refresh(req)
    audit.record("interaction.disclosure_extended", actor=actor, request=request, obj=req, new={"days": days})
    _sms(
        req,
        _("您的政府信息公开申请%(code)s答复期限延长至%(due)s。")
        % {"code": req.tracking_code, "due": cn(st.due_on)},
    )
    return req


def month_ordinal(req: DisclosureRequest) -> int:
    """This request's ordinal among its applicant's requests to any organ of the county received
    in the same natural month (按件计收)."""
    first = req.received_on.replace(day=1)
    same = DisclosureRequest.objects.filter(
        county_id=req.county_id,
        id_number=req.id_number,
        received_on__gte=first,
        received_on__lte=req.received_on,
    )
    earlier = (
        same.filter(received_on__lt=req.received_on).count()
        + same.filter(received_on=req.received_on, pk__lte=req.pk).count()
    )
    return max(1, earlier)


@transaction.atomic
def fee_notice(
    req: DisclosureRequest,
    *,
    actor: User,
    method: str,
    count: int | None = None,
    request: HttpRequest | None = None,
) -> DisclosureRequest:
    """收费通知 (国办函〔2020〕109号): one method per request, the amount from
    :func:`disclosure_fees.fee_for`; the clock stands until payment."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.PROCESSING)
    if req.fee_method:
        raise TongbanError("interaction.disclosure_fee_once", _("每件申请只能选择一种计费方式并通知一次。"))
    if method == "request" and count is None:
        count = month_ordinal(req)
    if count is None:
        raise TongbanError("interaction.disclosure_fee_count", _("请填写页数。"), field="fee_count")
    amount = disclosure_fees.fee_for(method, count)
    if amount <= 0:
        raise TongbanError(
            "interaction.disclosure_fee_free",
            _("按此计费方式本申请免费，不需要发出收费通知。"),
            field="fee_count",
        )
    due = dclock.add_workdays(clock.today(), dclock.FEE_PAY_WORKDAYS)
    label = dict(disclosure_fees.METHODS)[method]
    notice = _(
        "%(name)s：依照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），您的申请（编号%(code)s）"
        "按%(method)s（%(what)s %(count)d）收取信息处理费 %(amount)s 元，请在%(due)s前缴纳。"
        "缴费前的时间不计入答复期限；逾期未缴纳的，视为放弃申请，本机关不再处理该申请。"
    ) % {
        "name": req.name, "code": req.tracking_code, "method": label,
        "what": _("本月第几件") if method == "request" else _("页数"), "count": count, "amount": amount, "due": cn(due),
    }  # fmt: skip
    req.fee_method = method
    req.fee_pages = count if method == "page" else None
    req.fee_amount = amount
    req.status = S.FEE_PENDING
    req.save(update_fields=["fee_method", "fee_pages", "fee_amount", "status", "updated_at"])
    _event(
        req,
        K.FEE_NOTICE,
        actor=actor,
        note=notice,
        data={"method": method, "count": count, "amount": str(amount)},
    )
    _refresh(req)
    audit.record(
        "interaction.disclosure_fee_notice",
        actor=actor,
        request=request,
        obj=req,
        new={"amount": str(amount)},
    )
    _sms(
        req,
        _("您的政府信息公开申请%(code)s需缴纳信息处理费%(amount)s元，请在%(due)s前缴纳。")
        % {"code": req.tracking_code, "amount": amount, "due": cn(due)},
    )
    return req


@transaction.atomic
def fee_paid(
    req: DisclosureRequest, *, actor: User, note: str = "", request: HttpRequest | None = None
) -> DisclosureRequest:
    """The officer records the (offline) payment; the clock runs again from the next working day."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.FEE_PENDING)
    note = _text(note, "note", _("缴费说明"), required=False, max_len=500)
    req.fee_paid_at = clock.now()
    req.status = S.PROCESSING
    req.save(update_fields=["fee_paid_at", "status", "updated_at"])
    _event(
        req,
        K.FEE_PAID,
        actor=actor,
        note=note or _("已缴纳信息处理费 %(amount)s 元。") % {"amount": req.fee_amount},
    )
    _refresh(req)
    audit.record("interaction.disclosure_fee_paid", actor=actor, request=request, obj=req)
    return req


def reason_choices(outcome: str) -> list[tuple[str, str]]:
    return [(k, str(label)) for k, label in REASONS.get(outcome, [])]


@transaction.atomic
def answer(
    req: DisclosureRequest,
    *,
    actor: User,
    outcome: str,
    reason: str = "",
    text: str,
    uploads: Sequence[Upload] = (),
    request: HttpRequest | None = None,
) -> DisclosureRequest:
    """答复 (第三十三条, 第三十五条–第三十九条): the outcome and, for 不予公开 / 无法提供 / 不予处理 /
    其他处理, its reason (the rows of 国办公开办函〔2021〕30号)."""
    _require_officer(actor, req)
    req = _locked(req)
    _need(req, S.RECEIVED, S.PROCESSING)
    if outcome not in Outcome.values:
        raise TongbanError("interaction.disclosure_outcome", _("请选择处理结果。"), field="outcome")
    valid = [k for k, _l in reason_choices(outcome)]
    if valid and reason not in valid:
        raise TongbanError("interaction.disclosure_reason", _("请选择具体情形。"), field="reason")
    if not valid:
        reason = ""
    text = _text(text, "text", _("答复内容"), max_len=10000)
    _attach(req, uploads, DisclosureFile.Role.ANSWER)
    today = clock.today()
    req.status = S.ANSWERED
    req.outcome, req.outcome_reason, req.answer, req.answered_on = outcome, reason, text, today
    req.handler = req.handler or actor
    req.save(
        update_fields=[
            "status",
            "outcome",
            "outcome_reason",
            "answer",
            "answered_on",
            "handler",
            "updated_at",
        ]
    )
    _event(req, K.ANSWERED, actor=actor, on=today, note=text, data={"outcome": outcome, "reason": reason})
    _refresh(req)
    audit.record(
        "interaction.disclosure_answered",
        actor=actor,
        request=request,
        obj=req,
        new={"outcome": outcome, "reason": reason},
    )
    _sms(
        req,
        _("您的政府信息公开申请%(code)s已于%(date)s答复，请登录网站查询。")
        % {"code": req.tracking_code, "date": cn(today)},
    )
    return req


def _close(req: DisclosureRequest, kind: str, reason: str, note: str, actor: User | None, on: date) -> None:
    req.status = S.CLOSED
    req.outcome, req.outcome_reason, req.answered_on = Outcome.OTHER, reason, on
    req.save(update_fields=["status", "outcome", "outcome_reason", "answered_on", "updated_at"])
    _event(req, kind, actor=actor, on=on, note=note, data={"outcome": "other", "reason": reason})
    _refresh(req)


@transaction.atomic
def withdraw(
    req: DisclosureRequest, *, note: str = "", actor: User | None = None, request: HttpRequest | None = None
) -> DisclosureRequest:
    """The applicant withdraws (online; or the officer records a written withdrawal): 其他处理 / 其他."""
    if actor is not None:
        _require_officer(actor, req)
    req = _locked(req)
    _need(req, *OPEN)
    note = _text(note, "note", _("撤回说明"), required=False, max_len=500)
    _close(req, K.WITHDRAWN, "other", note or _("申请人撤回申请。"), actor, clock.today())
    audit.record("interaction.disclosure_withdrawn", actor=actor, request=request, obj=req)
    return req


def lapse_due(today: date | None = None) -> tuple[int, int]:
    """Close the requests whose 补正 or fee period has passed (其他处理: 逾期不补正 / 逾期未缴费).
    Returns (supplement lapses, fee lapses)."""
    today = today or clock.today()
    n_sup = n_fee = 0
    for req in DisclosureRequest.objects.filter(status__in=(S.SUPPLEMENT, S.FEE_PENDING)).prefetch_related(
        "events"
    ):
        st = dclock.compute(req, req.events.all(), today)
        with transaction.atomic():
            locked = _locked(req)
            if locked.status == S.SUPPLEMENT and st.supplement_reply_due and today > st.supplement_reply_due:
                _close(locked, K.SUPPLEMENT_LAPSED, "no_supplement",
                       _("申请人逾期未补正（补正期限%(date)s），不再处理该申请。") % {"date": cn(st.supplement_reply_due)}, None, today)  # fmt: skip
                n_sup += 1
            elif locked.status == S.FEE_PENDING and st.fee_pay_due and today > st.fee_pay_due:
                _close(locked, K.FEE_LAPSED, "fee_unpaid",
                       _("申请人逾期未缴纳信息处理费（缴费期限%(date)s），不再处理该申请。") % {"date": cn(st.fee_pay_due)}, None, today)  # fmt: skip
                n_fee += 1
    return n_sup, n_fee


def applicant_matches(req: DisclosureRequest, id_number: str) -> bool:
    given = public_rules.normalize_id_number(id_number)
    return bool(given) and secrets.compare_digest(given.encode(), req.id_number.upper().encode())


def iter_uploads(items: Iterable[Any]) -> list[Upload]:
    """Django UploadedFile objects → :class:`Upload`."""
    return [Upload(file=f, name=f.name) for f in items if f]


FEE_ZERO = Decimal("0.00")
