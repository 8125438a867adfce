"""Rectification notices (整改通知, rules.md §4): written notices to a unit to put something right,
with a deadline in working days (行政许可法第八十二条; tongban.core.calendar).

- 黄牌警告通知 (kind yellow) is issued by the sweep when a case passes its committed deadline, with
  the rectification deadline ClockPolicy.rectify_days; 整改建议书 (kind red) when that deadline is
  missed — each at most once per case (a database constraint);
- a supervisor (监察员) issues 整改通知 (kind notice) to a unit, optionally about one of its cases;
- the unit (its 单位领导 or 办公室主任) records its reply; the supervisor closes it.

Every action is audited (tongban.core.audit) and the unit is notified on issue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tongban.approvals.models import Case, TrackingCounter
from tongban.core import audit
from tongban.core import clock as core_clock
from tongban.core.calendar import add_workdays
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.notify.services import notify
from tongban.orgs.models import BusinessRole, County, RoleGrant, Unit
from tongban.supervision.models import Rectification, RectificationKind, RectificationStatus

EVENT = "supervision.rectification"
REPLY_ROLES = (BusinessRole.UNIT_LEADER, BusinessRole.OFFICE_HEAD)
MAX_DAYS = 60
_SIGN: dict[str, str] = {
    RectificationKind.YELLOW: "黄",
    RectificationKind.RED: "建",
    RectificationKind.NOTICE: "改",
}


def take_numbers(county: County, kind: str, year: int, n: int) -> list[str]:
    """``n`` consecutive document numbers (文号) of ``kind`` for ``year``, e.g. 青山监改〔2026〕3号,
    taken under one row lock (gapless, in the caller's transaction)."""
    if n <= 0:
        return []
    key = f"rect:{kind}:{year}"
    with transaction.atomic():
        TrackingCounter.objects.get_or_create(county=county, key=key)
        row = TrackingCounter.objects.select_for_update().get(county=county, key=key)
        first = row.last + 1
        row.last += n
        row.save(update_fields=["last"])
    prefix = county.name.removesuffix("县")[:4]
    return [f"{prefix}监{_SIGN.get(kind, '改')}〔{year}〕{i}号" for i in range(first, first + n)]


def unit_heads(unit_ids: set[int] | list[int]) -> dict[int, list[User]]:
    """The unit leaders (单位领导) of each unit, in one query."""
    out: dict[int, list[User]] = {}
    grants = RoleGrant.objects.filter(
        unit_id__in=set(unit_ids), role=BusinessRole.UNIT_LEADER, user__is_active=True
    ).select_related("user")
    for g in grants:
        out.setdefault(g.unit_id, []).append(g.user)
    return out


def _url(pk: int) -> str:
    try:
        return reverse("supervision:rectification", kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def can_reply(user: Any, r: Rectification) -> bool:
    return bool(
        getattr(user, "pk", None)
        and RoleGrant.objects.filter(user_id=user.pk, unit_id=r.unit_id, role__in=REPLY_ROLES).exists()
    )


def rectification_issue(
    *,
    actor: User,
    county: County,
    unit: Unit,
    text: str,
    deadline_days: int,
    case: Case | None = None,
    request: HttpRequest | None = None,
) -> Rectification:
    """A supervisor issues a 整改通知 to ``unit`` (optionally about ``case``, which must be the
    unit's), due ``deadline_days`` working days from today (第八十二条)."""
    text = (text or "").strip()
    if not text:
        raise TongbanError("supervision.text_required", _("请填写整改要求。"), field="text")
    if unit.county_id != county.pk or not unit.is_active:
        raise TongbanError("supervision.bad_unit", _("请选择本县的责任单位。"), field="unit")
    if not isinstance(deadline_days, int) or not 1 <= deadline_days <= MAX_DAYS:
        raise TongbanError(
            "supervision.bad_deadline",
            _("整改期限应为 1 至 %(n)d 个工作日。") % {"n": MAX_DAYS},
            field="deadline_days",
        )
    if case is not None and case.unit_id != unit.pk:
        raise TongbanError("supervision.case_not_of_unit", _("所选办件不是该单位办理的。"), field="case")
    today = core_clock.today()
    with transaction.atomic():
        (number,) = take_numbers(county, RectificationKind.NOTICE, today.year, 1)
        r = Rectification.objects.create(
            county=county,
            unit=unit,
            case=case,
            kind=RectificationKind.NOTICE,
            number=number,
            text=text,
            deadline=add_workdays(today, deadline_days),
            issued_at=core_clock.now(),
            issued_by=actor,
        )
        audit.record(
            "supervision.rectification_issued",
            actor=actor,
            request=request,
            obj=r,
            new={
                "number": number,
                "unit": unit.pk,
                "case": case.pk if case else None,
                "deadline": r.deadline,
            },
        )
        notify(
            users=unit_heads([unit.pk]).get(unit.pk, []),
            event=EVENT,
            title=_("整改通知 %(no)s：请于 %(d)s 前整改并回复") % {"no": number, "d": r.deadline.isoformat()},
            body=text[:500],
            url=_url(r.pk),
            dedupe_key=f"rect:{r.pk}:issued",
            actor=actor,
        )
    return r


def rectification_reply(
    *, actor: User, rectification: Rectification, reply: str, request: HttpRequest | None = None
) -> Rectification:
    """The unit's head (单位领导 or 办公室主任) records the unit's reply (may be revised until closed)."""
    reply = (reply or "").strip()
    if not can_reply(actor, rectification):
        raise PermissionDenied(
            "supervision.not_unit_head", _("只有责任单位的单位领导或办公室主任可以回复整改通知。")
        )
    if not reply:
        raise TongbanError("supervision.reply_required", _("请填写整改情况。"), field="reply")
    with transaction.atomic():
        r = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if r.status == RectificationStatus.CLOSED:
            raise TongbanError("supervision.closed", _("该整改通知已办结，不能再回复。"))
        old = {"status": r.status, "reply": r.reply}
        r.reply, r.replied_at, r.replied_by = reply, core_clock.now(), actor
        r.status = RectificationStatus.REPLIED
        r.save(update_fields=["reply", "replied_at", "replied_by", "status"])
        audit.record(
            "supervision.rectification_replied",
            actor=actor,
            request=request,
            obj=r,
            old=old,
            new={"status": r.status, "reply": reply},
        )
        if r.issued_by_id:
            notify(
                users=User.objects.filter(pk=r.issued_by_id),
                event=EVENT,
                title=_("整改通知 %(no)s 已回复") % {"no": r.number},
                body=reply[:500],
                url=_url(r.pk),
                dedupe_key=f"rect:{r.pk}:replied:{r.replied_at.isoformat()}",
                actor=actor,
            )
    return r


def rectification_close(
    *, actor: User, rectification: Rectification, note: str = "", request: HttpRequest | None = None
) -> Rectification:
    """The supervisor closes the notice (办结) with a note; a notice without a reply needs a note."""
    note = (note or "").strip()
    with transaction.atomic():
        r = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if r.status == RectificationStatus.CLOSED:
            raise TongbanError("supervision.closed", _("该整改通知已办结。"))
        if r.status == RectificationStatus.ISSUED and not note:
            raise TongbanError(
                "supervision.note_required", _("单位尚未回复，办结时请填写办结意见。"), field="note"
            )
        old = {"status": r.status}
        r.status, r.closed_at, r.closed_by, r.close_note = (
            RectificationStatus.CLOSED,
            core_clock.now(),
            actor,
            note,
        )
        r.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
        audit.record(
            "supervision.rectification_closed",
            actor=actor,
            request=request,
            obj=r,
            old=old,
            new={"status": r.status, "note": note},
        )
    return r


def auto_rows(rows: list[dict[str, Any]], kind: str, today: date, rectify_days: int) -> list[Rectification]:
    """Unsaved 黄牌警告通知 / 整改建议书 for cases that just went 黄牌 / 红牌 (the sweep inserts
    them in bulk, at most one per case and kind)."""
    if not rows:
        return []
    have = set(
        Rectification.objects.filter(case_id__in=[r["id"] for r in rows], kind=kind).values_list(
            "case_id", flat=True
        )
    )
    rows = [r for r in rows if r["id"] not in have]
    now = core_clock.now()
    out = []
    by_county: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_county.setdefault(r["county_id"], []).append(r)
    yellow_text = _(
        "办件 %(no)s（%(title)s）已超过承诺期限 %(due)s，亮黄牌。请于 %(deadline)s 前办结或说明原因并整改，"
        "逾期未整改将亮红牌并发出整改建议书。"
    )
    red_text = _(
        "办件 %(no)s（%(title)s）黄牌整改期限已过仍未办结，亮红牌。建议：立即办结该件，查明超期原因，"
        "追究相关人员责任，并于 %(deadline)s 前书面报告整改情况。"
    )
    deadlines: dict[date, date] = {}  # many cases share a deadline: the calendar once per date
    for county_id, group in by_county.items():
        county = County.objects.get(pk=county_id)
        numbers = take_numbers(county, kind, today.year, len(group))
        for r, number in zip(group, numbers, strict=True):
            base = r["due_on"] if kind == RectificationKind.YELLOW else today
            if base not in deadlines:
                deadlines[base] = add_workdays(base, rectify_days)
            deadline = deadlines[base]
            if kind == RectificationKind.YELLOW:
                text = yellow_text % {
                    "no": r["tracking_no"],
                    "title": r["title"],
                    "due": r["due_on"],
                    "deadline": deadline,
                }
            else:
                text = red_text % {"no": r["tracking_no"], "title": r["title"], "deadline": deadline}
            out.append(
                Rectification(
                    county_id=county_id,
                    unit_id=r["unit_id"],
                    case_id=r["id"],
                    kind=kind,
                    number=number,
                    text=text,
                    deadline=deadline,
                    issued_at=now,
                )
            )
    return out
