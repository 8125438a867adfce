"""Delivery tasks: safe to run twice, retried with exponential backoff, given up after 5 attempts."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.notify import services, tasks
from tongban.notify.models import Delivery

pytestmark = pytest.mark.django_db


def _sms_only(user):
    for channel in ("inapp", "email"):
        services.preference_set(actor=user, user=user, event="notify.test", channel=channel, enabled=False)


def _notify(user, capture, title="测试"):
    with capture(execute=True):
        services.notify(users=[user], event="notify.test", title=title, body="请忽略本条消息。")
    return Delivery.objects.get(channel="sms")


def test_failing_smsc_is_retried_with_backoff_until_sent(
    alice, smsc, monkeypatch, django_capture_on_commit_callbacks
):
    _sms_only(alice)
    smsc.fail_next(2)
    delivery = _notify(alice, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "0x00000008" in delivery.last_error
    first_retry = delivery.next_attempt_at
    assert timedelta(seconds=55) < first_retry - timezone.now() <= timedelta(minutes=1)

    # Not due yet: the sweep enqueues nothing, running the task anyway does nothing.
    assert services.deliveries_retry_due() == 0
    assert services.deliver(delivery_id=delivery.pk) == "skipped"

    # Due: the sweep hands it to the worker; the second attempt fails again and waits 2 minutes.
    monkeypatch.setattr(services, "_now", lambda: first_retry)
    assert services.deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.next_attempt_at - first_retry == timedelta(minutes=2)

    # Third attempt is accepted by the SMS centre.
    assert services.deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 3, None)
    (received,) = smsc.messages
    assert delivery.provider_message_id == received.message_ids[0]
    assert received.text == "【通办】测试：请忽略本条消息。"
    assert len(smsc.submissions) == 3

    # Running the task again is harmless: nothing is sent twice.
    assert services.deliver(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=1)) == "skipped"
    assert tasks.deliver_task.enqueue(delivery.pk).return_value == "skipped"
    assert len(smsc.messages) == 1


def test_gives_up_after_five_attempts(alice, smsc, django_capture_on_commit_callbacks):
    _sms_only(alice)
    smsc.fail_next(10)
    delivery = _notify(alice, django_capture_on_commit_callbacks)
    waits = []
    for _attempt in range(4):
        waits.append(delivery.next_attempt_at)
        services.deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("given_up", 5, None)
    assert [b - a for a, b in itertools.pairwise(waits)] == [timedelta(minutes=m) for m in (2, 4, 8)]
    assert "System Error" in delivery.last_error
    assert services.deliver(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=1)) == "skipped"
    assert len(smsc.submissions) == 5
    assert smsc.messages == []


def test_a_backend_that_supports_run_after_gets_a_deferred_retry(
    alice, smsc, settings, django_capture_on_commit_callbacks
):
    _sms_only(alice)
    smsc.fail_next(1)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["notify"]}
    }
    from django_tasks import default_task_backend

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[alice], event="notify.test", title="延迟重试")
    delivery = Delivery.objects.get(channel="sms")
    (queued,) = default_task_backend.results
    assert queued.args == [delivery.pk] and queued.task.run_after is None
    # The worker runs it: it fails and schedules itself for later.
    assert services.deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    retry = default_task_backend.results[-1]
    assert retry.task.run_after == delivery.next_attempt_at
    assert retry.task.queue_name == "notify"


def test_a_claim_left_by_a_dead_worker_is_retried_after_the_lease(
    alice, smsc, monkeypatch, django_capture_on_commit_callbacks
):
    _sms_only(alice)
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(users=[alice], event="notify.test", title="中断")
    delivery = Delivery.objects.get(channel="sms")
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, next_attempt_at=now + services.SENDING_LEASE
    )
    assert services.deliver(delivery_id=delivery.pk, now=now) == "skipped"  # lease still held
    monkeypatch.setattr(services, "_now", lambda: now + services.SENDING_LEASE)
    assert services.deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert "中断" in delivery.last_error
    assert len(smsc.messages) == 1


def test_email_failure_is_recorded_and_retried(alice, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[alice], event="identity.security", title="邮件失败")
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "sent"


def test_the_scheduler_runs_the_retry_sweep_every_minute():
    from tongban.core import schedule

    job = next(j for j in schedule.jobs() if j.job_id == "notify.retry_due_deliveries")
    assert job.seconds == 60 and job.task is tasks.retry_due_deliveries_task


def test_with_deferred_retries_the_sweep_waits_a_grace_period(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["notify"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[alice], event="identity.security", title="宽限")
    now = timezone.now()
    assert services.deliveries_retry_due(now=now) == 0  # just queued: the worker will take them
    assert services.deliveries_retry_due(now=now + services.SWEEP_LOST_QUEUED) == 2  # lost tasks
