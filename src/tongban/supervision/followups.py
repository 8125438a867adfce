"""Bad-rating follow-ups (差评整改, rules.md §3 好差评: "bad ratings are fixed and reported back
within 5 [local], 100 % of named bad ratings followed up"; 国办发〔2019〕51号): the only writers
of :class:`~tongban.supervision.models.RatingFollowUp`.

A rating of 不满意 or 非常不满意 opens one follow-up for the case's unit, due
``add_workdays(rating day, ClockPolicy.rating_followup_days)`` (default 5); the unit's heads are
told. The unit head records what was fixed and the contact with the applicant, which closes it.
The supervisor sees every open one until it is closed (overdue ones flagged) and the follow-up
rate (named bad ratings followed up / named bad ratings)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.approvals import clock as case_clock
from tongban.approvals.models import CaseRating, RatingLevel
from tongban.core import audit
from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.notify.services import notify
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import FollowUpStatus, RatingFollowUp

MAX_TEXT = 5000


def is_bad(rating: CaseRating) -> bool:
    """不满意 (2) or 非常不满意 (1) is a bad rating (GB/T 39734-2020 five levels)."""
    return int(rating.level) <= int(RatingLevel.DISSATISFIED)


def followup_open(*, rating: CaseRating) -> RatingFollowUp | None:
    """Open the follow-up of a bad ``rating`` (once: a second call returns the existing one);
    None for a rating that is not bad. Runs inside the rating's transaction (the rating listener)."""
    if not is_bad(rating):
        return None
    existing = RatingFollowUp.objects.filter(rating=rating).first()
    if existing is not None:
        return existing
    due = workcal.add_workdays(tclock.today(), case_clock.policy().rating_followup_days)
    try:
        with transaction.atomic():
            fu = RatingFollowUp.objects.create(rating=rating, unit_id=rating.unit_id, due_on=due)
    except IntegrityError:  # opened concurrently
        return RatingFollowUp.objects.get(rating=rating)
    audit.record(
        "supervision.followup_opened",
        obj=fu,
        actor_name="system",
        unit_id=rating.unit_id,
        new={"rating": rating.pk, "level": rating.level, "named": rating.named, "due_on": due},
    )
    pk, unit = fu.pk, fu.unit
    case = rating.case
    transaction.on_commit(
        lambda: notify(
            users=sel.unit_heads(unit),
            event="supervision.followup_opened",
            title=_("差评待整改：%(no)s") % {"no": case.tracking_no},
            body=_("申请人对办件给出差评，请于 %(d)s 前整改并反馈。") % {"d": f"{due:%Y-%m-%d}"},
            url=reverse("supervision:followup", args=[pk]),
            dedupe_key=f"followup:{pk}",
        )
    )
    return fu


def on_rating(rating: Any) -> None:
    """The approvals rating listener (tongban.approvals.hooks.register_rating_listener)."""
    followup_open(rating=rating)


def can_close(user: Any, fu: RatingFollowUp) -> bool:
    return fu.status == FollowUpStatus.OPEN and fu.unit_id in sel.led_unit_ids(user)


def followup_close(
    *, followup: RatingFollowUp, actor: Any, fixed: str, contact: str, request: Any = None
) -> RatingFollowUp:
    """Close a follow-up with what was fixed (``fixed``, 整改情况) and the contact with the
    applicant (``contact``, 回访申请人情况), both required, each in its own column. Only a head of
    the follow-up's unit; only an open one. Closing after the due date is allowed and shows as
    late."""
    fixed = (fixed or "").replace("\r\n", "\n").strip()
    contact = (contact or "").replace("\r\n", "\n").strip()
    if not fixed:
        raise TongbanError("supervision.fixed_required", _("请填写整改情况。"), field="fixed")
    if not contact:
        raise TongbanError(
            "supervision.contact_required", _("请填写与申请人沟通、回访的情况。"), field="contact"
        )
    if len(fixed) + len(contact) > MAX_TEXT:
        raise TongbanError(
            "supervision.record_too_long", _("整改反馈记录不能超过 5000 个字。"), field="fixed"
        )
    with transaction.atomic():
        fu = RatingFollowUp.objects.select_for_update().get(pk=followup.pk)
        if fu.unit_id not in sel.led_unit_ids(actor):
            raise PermissionDenied(
                "supervision.not_unit_head", _("只有被评价单位的单位领导可以反馈整改情况。")
            )
        if fu.status != FollowUpStatus.OPEN:
            raise TongbanError("supervision.followup_closed", _("该差评整改已反馈办结。"))
        fu.status = FollowUpStatus.CLOSED
        fu.fixed, fu.contact = fixed, contact
        fu.closed_at, fu.closed_by = tclock.now(), actor
        fu.save(update_fields=["status", "fixed", "contact", "closed_at", "closed_by"])
        late = tclock.today() > fu.due_on
        audit.record(
            "supervision.followup_closed",
            actor=actor,
            request=request,
            obj=fu,
            unit_id=fu.unit_id,
            old={"status": FollowUpStatus.OPEN},
            new={"status": fu.status, "late": late},
        )
    return fu
