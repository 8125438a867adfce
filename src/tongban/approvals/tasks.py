"""Approvals tasks: the SMS that tells an applicant a written notice was issued.

Sending follows tongban.notify's rules: safe to run twice (a notice whose ``sms_sent_at`` is set is
skipped; the row is locked while it is sent, and a second worker skips a locked row), a failure is
retried with a growing delay (deferred task when the backend supports ``run_after``, otherwise
the periodic sweep :func:`notice_sms_retry_task`), a bad phone number is not retried."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django_tasks import task

from tongban.core import clock as core_clock

logger = logging.getLogger("tongban.approvals.sms")

MAX_ATTEMPTS = 5
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
RETRY_WINDOW = timedelta(hours=24)  # the sweep gives up on a notice older than this
SWEEP_GRACE = timedelta(minutes=2)  # leaves the on-commit task time to run first


def _retry(task_obj: object, attempt: int, *args: object) -> bool:
    if attempt >= MAX_ATTEMPTS:
        return False
    backend = task_obj.get_backend()  # type: ignore[attr-defined]
    if not backend.supports_defer:
        return False  # the sweep picks it up
    run_after = core_clock.now() + BACKOFF[min(attempt, len(BACKOFF)) - 1]
    task_obj.using(run_after=run_after).enqueue(*args, attempt + 1)  # type: ignore[attr-defined]
    return True


def send_notice_sms(notice_id: int, attempt: int = 1) -> str:
    """Text the applicant of notice ``notice_id``. Returns ``sent``, ``skipped``, ``invalid`` or
    ``retry`` / ``failed``."""
    from tongban.approvals.models import CaseNotice
    from tongban.approvals.papers import notice_sms_text
    from tongban.notify import sms

    with transaction.atomic():
        notice = (
            CaseNotice.objects.select_for_update(skip_locked=True)
            .select_related("case", "case__version")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.sms_sent_at is not None:
            return "skipped"  # gone, already sent, or another worker is sending it now
        try:
            phone = sms.normalize_phone(notice.case.applicant_phone)
        except sms.SmsError as exc:
            logger.warning("notice %s: no SMS, %s", notice_id, exc)
            return "invalid"
        try:
            sms.get_backend().send(phone, notice_sms_text(notice))
        except Exception as exc:  # every failure is retried
            logger.warning("notice %s SMS attempt %d failed: %s", notice_id, attempt, exc)
            failed = True
        else:
            failed = False
            notice.sms_sent_at = core_clock.now()
            CaseNotice.objects.filter(pk=notice.pk).update(sms_sent_at=notice.sms_sent_at)
    if failed:
        return "retry" if _retry(notice_sms_task, attempt, notice_id) else "failed"
    return "sent"


@task(queue_name="notify")
def notice_sms_task(notice_id: int, attempt: int = 1) -> str:
    return send_notice_sms(notice_id, attempt)


@task(queue_name="notify")
def applicant_sms_task(case_id: int, text: str, key: str, attempt: int = 1) -> str:
    """Send one free-text SMS to a case's applicant; ``key`` makes a second run a no-op."""
    from tongban.approvals.models import Case
    from tongban.notify import sms

    done_key = f"approvals:sms:{key}"
    if cache.get(done_key):
        return "skipped"
    phone = Case.objects.filter(pk=case_id).values_list("applicant_phone", flat=True).first()
    if phone is None:
        return "skipped"
    try:
        number = sms.normalize_phone(phone)
    except sms.SmsError:
        return "invalid"
    if not cache.add(done_key, "sending", timeout=int(RETRY_WINDOW.total_seconds())):
        return "skipped"
    try:
        sms.get_backend().send(number, text)
    except Exception as exc:
        cache.delete(done_key)
        logger.warning("case %s SMS attempt %d failed: %s", case_id, attempt, exc)
        return "retry" if _retry(applicant_sms_task, attempt, case_id, text, key) else "failed"
    cache.set(done_key, "sent", timeout=int(RETRY_WINDOW.total_seconds()))
    return "sent"


def notices_sms_due() -> int:
    """Enqueue the notices of the last 24 hours whose SMS has not gone yet (lost task, failed
    send with a backend that cannot defer). Returns how many."""
    from tongban.approvals.models import CaseNotice

    now = core_clock.now()
    ids = list(
        CaseNotice.objects.filter(
            sms_sent_at__isnull=True, created_at__gte=now - RETRY_WINDOW, created_at__lte=now - SWEEP_GRACE
        )
        .exclude(case__applicant_phone="")
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    for notice_id in ids:
        notice_sms_task.enqueue(notice_id)
    return len(ids)


@task(queue_name="notify")
def notice_sms_retry_task() -> int:
    """Periodic sweep (every 15 minutes): re-send notice SMS that have not gone out."""
    return notices_sms_due()
