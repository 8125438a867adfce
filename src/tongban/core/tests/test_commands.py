"""manage.py workdays and the scheduler command's leadership (two schedulers, one enqueues)."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.core import schedule
from tongban.core.management.commands.scheduler import Command as SchedulerCommand
from tongban.core.models import Heartbeat, SchedulerLease

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_workdays_add_and_between():
    assert _run("add", "2025-09-26", "5") == "2025-10-10"
    assert _run("between", "2025-09-26", "2025-10-10") == "5"
    assert _run("add", "2026-02-13", "2") == "2026-02-24"
    assert _run("add", "2025-10-10", "-5") == "2025-09-26"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("add", "2025/09/26", "5"), "应为 YYYY-MM-DD"),
        (("add", "2025-09-26", "五"), "应为整数"),
        (("between", "2025-09-26", "tomorrow"), "格式不对"),
        (("add", "1999-01-01", "1"), "超出工作日历范围"),
    ],
)
def test_workdays_bad_input(args, fragment):
    with pytest.raises(CommandError) as exc:
        _run(*args)
    assert fragment in str(exc.value)
    assert exc.value.returncode != 0


def test_workdays_unknown_year_notes_it():
    err = StringIO()
    out = StringIO()
    call_command("workdays", "add", "2031-10-03", "1", stdout=out, stderr=err)
    assert out.getvalue().strip() == "2031-10-06"
    assert "请录入 2031 年节假日安排" in err.getvalue()


@pytest.fixture(autouse=True)
def _keep_test_connection():
    # The scheduler drops stale connections between jobs; inside a test transaction that would
    # close the test's own connection (PostgreSQL).
    with mock.patch("tongban.core.management.commands.scheduler.close_old_connections"):
        yield


def _scheduler(holder: str) -> SchedulerCommand:
    cmd = SchedulerCommand(stdout=StringIO())
    cmd.holder = holder
    cmd.lease_seconds = 45
    cmd.leader_until = 0.0
    return cmd


def test_two_schedulers_only_the_leader_enqueues_and_beats():
    a, b = _scheduler("host-a"), _scheduler("host-b")
    a._renew()
    b._renew()
    assert a._is_leader() and not b._is_leader()
    assert SchedulerLease.objects.get().holder == "host-a"
    assert Heartbeat.objects.get(name="scheduler").info["holder"] == "host-a"
    task = mock.Mock(spec=["enqueue"])
    job = schedule.Job("test.job", task, seconds=30)
    a._enqueue(job)
    b._enqueue(job)
    assert task.enqueue.call_count == 1
    # the real registered job enqueues the worker heartbeat, which the worker runs
    real = {j.job_id: j for j in schedule.jobs()}["core.worker_heartbeat"]
    a._enqueue(real)
    assert Heartbeat.objects.filter(name="worker").exists()


def test_standby_takes_over_when_the_lease_expires():
    from datetime import timedelta

    from django.utils import timezone

    a, b = _scheduler("host-a"), _scheduler("host-b")
    a._renew()
    # host-a stops renewing (crashed); its lease runs out
    SchedulerLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    b._renew()
    assert b._is_leader()
    a._renew()
    assert not a._is_leader()
    assert Heartbeat.objects.get(name="scheduler").info["holder"] == "host-b"


def test_flush_refuses_outside_tests_and_debug_without_reinstall(settings):
    from django.core.management.base import CommandError

    from tongban.core import audit
    from tongban.core.models import AuditRecord

    audit.record("test.keep", actor_name="x")
    settings.TESTING = False
    settings.DEBUG = False
    with pytest.raises(CommandError) as exc:
        call_command("flush", "--noinput", verbosity=0)
    assert "--reinstall" in str(exc.value)
    assert AuditRecord.objects.filter(event="test.keep").exists()
