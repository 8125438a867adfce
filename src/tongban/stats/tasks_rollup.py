"""Background work of the roll-ups: the scheduled jobs ``stats.rollup`` (every 10 minutes) and
``stats.snapshot`` (every 5 minutes), and the administrator's 重新计算 of a range of days, whose
progress is kept in a heartbeat row (``stats.rollup.recompute``) that the status page polls."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django_tasks import task

from tongban.core.models import Heartbeat
from tongban.core.services import heartbeat_beat
from tongban.stats import rollup, snapshot

JOB = "stats.rollup.recompute"


@task()
def rollup_task() -> int:
    """The 10-minute job: late events, missing days, today."""
    return rollup.run_pending()


@task()
def snapshot_task() -> int:
    """The 5-minute job: the county's live figures for the overview and the big screen."""
    return snapshot.take().pk


def job_state() -> dict[str, Any] | None:
    """The last recompute job: {first, last, done, total, state, by, started, finished}."""
    hb = Heartbeat.objects.filter(name=JOB).first()
    return dict(hb.info) if hb is not None and hb.info else None


def job_running() -> bool:
    state = job_state()
    return bool(state and state.get("state") in ("queued", "running"))


def job_queue(first: date, last: date, by: str) -> None:
    heartbeat_beat(
        name=JOB,
        info={
            "first": first.isoformat(), "last": last.isoformat(), "done": 0,
            "total": (last - first).days + 1, "state": "queued", "by": by,
            "started": timezone.now().isoformat(), "finished": "",
        },
    )  # fmt: skip


@task()
def recompute_task(first: str, last: str) -> int:
    """Recompute ``first..last`` (ISO dates), reporting progress after each day."""
    state = job_state() or {"first": first, "last": last, "by": ""}

    def progress(done: int, total: int) -> None:
        heartbeat_beat(name=JOB, info={**state, "done": done, "total": total, "state": "running"})

    try:
        n = rollup.recompute(date.fromisoformat(first), date.fromisoformat(last), progress=progress)
    except Exception:
        heartbeat_beat(name=JOB, info={**state, "state": "failed", "finished": timezone.now().isoformat()})
        raise
    heartbeat_beat(
        name=JOB,
        info={**state, "done": n, "total": n, "state": "done", "finished": timezone.now().isoformat()},
    )
    return n


MAX_RANGE_DAYS = 800


def request_recompute(*, actor: Any, first: date | None, last: date | None) -> dict[str, Any]:
    """The 考核管理员 asks for ``first..last`` to be computed again: checked, audited, run in the
    background (one job at a time). Returns the queued job's state."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from tongban.core import audit
    from tongban.core.errors import TongbanError
    from tongban.stats import access

    access.require_manage(actor)
    today = timezone.localdate()
    if first is None or last is None:
        raise TongbanError("stats.rollup_range_required", _("请填写起止日期。"))
    if first > last:
        raise TongbanError("stats.rollup_range_order", _("开始日期不能晚于结束日期。"))
    if last > today:
        raise TongbanError("stats.rollup_range_future", _("不能计算今天以后的日期。"))
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise TongbanError(
            "stats.rollup_range_too_long", _("一次最多重新计算 %(n)d 天。") % {"n": MAX_RANGE_DAYS}
        )
    if job_running():
        raise TongbanError("stats.rollup_job_running", _("已有重新计算任务在进行，请等待其完成。"))
    with transaction.atomic():
        job_queue(first, last, getattr(actor, "username", ""))
        audit.record(
            "stats.rollup_recompute",
            actor=actor,
            object_type="stats.rollupday",
            new={"first": first.isoformat(), "last": last.isoformat()},
        )
        transaction.on_commit(lambda: recompute_task.enqueue(first.isoformat(), last.isoformat()))
    return job_state() or {}
