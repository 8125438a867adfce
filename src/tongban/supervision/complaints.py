"""Complaints (投诉, rules.md §4 "complaints channel"; issue #4): the only writers of
:class:`~tongban.supervision.models.Complaint`.

- The public files a complaint on the web (no login needed; a logged-in public account is
  linked), about a case (by its 受理编号, checked against the applicant's name or phone so nobody
  can attach a complaint to a stranger's case or probe numbers) or about a department. Staff of
  the supervision office enter complaints received by phone, letter or visit.
- Every complaint goes to the supervision office, due ``add_workdays(received, complaint_days)``
  (SupervisionPolicy, default 10 working days [local]).
- The supervisor may forward it to the unit concerned for a statement (status 已转办); the unit's
  head answers with a statement; the supervisor answers the complainant (属实 or not + answer),
  who reads it by number + phone or on their account, and gets an SMS (on commit, via a task).
- Every staff action is audited; anonymous submissions are rate-limited.

The business data of each step lives in the complaint's own columns (``assigned_*`` and
``assign_note``, ``statement`` and ``stated_*``, ``answer*``, ``sms_sent_at``); the audit log is
the security record of who did what and is never read back for display or decisions."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.approvals import numbering
from tongban.approvals.models import Case
from tongban.core import audit
from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import PublicAccount
from tongban.notify.services import notify
from tongban.orgs.models import County, Unit
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import Complaint, ComplaintChannel, ComplaintStatus

MAX_NAME = 64
MAX_SUBJECT = 200
MAX_TEXT = 5000
MAX_ANSWER = 5000
# Anonymous web complaints: at most this many from one client address an hour, and from one phone
# number a day (a logged-in account is identified and not limited this way).
RATE_PER_IP_HOUR = 5
RATE_PER_PHONE_DAY = 3
LOOKUP_FAILURES_PER_HOUR = 20
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
STAFF_CHANNELS = (ComplaintChannel.PHONE, ComplaintChannel.LETTER, ComplaintChannel.VISIT)


# --- input -------------------------------------------------------------------------------------
def _clean_text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise TongbanError(
            f"supervision.{field}_required", _("请填写%(label)s。") % {"label": label}, field=field
        )
    if len(value) > limit:
        raise TongbanError(
            f"supervision.{field}_too_long",
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit},
            field=field,
        )
    return value


def clean_phone(phone: str) -> str:
    phone = re.sub(r"\s", "", phone or "")
    if not _PHONE.match(phone):
        raise TongbanError(
            "supervision.bad_phone", _("请填写正确的手机号码或固定电话（如 0570-1234567）。"), field="phone"
        )
    return phone


def _target(
    *,
    tracking_no: str,
    unit_id: int | None,
    name: str,
    phone: str,
    account: PublicAccount | None,
    check: bool,
) -> tuple[County, Case | None, Unit]:
    """The complaint's case and unit. A case is found by its 受理编号; on the public side it must
    be the account's own case or match the applicant's name or phone (the same rule as the
    progress lookup), and a mismatch reads exactly like a wrong number."""
    tracking_no = (tracking_no or "").strip().upper()
    if tracking_no:
        case = Case.objects.select_related("unit", "county").filter(tracking_no=tracking_no).first()
        ok = case is not None and (
            not check
            or (account is not None and case.account_id == account.pk)
            or case.applicant_phone == phone
            or case.applicant_name == name
        )
        if not ok or case is None:
            raise TongbanError(
                "supervision.case_not_matched",
                _("未找到该受理编号的办件，或受理编号与投诉人姓名、电话不符。"),
                field="tracking_no",
            )
        return case.county, case, case.unit
    if not unit_id:
        raise TongbanError(
            "supervision.target_required", _("请填写所投诉办件的受理编号，或选择被投诉的部门。"), field="unit"
        )
    unit = Unit.objects.select_related("county").filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise TongbanError("supervision.bad_unit", _("所选部门不存在。"), field="unit")
    return unit.county, None, unit


def _number(county: County, on: date) -> str:
    """投诉编号: TS + county code + date + a 4-digit serial of the county's day (gapless, locked)."""
    serial = numbering.next_serial(county, f"complaint:{on:%Y%m%d}")
    return f"TS{county.code}{on:%Y%m%d}{serial:04d}"


def due_date(received_on: date) -> date:
    """The answer is due ``SupervisionPolicy.complaint_days`` working days after receipt [local]."""
    return workcal.add_workdays(received_on, sel.policy().complaint_days)


def _create(
    *,
    county: County,
    channel: str,
    case: Case | None,
    unit: Unit,
    account: PublicAccount | None,
    name: str,
    phone: str,
    subject: str,
    text: str,
    received_at: datetime,
    entered_by: Any = None,
) -> Complaint:
    received_on = timezone.localdate(received_at)
    return Complaint.objects.create(
        county=county,
        number=_number(county, received_on),
        channel=channel,
        case=case,
        unit=unit,
        account=account,
        name=name,
        phone=phone,
        subject=subject,
        text=text,
        received_at=received_at,
        due_on=due_date(received_on),
        entered_by=entered_by,
    )


def _clean_person(name: str, phone: str, subject: str, text: str) -> tuple[str, str, str, str]:
    name = _clean_text(name, field="name", label=_("投诉人姓名"), limit=MAX_NAME)
    phone = clean_phone(phone)
    subject = _clean_text(subject, field="subject", label=_("投诉主题"), limit=MAX_SUBJECT)
    text = _clean_text(text, field="text", label=_("投诉内容"), limit=MAX_TEXT)
    return name, phone, subject, text


# --- rate limits -------------------------------------------------------------------------------
def _hit(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _over(key: str, limit: int) -> bool:
    return int(cache.get(key) or 0) >= limit


def lookup_blocked(client_ip: str | None) -> bool:
    """Whether the address failed the public lookup too often this hour (no guessing numbers)."""
    return _over(f"tb:complaint:lookup:{client_ip or '-'}", LOOKUP_FAILURES_PER_HOUR)


def lookup_failed(client_ip: str | None) -> None:
    _hit(f"tb:complaint:lookup:{client_ip or '-'}", 3600)


def _rate_refused() -> TongbanError:
    return TongbanError(
        "supervision.complaint_rate_limited",
        _("提交过于频繁，请稍后再试；情况紧急的请拨打 12345 热线。"),
    )


# --- services ----------------------------------------------------------------------------------
def complaint_file(
    *,
    name: str,
    phone: str,
    subject: str,
    text: str,
    tracking_no: str = "",
    unit_id: int | None = None,
    account: PublicAccount | None = None,
    client_ip: str | None = None,
    limited: bool = True,
) -> Complaint:
    """A complaint from the public on the web (no login needed). A logged-in account is linked and
    sees the answer on its pages. Anonymous submissions: ≤ 5 an hour from one address and ≤ 3 a day
    from one phone number; a wrong 受理编号 counts against the address too (no probing).
    ``limited=False`` is for the demo data only (not a web request)."""
    name, phone, subject, text = _clean_person(name, phone, subject, text)
    ip_key = f"tb:complaint:ip:{client_ip or '-'}"
    limited = limited and account is None
    if limited:
        if _over(ip_key, RATE_PER_IP_HOUR):
            raise _rate_refused()
        since = tclock.now() - timedelta(days=1)
        recent = Complaint.objects.filter(
            channel=ComplaintChannel.WEB, account__isnull=True, phone=phone, received_at__gte=since
        ).count()
        if recent >= RATE_PER_PHONE_DAY:
            raise _rate_refused()
    try:
        county, case, unit = _target(
            tracking_no=tracking_no, unit_id=unit_id, name=name, phone=phone, account=account, check=True
        )
    except TongbanError:
        if limited:
            _hit(ip_key, 3600)
        raise
    with transaction.atomic():
        complaint = _create(
            county=county,
            channel=ComplaintChannel.WEB,
            case=case,
            unit=unit,
            account=account,
            name=name,
            phone=phone,
            subject=subject,
            text=text,
            received_at=tclock.now(),
        )
        _tell_supervisors(complaint, _("收到网上投诉：%(s)s") % {"s": complaint.subject})
    if limited:
        _hit(ip_key, 3600)
    return complaint


def complaint_enter(
    *,
    actor: Any,
    channel: str,
    name: str,
    phone: str,
    subject: str,
    text: str,
    tracking_no: str = "",
    unit_id: int | None = None,
    received_on: date | None = None,
    request: Any = None,
) -> Complaint:
    """A complaint received by phone, letter or visit, entered by a supervisor. ``received_on``
    (default today) may not be in the future; the answer is due from that day."""
    sel.require_supervisor(actor)
    if channel not in STAFF_CHANNELS:
        raise TongbanError(
            "supervision.bad_channel", _("请选择投诉渠道：电话、信件或来访。"), field="channel"
        )
    name, phone, subject, text = _clean_person(name, phone, subject, text)
    today = tclock.today()
    if received_on is None or received_on == today:
        received_at = tclock.now()
    elif received_on > today:
        raise TongbanError("supervision.future_date", _("收到日期不能晚于今天。"), field="received_on")
    else:
        received_at = timezone.make_aware(datetime.combine(received_on, time(9, 0)))
    county = sel.county_of(actor)
    with transaction.atomic():
        c_county, case, unit = _target(
            tracking_no=tracking_no, unit_id=unit_id, name=name, phone=phone, account=None, check=False
        )
        if c_county.pk != county.pk:
            raise TongbanError("supervision.bad_unit", _("所选部门不存在。"), field="unit")
        complaint = _create(
            county=county,
            channel=channel,
            case=case,
            unit=unit,
            account=None,
            name=name,
            phone=phone,
            subject=subject,
            text=text,
            received_at=received_at,
            entered_by=actor,
        )
        audit.record(
            "supervision.complaint_entered",
            actor=actor,
            request=request,
            obj=complaint,
            new={"number": complaint.number, "channel": channel, "unit": unit.pk, "due_on": complaint.due_on},
        )
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("unit", "county")
        .get(pk=complaint.pk)
    )


def complaint_forward(
    *, complaint: Complaint, actor: Any, unit_id: int | None = None, note: str = "", request: Any = None
) -> Complaint:
    """Forward (转办) the complaint to the unit concerned for a statement: status 已转办; the unit's
    heads are told. Only a supervisor, only before it is answered."""
    sel.require_supervisor(actor)
    note = _clean_text(note, field="note", label=_("转办意见"), limit=MAX_TEXT)
    with transaction.atomic():
        c = _locked(complaint)
        if c.status == ComplaintStatus.ANSWERED:
            raise TongbanError("supervision.complaint_answered", _("投诉已答复，不能再转办。"))
        unit = c.unit
        if unit_id:
            unit = Unit.objects.filter(pk=unit_id, county_id=c.county_id, is_active=True).first()
        if unit is None:
            raise TongbanError("supervision.bad_unit", _("请选择转办单位。"), field="unit")
        old = {"status": c.status, "unit": c.unit_id, "note": c.assign_note}
        c.status, c.unit = ComplaintStatus.ASSIGNED, unit
        c.assigned_at, c.assigned_by, c.assign_note = tclock.now(), actor, note
        c.save(update_fields=["status", "unit", "assigned_at", "assigned_by", "assign_note"])
        audit.record(
            "supervision.complaint_forwarded",
            actor=actor,
            request=request,
            obj=c,
            old=old,
            new={"status": c.status, "unit": unit.pk, "unit_name": unit.name, "note": note},
        )
        heads = sel.unit_heads(unit)
        url = reverse("supervision:complaint", args=[c.pk])
        notify(
            users=heads,
            event="supervision.complaint_assigned",
            title=_("投诉转办：%(s)s") % {"s": c.subject},
            body=_("请于 %(d)s 前说明情况。投诉编号 %(n)s。") % {"d": f"{c.due_on:%Y-%m-%d}", "n": c.number},
            url=url,
            dedupe_key=f"complaint:{c.pk}:{unit.pk}",
            actor=actor,
        )
    return c


def can_state(user: Any, complaint: Complaint) -> bool:
    return complaint.status == ComplaintStatus.ASSIGNED and complaint.unit_id in sel.led_unit_ids(user)


def complaint_state(*, complaint: Complaint, actor: Any, statement: str, request: Any = None) -> Complaint:
    """The unit head's statement (情况说明) on a complaint forwarded to the unit; the supervisors
    are told. While the complaint is 已转办 a later statement replaces the earlier one on the
    complaint (each one stays in the audit log)."""
    statement = _clean_text(statement, field="statement", label=_("情况说明"), limit=MAX_TEXT)
    with transaction.atomic():
        c = _locked(complaint)
        if c.unit_id not in sel.led_unit_ids(actor):
            raise PermissionDenied("supervision.not_unit_head", _("只有被投诉单位的单位领导可以说明情况。"))
        if c.status != ComplaintStatus.ASSIGNED:
            raise TongbanError(
                "supervision.complaint_not_assigned", _("投诉未转办本单位或已答复，不能再说明情况。")
            )
        old = {"statement": c.statement} if c.statement else None
        c.statement, c.stated_at, c.stated_by = statement, tclock.now(), actor
        c.save(update_fields=["statement", "stated_at", "stated_by"])
        rec = audit.record(
            "supervision.complaint_stated",
            actor=actor,
            request=request,
            obj=c,
            unit_id=c.unit_id,
            old=old,
            new={"statement": statement, "unit": c.unit_id, "unit_name": c.unit.name if c.unit else ""},
        )
        notify(
            users=sel.supervisors_of(c.county),
            event="supervision.complaint_stated",
            title=_("单位已说明情况：%(s)s") % {"s": c.subject},
            body=_("投诉编号 %(n)s。") % {"n": c.number},
            url=reverse("supervision:complaint", args=[c.pk]),
            dedupe_key=f"complaint-stated:{rec.pk}",
            actor=actor,
        )
    return c


def complaint_answer(
    *, complaint: Complaint, actor: Any, upheld: bool | None, answer: str, request: Any = None
) -> Complaint:
    """The supervisor's answer (属实 yes/no + the answer). The complainant reads it by number +
    phone and on their account; an SMS tells them (on commit, through a task)."""
    sel.require_supervisor(actor)
    if upheld is None:
        raise TongbanError("supervision.upheld_required", _("请选择投诉是否属实。"), field="upheld")
    answer = _clean_text(answer, field="answer", label=_("答复意见"), limit=MAX_ANSWER)
    with transaction.atomic():
        c = _locked(complaint)
        if c.county_id != sel.county_of(actor).pk:
            raise PermissionDenied("supervision.not_supervisor", _("只有监察员可以进行此操作。"))
        if c.status == ComplaintStatus.ANSWERED:
            raise TongbanError("supervision.complaint_answered", _("投诉已答复。"))
        old = {"status": c.status}
        c.status, c.upheld, c.answer = ComplaintStatus.ANSWERED, bool(upheld), answer
        c.answered_at, c.answered_by = tclock.now(), actor
        c.save(update_fields=["status", "upheld", "answer", "answered_at", "answered_by"])
        audit.record(
            "supervision.complaint_answered",
            actor=actor,
            request=request,
            obj=c,
            old=old,
            new={
                "status": c.status,
                "upheld": c.upheld,
                "late": timezone.localdate(c.answered_at) > c.due_on,
            },
        )
        pk = c.pk
        transaction.on_commit(lambda: _enqueue_sms(pk))
    return c


def _enqueue_sms(pk: int) -> None:
    from tongban.supervision.tasks_feedback import complaint_answer_sms

    complaint_answer_sms.enqueue(pk)


def answer_sms_text(c: Complaint) -> str:
    return _(
        "【%(sig)s】您的投诉（编号 %(n)s）已答复，请凭投诉编号和联系电话在网上办事大厅“投诉”栏目查询。"
    ) % {
        "sig": settings.TONGBAN_SMS_SIGNATURE,
        "n": c.number,
    }


def complaint_send_answer_sms(*, complaint_id: int) -> str:
    """Send the "answered" SMS once. The complaint row is locked and ``sms_sent_at`` set in the
    same transaction, so two runs of the task (a retry, two workers) send it once: the second
    waits for the lock, then sees ``sms_sent_at`` and skips. The sending is audited."""
    from tongban.notify import sms

    with transaction.atomic():
        c = (
            Complaint.objects.select_for_update()
            .filter(pk=complaint_id, status=ComplaintStatus.ANSWERED, sms_sent_at__isnull=True)
            .first()
        )
        if c is None:
            return "skipped"
        message_id = sms.get_backend().send(c.phone, answer_sms_text(c))
        c.sms_sent_at = tclock.now()
        c.save(update_fields=["sms_sent_at"])
        audit.record(
            "supervision.complaint_sms_sent",
            obj=c,
            actor_name="system",
            new={"to": c.phone, "id": message_id, "at": c.sms_sent_at},
        )
    return "sent"


def _tell_supervisors(c: Complaint, title: str) -> None:
    notify(
        users=sel.supervisors_of(c.county),
        event="supervision.complaint_received",
        title=title,
        body=_("投诉编号 %(n)s，答复期限 %(d)s。") % {"n": c.number, "d": f"{c.due_on:%Y-%m-%d}"},
        url=reverse("supervision:complaint", args=[c.pk]),
        dedupe_key=f"complaint:{c.pk}",
    )
