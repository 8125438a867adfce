"""Scheduled work of the disclosure requests: the daily reminders to the officers (due within 3
working days, overdue), the lapse of 补正 and fee periods, and the applicant's SMS."""

from __future__ import annotations

import logging
from datetime import date

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from tongban.core import clock
from tongban.core.calendar import add_workdays
from tongban.identity.models import User
from tongban.interaction.models import DisclosureRequest, RequestStatus
from tongban.orgs.models import RoleGrant

logger = logging.getLogger("tongban.interaction.disclosure")
SMS_DONE_SECONDS = 24 * 3600
DUE_SOON_WORKDAYS = 3


def officers_of(req: DisclosureRequest) -> list[User]:
    """The organ's disclosure officers (the county office's officers when the organ has none)."""
    from tongban.interaction.disclosure import ROLE, office_short_name

    ids = list(RoleGrant.objects.filter(role=ROLE, unit_id=req.organ_id).values_list("user_id", flat=True))
    if not ids:
        ids = list(
            RoleGrant.objects.filter(
                role=ROLE, county_id=req.county_id, unit__short_name=office_short_name()
            ).values_list("user_id", flat=True)
        )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def notify_officers(pk: int, event: str) -> int:
    from tongban.notify.services import notify

    req = DisclosureRequest.objects.select_related("organ").filter(pk=pk).first()
    if req is None:
        return 0
    titles = {
        "disclosure.received": _("新的政府信息公开申请：%(code)s"),
        "disclosure.due_soon": _("政府信息公开申请 %(code)s 将于 %(due)s 到期"),
        "disclosure.overdue": _("政府信息公开申请 %(code)s 已超过答复期限（%(due)s）"),
    }
    title = titles[event] % {"code": req.tracking_code, "due": req.due_on or ""}
    sent = notify(
        users=officers_of(req),
        event=event,
        title=title,
        body=req.description[:200],
        url=reverse("disclosure:detail", args=[req.pk]),
        dedupe_key=f"{req.pk}:{req.due_on}",
    )
    return len(sent)


def remind(today: date | None = None) -> tuple[int, int]:
    """Notify the officers of open requests due within 3 working days and of overdue ones (once
    per request and due date: the notify dedupe key). Returns (due soon, overdue)."""
    day = today or clock.today()
    horizon = add_workdays(day, DUE_SOON_WORKDAYS)
    open_qs = DisclosureRequest.objects.filter(
        status__in=(RequestStatus.RECEIVED, RequestStatus.PROCESSING), due_on__isnull=False
    )
    soon = list(open_qs.filter(due_on__gte=day, due_on__lte=horizon).values_list("pk", flat=True))
    late = list(open_qs.filter(due_on__lt=day).values_list("pk", flat=True))
    for pk in soon:
        notify_officers(pk, "disclosure.due_soon")
    for pk in late:
        notify_officers(pk, "disclosure.overdue")
    return len(soon), len(late)


@task()
def daily_task() -> str:
    """Every morning: close lapsed 补正 / fee periods, then remind the officers."""
    from tongban.interaction.disclosure import lapse_due

    sup, fee = lapse_due()
    soon, late = remind()
    return f"lapsed supplement {sup}, fee {fee}; due soon {soon}, overdue {late}"


@task(queue_name="notify")
def applicant_sms_task(request_id: int, text: str, key: str) -> str:
    """Send one SMS to a request's applicant; ``key`` makes a second run a no-op."""
    from tongban.notify import sms

    done_key = f"disclosure:sms:{key}"
    phone = DisclosureRequest.objects.filter(pk=request_id).values_list("phone", flat=True).first()
    if phone is None:
        return "skipped"
    try:
        number = sms.normalize_phone(phone)
    except sms.SmsError:
        return "invalid"
    if not cache.add(done_key, "sending", timeout=SMS_DONE_SECONDS):
        return "skipped"
    try:
        sms.get_backend().send(number, text)
    except Exception as exc:  # logged; the applicant can always look the request up online
        cache.delete(done_key)
        logger.warning("disclosure %s SMS failed: %s", request_id, exc)
        return "failed"
    return "sent"
