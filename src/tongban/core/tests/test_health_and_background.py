"""/healthz, the worker heartbeat task, the schedule registry, the scheduler lease, and the scheduler lease."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from tongban.core import schedule, tasks
from tongban.core.lease import lease_acquire, lease_holder, lease_release
from tongban.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_without_background_processes_is_degraded(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True and body["cache"]["ok"] is True
    assert body["worker"] == {"last_seen": None, "age_seconds": None, "ok": False}
    assert body["scheduler"]["ok"] is False


def test_healthz_ok_when_heartbeats_are_fresh_and_degraded_when_stale(client, settings):
    tasks.worker_heartbeat.enqueue()  # the immediate backend runs it now, as db_worker would
    assert lease_acquire(holder="host-a", seconds=45)
    Heartbeat.objects.create(name="scheduler", at=timezone.now(), info={"holder": "host-a"})
    body = client.get("/healthz").json()
    assert body["status"] == "ok", body
    assert body["worker"]["ok"] and body["worker"]["last_seen"]
    assert body["scheduler"]["lease_held"] is True
    assert "host-a" not in str(body)  # no host names to anonymous callers
    settings.TONGBAN_HEARTBEAT_STALE_SECONDS = 60
    Heartbeat.objects.filter(name="worker").update(at=timezone.now() - timedelta(seconds=61))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["worker"]["ok"] is False


def test_healthz_503_when_database_is_down(client):
    with mock.patch("tongban.core.selectors.connection.cursor", side_effect=OperationalError("down")):
        r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "error" and body["database"]["ok"] is False


def test_core_registers_worker_heartbeat_every_30_seconds():
    job = {j.job_id: j for j in schedule.jobs()}["core.worker_heartbeat"]
    assert job.task is tasks.worker_heartbeat and job.seconds == 30


def test_schedule_register_validates():
    with pytest.raises(ValueError):
        schedule.register("x", tasks.worker_heartbeat)
    with pytest.raises(ValueError):
        schedule.register("x", tasks.worker_heartbeat, seconds=5, cron="* * * * *")
    with pytest.raises(ValueError):
        schedule.register("x", tasks.worker_heartbeat, cron="not a cron line")
    with pytest.raises(TypeError):
        schedule.register("x", print, seconds=5)
    assert "x" not in {j.job_id for j in schedule.jobs()}


def test_only_one_lease_holder_and_takeover_after_expiry():
    now = timezone.now()
    assert lease_acquire(holder="a", seconds=45, now=now)
    assert not lease_acquire(holder="b", seconds=45, now=now + timedelta(seconds=1))
    assert lease_acquire(holder="a", seconds=45, now=now + timedelta(seconds=15))  # renewal
    assert not lease_acquire(holder="b", seconds=45, now=now + timedelta(seconds=59))
    assert lease_holder(now=now + timedelta(seconds=59)) == "a"
    # a stops renewing; after expiry b takes over and a cannot take it back
    assert lease_acquire(holder="b", seconds=45, now=now + timedelta(seconds=61))
    assert not lease_acquire(holder="a", seconds=45, now=now + timedelta(seconds=62))
    assert lease_holder(now=now + timedelta(seconds=62)) == "b"


def test_released_lease_is_taken_at_once():
    assert lease_acquire(holder="a", seconds=45)
    lease_release(holder="a")
    assert lease_acquire(holder="b", seconds=45)


def test_old_finished_task_results_are_pruned_and_live_ones_kept():
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from tongban.core import schedule, services, tasks

    now = timezone.now()

    def result(status, age_days):
        return DBTaskResult.objects.create(
            status=status,
            task_path="tongban.core.tasks.worker_heartbeat",
            args_kwargs={"args": [], "kwargs": {}},
            queue_name="default",
            backend_name="default",
            priority=0,
            enqueued_at=now - timedelta(days=age_days),
            finished_at=None if status in ("READY", "RUNNING") else now - timedelta(days=age_days),
        )

    old_ok, new_ok = result("SUCCESSFUL", 3), result("SUCCESSFUL", 1)
    old_failed, recent_failed = result("FAILED", 31), result("FAILED", 5)
    ready = result("READY", 40)
    assert services.task_results_prune(successful_days=2, failed_days=30) == 2
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {new_ok.id, recent_failed.id, ready.id}
    assert old_ok.id not in left and old_failed.id not in left
    assert "core.prune_task_results" in {job.job_id for job in schedule.jobs()}
    assert tasks.prune_task_results.name == "prune_task_results"
