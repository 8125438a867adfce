"""Sign-in (签到) and the attendance report (出勤统计) of a meeting.

**Signing in.** The venue screen shows a QR code (:func:`signin_url`): the address of the phone
page with a token, an HMAC of the meeting's id keyed with the meeting's ``signin_key`` and the
server's ``SECRET_KEY``. Rotating the key (:func:`rotate_key`) voids every code printed or shown
before. A person scans it, logs in and signs in (:func:`sign_in_qr`) from 60 minutes before the
start until the end. The organisers can sign someone in at the console
(:func:`sign_in_by_organiser`) and undo a sign-in with a reason (:func:`undo_sign_in`); the video
part signs in whoever joins the room (:func:`sign_in_video`).

**Walk-ins.** A person who is not on the list but holds a post in an invited unit (a substitute
for a colleague on leave, 替会) may sign in by QR: an attendee is created for them under their
unit's invitation as long as the unit's seats (名额) are not all taken by people who are not on
leave; otherwise they are sent to the organisers. Nobody outside the invited units and named
people may sign in.

**Statuses** (:func:`status_of`): signed in by ``starts_at + late_after_minutes`` → present (到会);
later → late (迟到); on leave (请假, with a reason, from the 回执 or :func:`mark_leave`) → leave; not
signed in once the meeting has ended → absent (缺席); before that → expected (待签到). A person on
leave who comes after all and signs in counts as present/late: the sign-in wins. Venue terminals
(会场终端) are not people: they are listed as venues, online or not.

**Report** (:func:`report`): one row per unit in the county's order (invited units, plus the units
of named people — a person named without a unit is counted under their primary post's unit),
with 应到 (expected), 到会, 迟到, 请假 (names and reasons), 缺席 (names); totals and the rate
实到 ÷ 应到 (present + late over every person on the list, leave included)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.meetings import access
from tongban.meetings.events import record as _event
from tongban.meetings.models import (
    Attendee,
    AttendeeRole,
    Invitation,
    Meeting,
    MeetingStatus,
    Reply,
    SignMethod,
)
from tongban.orgs.models import Post, Unit

OPENS_BEFORE = timedelta(minutes=60)  # the QR sign-in opens an hour before the start
MAX_REASON = 200

PRESENT = "present"
LATE = "late"
LEAVE = "leave"
ABSENT = "absent"
EXPECTED = "expected"
STATUS_LABELS = {
    PRESENT: "到会",
    LATE: "迟到",
    LEAVE: "请假",
    ABSENT: "缺席",
    EXPECTED: "待签到",
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


# --- the QR code's link ----------------------------------------------------------------------------
def _ensure_key(meeting: Meeting) -> str:
    if not meeting.signin_key:
        key = secrets.token_urlsafe(24)
        # only the first caller sets it; the others read what won
        Meeting.objects.filter(pk=meeting.pk, signin_key="").update(signin_key=key)
        meeting.signin_key = Meeting.objects.values_list("signin_key", flat=True).get(pk=meeting.pk)
    return meeting.signin_key


def signin_token(meeting: Meeting) -> str:
    """The token of the meeting's current QR code (22 URL-safe characters)."""
    key = (settings.SECRET_KEY + ":" + _ensure_key(meeting)).encode()
    mac = hmac.new(key, f"tongban.meetings.signin:{meeting.pk}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def token_valid(meeting: Meeting, token: str) -> bool:
    if not meeting.signin_key or not token or len(token) > 64:
        return False
    return hmac.compare_digest(signin_token(meeting), str(token))


def signin_path(meeting: Meeting) -> str:
    return reverse("meetings_attendance:signin", kwargs={"pk": meeting.pk, "token": signin_token(meeting)})


def signin_url(meeting: Meeting) -> str:
    """The absolute address the QR code carries."""
    return settings.TONGBAN_BASE_URL + signin_path(meeting)


def rotate_key(meeting: Meeting, actor: Any) -> str:
    """A new signing key: every QR code shown or printed before stops working. Returns the new URL."""
    access.require_manage(actor, meeting)
    with transaction.atomic():
        meeting.signin_key = secrets.token_urlsafe(24)
        Meeting.objects.filter(pk=meeting.pk).update(signin_key=meeting.signin_key)
        audit.record("meetings.signin_key_rotated", actor=actor, obj=meeting, message=_("更换签到码"))
        _event(meeting, "updated", actor=actor, changed=["signin_key"])
    return signin_url(meeting)


# --- times -------------------------------------------------------------------------------------------
def hm(at: datetime, now: datetime | None = None) -> str:
    """'08:30', or '11月30日 08:30' when the day is not today."""
    local = timezone.localtime(at)
    today = timezone.localtime(now or timezone.now()).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return _("%(m)d月%(d)d日 %(hm)s") % {"m": local.month, "d": local.day, "hm": local.strftime("%H:%M")}


def opens_at(meeting: Meeting) -> datetime:
    return meeting.starts_at - OPENS_BEFORE


def late_after(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.late_after_minutes)


def has_ended(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.status == MeetingStatus.ENDED or (now or timezone.now()) >= meeting.ends_at


def _check_open(meeting: Meeting, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise TongbanError("meetings.cancelled", _("会议已取消，无需签到。"))
    if meeting.status == MeetingStatus.DRAFT:
        raise TongbanError("meetings.not_notified", _("会议尚未发出通知，暂不能签到。"))
    if now < opens_at(meeting):
        raise TongbanError(
            "meetings.signin_not_open",
            _("签到尚未开始，请于 %(at)s 后扫码。") % {"at": hm(opens_at(meeting), now)},
        )
    if has_ended(meeting, now):
        raise TongbanError("meetings.signin_closed", _("会议已结束，签到已关闭。"))


# --- statuses ---------------------------------------------------------------------------------------
def status_of(attendee: Attendee, meeting: Meeting, now: datetime | None = None) -> str:
    if attendee.signed_in_at is not None:
        return PRESENT if attendee.signed_in_at <= late_after(meeting) else LATE
    if attendee.reply == Reply.LEAVE:
        return LEAVE
    if has_ended(meeting, now):
        return ABSENT
    return EXPECTED


# --- signing in ------------------------------------------------------------------------------------
@dataclass
class SignInResult:
    attendee: Attendee
    already: bool  # signed in before this scan: nothing changed
    at: datetime
    status: str
    message: str


def _result(meeting: Meeting, attendee: Attendee, already: bool) -> SignInResult:
    assert attendee.signed_in_at is not None
    at = attendee.signed_in_at
    status = status_of(attendee, meeting)
    if already:
        message = _("您已于 %(at)s 签到。") % {"at": hm(at)}
    elif status == LATE:
        message = _("签到成功（%(at)s），已超过签到时间，记为迟到。") % {"at": hm(at)}
    else:
        message = _("签到成功（%(at)s）。") % {"at": hm(at)}
    return SignInResult(attendee=attendee, already=already, at=at, status=status, message=message)


def _walk_in_invitation(meeting: Meeting, user: Any) -> Invitation:
    """The invitation of an invited unit where ``user`` holds a post (primary post first), with a
    free seat; else PermissionDenied."""
    posts = list(
        Post.objects.filter(user=user, unit__in=Invitation.objects.filter(meeting=meeting).values("unit_id"))
        .order_by("-is_primary", "sort", "id")
        .values_list("unit_id", flat=True)
    )
    if not posts:
        raise PermissionDenied("meetings.not_invited", _("您不在本次会议的参会名单中，请联系会务人员。"))
    inv = (
        Invitation.objects.select_for_update(of=("self",))
        .order_by("pk")
        .get(meeting=meeting, unit_id=posts[0])
    )
    taken = Attendee.objects.filter(meeting=meeting, invitation=inv).exclude(reply=Reply.LEAVE).count()
    if taken >= inv.seats:
        raise PermissionDenied(
            "meetings.no_seat",
            _("%(unit)s的参会名额（%(n)d 人）已满，请联系会务人员签到。")
            % {"unit": inv.unit.name, "n": inv.seats},
        )
    return inv


def check_qr(*, meeting: Meeting, user: Any, token: str, now: datetime | None = None) -> Attendee | None:
    """Every check of :func:`sign_in_qr` without writing: the attendee (None for a walk-in who may
    sign in). Raises TongbanError with the reason to show."""
    now = now or timezone.now()
    if not token_valid(meeting, token):
        raise TongbanError("meetings.bad_signin_token", _("签到码无效或已更换，请扫描会场现场的签到码。"))
    attendee = Attendee.objects.filter(meeting=meeting, user=user).first()
    if attendee is not None and attendee.signed_in_at is not None:
        return attendee  # a second scan answers "already signed in", even after the end
    _check_open(meeting, now)
    if attendee is None:
        with transaction.atomic():
            _walk_in_invitation(meeting, user)
        return None
    if attendee.role == AttendeeRole.TERMINAL:
        raise TongbanError("meetings.terminal_no_signin", _("会场终端账号无需签到。"))
    return attendee


def sign_in_qr(*, meeting: Meeting, user: Any, token: str) -> SignInResult:
    """The scanning user signs in. A second scan changes nothing and says when they signed in."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("meetings.login_required", _("请先登录再签到。"))
    now = timezone.now()
    check_qr(meeting=meeting, user=user, token=token, now=now)
    with transaction.atomic():
        attendee = (
            Attendee.objects.select_for_update(of=("self",))
            .filter(meeting=meeting, user=user)
            .order_by("pk")
            .first()
        )
        if attendee is not None and attendee.signed_in_at is not None:
            return _result(meeting, attendee, already=True)
        if attendee is None:
            inv = _walk_in_invitation(meeting, user)
            attendee = Attendee.objects.create(
                meeting=meeting, user=user, unit=inv.unit, invitation=inv, reply=Reply.ATTEND
            )
            _event(
                meeting,
                "invitation_confirmed",
                actor=user,
                attendee=attendee,
                walk_in=True,
                unit=inv.unit.name,
            )
        attendee.signed_in_at = now
        attendee.sign_method = SignMethod.QR
        attendee.signed_in_by = None
        attendee.save(update_fields=["signed_in_at", "sign_method", "signed_in_by"])
        _event(meeting, "signed_in", actor=user, attendee=attendee, method=SignMethod.QR)
    return _result(meeting, attendee, already=False)


def _own_attendee(meeting: Meeting, attendee: Attendee) -> Attendee:
    locked = (
        Attendee.objects.select_for_update(of=("self",))
        .filter(pk=attendee.pk, meeting=meeting)
        .order_by("pk")
        .first()
    )
    if locked is None:
        raise NotFound("meetings.attendee_not_found", _("参会人员不存在。"))
    if locked.role == AttendeeRole.TERMINAL:
        raise TongbanError("meetings.terminal_no_signin", _("会场终端账号无需签到。"))
    return locked


def sign_in_by_organiser(*, meeting: Meeting, attendee: Attendee, actor: Any) -> Attendee:
    """会务代签: from the time the QR sign-in opens, also after the end (补签, counted by its time)."""
    access.require_manage(actor, meeting)
    now = timezone.now()
    if meeting.status == MeetingStatus.CANCELLED:
        raise TongbanError("meetings.cancelled", _("会议已取消，无需签到。"))
    if now < opens_at(meeting):
        raise TongbanError(
            "meetings.signin_not_open",
            _("签到尚未开始，%(at)s 起可以签到。") % {"at": hm(opens_at(meeting), now)},
        )
    with transaction.atomic():
        a = _own_attendee(meeting, attendee)
        if a.signed_in_at is not None:
            raise TongbanError(
                "meetings.already_signed_in",
                _("%(name)s 已于 %(at)s 签到。") % {"name": person_name(a), "at": hm(a.signed_in_at)},
            )
        a.signed_in_at = now
        a.sign_method = SignMethod.ORGANISER
        a.signed_in_by = actor
        a.save(update_fields=["signed_in_at", "sign_method", "signed_in_by"])
        _event(meeting, "signed_in", actor=actor, attendee=a, method=SignMethod.ORGANISER)
    return a


def undo_sign_in(*, meeting: Meeting, attendee: Attendee, actor: Any, reason: str) -> Attendee:
    """Clear a sign-in made by mistake (the event keeps who, when and why)."""
    access.require_manage(actor, meeting)
    reason = _clean_reason(reason, _("请填写撤销签到的原因。"))
    with transaction.atomic():
        a = _own_attendee(meeting, attendee)
        if a.signed_in_at is None:
            raise TongbanError("meetings.not_signed_in", _("%(name)s 尚未签到。") % {"name": person_name(a)})
        before = {"signed_in_at": a.signed_in_at.isoformat(), "method": a.sign_method}
        a.signed_in_at = None
        a.sign_method = ""
        a.signed_in_by = None
        a.save(update_fields=["signed_in_at", "sign_method", "signed_in_by"])
        _event(meeting, "signin_undone", actor=actor, attendee=a, reason=reason, **before)
        audit.record("meetings.signin_undone", actor=actor, obj=meeting, old=before, message=reason)
    return a


def can_mark_leave(user: Any, meeting: Meeting, attendee: Attendee) -> bool:
    if access.can_manage(user, meeting):
        return True
    return attendee.unit_id is not None and attendee.unit_id in access.confirmer_unit_ids(user)


def mark_leave(*, meeting: Meeting, attendee: Attendee, actor: Any, reason: str) -> Attendee:
    """请假: by the organisers, or by the confirmer (文书, 办公室主任, 单位领导) of the person's unit."""
    if not can_mark_leave(actor, meeting, attendee) or attendee.meeting_id != meeting.pk:
        raise PermissionDenied(
            "meetings.not_leave_marker", _("只有会务人员或本单位的文书、办公室主任、单位领导可以登记请假。")
        )
    reason = _clean_reason(reason, _("请填写请假事由。"))
    if meeting.status == MeetingStatus.CANCELLED:
        raise TongbanError("meetings.cancelled", _("会议已取消，无需请假。"))
    with transaction.atomic():
        a = _own_attendee(meeting, attendee)
        if a.signed_in_at is not None:
            raise TongbanError(
                "meetings.already_signed_in",
                _("%(name)s 已于 %(at)s 签到，不能登记请假；如属误签，请先撤销签到。")
                % {"name": person_name(a), "at": hm(a.signed_in_at)},
            )
        a.reply = Reply.LEAVE
        a.leave_reason = reason
        a.save(update_fields=["reply", "leave_reason"])
        _event(meeting, "leave", actor=actor, attendee=a, reason=reason)
    return a


def sign_in_video(*, meeting: Meeting, attendee: Attendee) -> bool:
    """Called by the video part when ``attendee`` joins the room: signs them in (method video) if
    not signed in yet. Venue terminals are marked too (the venue came online). True if signed now."""
    if meeting.status == MeetingStatus.CANCELLED or attendee.meeting_id != meeting.pk:
        return False
    now = timezone.now()
    with transaction.atomic():
        done = Attendee.objects.filter(pk=attendee.pk, signed_in_at__isnull=True).update(
            signed_in_at=now, sign_method=SignMethod.VIDEO, signed_in_by=None
        )
        if done:
            attendee.signed_in_at = now
            attendee.sign_method = SignMethod.VIDEO
            attendee.signed_in_by = None
            _event(meeting, "signed_in", actor=attendee.user, attendee=attendee, method=SignMethod.VIDEO)
    return bool(done)


def _clean_reason(reason: Any, missing: str) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise TongbanError("meetings.reason_required", missing, field="reason")
    if len(text) > MAX_REASON:
        raise TongbanError(
            "meetings.reason_too_long", _("原因不能超过 %(n)d 个字。") % {"n": MAX_REASON}, field="reason"
        )
    return text


def person_name(a: Attendee) -> str:
    return a.user.full_name or a.user.username


# --- the report ---------------------------------------------------------------------------------------
@dataclass
class Person:
    attendee_id: int
    user_id: int
    name: str
    status: str
    signed_in_at: datetime | None
    sign_method: str
    reason: str = ""


@dataclass
class UnitRow:
    unit: Unit | None
    name: str
    seats: int | None  # 名额 of an invited unit; None for a unit that was not invited as such
    confirmed: bool | None  # the unit's 回执 is in (None when not invited)
    people: list[Person] = field(default_factory=list)

    def _of(self, status: str) -> list[Person]:
        return [p for p in self.people if p.status == status]

    @property
    def expected(self) -> int:
        return len(self.people)

    @property
    def present(self) -> list[Person]:
        return self._of(PRESENT)

    @property
    def late(self) -> list[Person]:
        return self._of(LATE)

    @property
    def leave(self) -> list[Person]:
        return self._of(LEAVE)

    @property
    def absent(self) -> list[Person]:
        return self._of(ABSENT)

    @property
    def waiting(self) -> list[Person]:
        return self._of(EXPECTED)

    @property
    def attended(self) -> int:
        return len(self.present) + len(self.late)

    @property
    def rate(self) -> float | None:
        return round(100 * self.attended / self.expected, 1) if self.expected else None

    def counts(self) -> dict[str, int]:
        return {
            "expected": self.expected,
            "present": len(self.present),
            "late": len(self.late),
            "leave": len(self.leave),
            "absent": len(self.absent),
            "waiting": len(self.waiting),
            "attended": self.attended,
        }


@dataclass
class VenueRow:
    attendee_id: int
    venue: str
    unit: str
    online: bool
    at: datetime | None


@dataclass
class AttendanceReport:
    meeting: Meeting
    rows: list[UnitRow]
    totals: UnitRow
    venues: list[VenueRow]
    ended: bool
    late_after: datetime


def primary_units(user_ids: list[int]) -> dict[int, Unit]:
    return {
        p.user_id: p.unit
        for p in Post.objects.filter(user_id__in=user_ids, is_primary=True).select_related("unit")
    }


def attendees_of(meeting: Meeting) -> list[Attendee]:
    return list(
        Attendee.objects.filter(meeting=meeting)
        .select_related("user", "unit", "invitation__unit", "venue")
        .order_by("id")
    )


def unit_of(attendee: Attendee, primary: dict[int, Unit]) -> Unit | None:
    if attendee.unit is not None:
        return attendee.unit
    if attendee.invitation is not None:
        return attendee.invitation.unit
    return primary.get(attendee.user_id)


def report(meeting: Meeting, now: datetime | None = None) -> AttendanceReport:
    now = now or timezone.now()
    attendees = attendees_of(meeting)
    people = [a for a in attendees if a.role != AttendeeRole.TERMINAL]
    primary = primary_units([a.user_id for a in people if a.unit is None and a.invitation is None])
    rows: dict[int | None, UnitRow] = {}
    for inv in Invitation.objects.filter(meeting=meeting).select_related("unit"):
        rows[inv.unit_id] = UnitRow(
            unit=inv.unit, name=inv.unit.name, seats=inv.seats, confirmed=inv.status == "confirmed"
        )
    for a in people:
        unit = unit_of(a, primary)
        key = unit.pk if unit else None
        if key not in rows:
            rows[key] = UnitRow(
                unit=unit, name=unit.name if unit else _("其他人员"), seats=None, confirmed=None
            )
        status = status_of(a, meeting, now)
        rows[key].people.append(
            Person(
                attendee_id=a.pk,
                user_id=a.user_id,
                name=person_name(a),
                status=status,
                signed_in_at=a.signed_in_at,
                sign_method=a.sign_method,
                reason=a.leave_reason if status == LEAVE else "",
            )
        )
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.unit is None, r.unit.sort if r.unit else 0, r.unit.pk if r.unit else 0),
    )
    totals = UnitRow(
        unit=None,
        name=_("合计"),
        seats=sum(r.seats or 0 for r in ordered),
        confirmed=None,
        people=[p for r in ordered for p in r.people],
    )
    venues = [
        VenueRow(
            attendee_id=a.pk,
            venue=a.venue.name if a.venue else person_name(a),
            unit=a.unit.name if a.unit else "",
            online=a.signed_in_at is not None or a.joined_at is not None,
            at=a.signed_in_at or a.joined_at,
        )
        for a in attendees
        if a.role == AttendeeRole.TERMINAL
    ]
    return AttendanceReport(
        meeting=meeting,
        rows=ordered,
        totals=totals,
        venues=venues,
        ended=has_ended(meeting, now),
        late_after=late_after(meeting),
    )


def report_for(user: Any, meeting: Meeting) -> AttendanceReport:
    """The report as ``user`` may see it: all units for the chair and the organisers; only their
    own units for an invited unit's confirmers; PermissionDenied for everyone else."""
    full = report(meeting)
    if access.can_control(user, meeting):
        return full
    mine = access.confirmer_unit_ids(user)
    rows = [r for r in full.rows if r.unit is not None and r.unit.pk in mine]
    if not rows:
        raise PermissionDenied(
            "meetings.no_report", _("只有会务人员、主持人或参会单位的文书可以查看出勤统计。")
        )
    full.rows = rows
    full.totals = UnitRow(
        unit=None,
        name=_("合计"),
        seats=sum(r.seats or 0 for r in rows),
        confirmed=None,
        people=[p for r in rows for p in r.people],
    )
    return full


def live_counts(meeting: Meeting) -> dict[str, int]:
    """已签到 N / 应到 M for the venue screen: people (not terminals) signed in, on the list (应到,
    as in the report), and on leave without signing in."""
    qs = Attendee.objects.filter(meeting=meeting).exclude(role=AttendeeRole.TERMINAL)
    return {
        "signed": qs.filter(signed_in_at__isnull=False).count(),
        "expected": qs.count(),
        "leave": qs.filter(reply=Reply.LEAVE, signed_in_at__isnull=True).count(),
    }


METHOD_LABELS = {"qr": "扫码签到", "organiser": "会务代签", "video": "视频入会"}


def method_label(method: str) -> str:
    return _(METHOD_LABELS[method]) if method in METHOD_LABELS else ""


def export_xlsx(rep: AttendanceReport) -> bytes:
    """The report as XLSX: 出勤汇总 (one row per unit, totals), 人员名单 (every person with status,
    time, method and reason) and 会场 (venue terminals online or not)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    m = rep.meeting
    wb = Workbook()
    ws = wb.active
    ws.title = _("出勤汇总")
    ws.append([_("%(title)s 出勤统计") % {"title": m.title}])
    ws["A1"].font = Font(bold=True, size=14)
    start = timezone.localtime(m.starts_at)
    ws.append(
        [
            _("会议时间"),
            start.strftime("%Y-%m-%d %H:%M"),
            _("迟到判定"),
            timezone.localtime(rep.late_after).strftime("%H:%M"),
        ]
    )
    headers = [
        _("单位"),
        _("参会名额"),
        _("应到"),
        _("到会"),
        _("迟到"),
        _("请假"),
        _("缺席"),
        _("待签到"),
        _("实到"),
        _("出席率（%）"),
        _("请假人员及事由"),
        _("缺席人员"),
    ]
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in [*rep.rows, rep.totals]:
        c = r.counts()
        ws.append(
            [
                r.name,
                r.seats,
                c["expected"],
                c["present"],
                c["late"],
                c["leave"],
                c["absent"],
                c["waiting"],
                c["attended"],
                r.rate,
                "；".join(f"{p.name}（{p.reason}）" for p in r.leave),
                "、".join(p.name for p in r.absent),
            ]
        )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKL", (28, 9, 7, 7, 7, 7, 7, 8, 7, 11, 36, 28), strict=True):
        ws.column_dimensions[col].width = width

    names = wb.create_sheet(_("人员名单"))
    names.append([_("单位"), _("姓名"), _("状态"), _("签到时间"), _("签到方式"), _("请假事由")])
    for cell in names[1]:
        cell.font = Font(bold=True)
    for r in rep.rows:
        for p in r.people:
            names.append(
                [
                    r.name,
                    p.name,
                    status_label(p.status),
                    timezone.localtime(p.signed_in_at).strftime("%Y-%m-%d %H:%M") if p.signed_in_at else "",
                    method_label(p.sign_method),
                    p.reason,
                ]
            )
    for col, width in zip("ABCDEF", (28, 12, 8, 18, 10, 36), strict=True):
        names.column_dimensions[col].width = width

    venues = wb.create_sheet(_("会场"))
    venues.append([_("会场"), _("单位"), _("状态"), _("上线时间")])
    for cell in venues[1]:
        cell.font = Font(bold=True)
    for v in rep.venues:
        venues.append(
            [
                v.venue,
                v.unit,
                _("已上线") if v.online else _("未上线"),
                timezone.localtime(v.at).strftime("%Y-%m-%d %H:%M") if v.at else "",
            ]
        )
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_json(rep: AttendanceReport) -> dict[str, Any]:
    """The report as plain data (the API and the page's chart)."""

    def person(p: Person) -> dict[str, Any]:
        return {
            "attendee_id": p.attendee_id,
            "user_id": p.user_id,
            "name": p.name,
            "status": p.status,
            "status_label": status_label(p.status),
            "signed_in_at": p.signed_in_at,
            "sign_method": p.sign_method,
            "reason": p.reason,
        }

    def row(r: UnitRow) -> dict[str, Any]:
        return {
            "unit_id": r.unit.pk if r.unit else None,
            "unit": r.name,
            "seats": r.seats,
            "confirmed": r.confirmed,
            **r.counts(),
            "rate": r.rate,
            "people": [person(p) for p in r.people],
        }

    return {
        "meeting_id": rep.meeting.pk,
        "title": rep.meeting.title,
        "starts_at": rep.meeting.starts_at,
        "ends_at": rep.meeting.ends_at,
        "late_after": rep.late_after,
        "ended": rep.ended,
        "units": [row(r) for r in rep.rows],
        "totals": {k: v for k, v in row(rep.totals).items() if k != "people"},
        "venues": [
            {"attendee_id": v.attendee_id, "venue": v.venue, "unit": v.unit, "online": v.online, "at": v.at}
            for v in rep.venues
        ],
    }
