"""The registry of periodic jobs. Domains call :func:`register` in ``AppConfig.ready()``;
``manage.py scheduler`` enqueues each job's task on its interval or cron schedule (it never
runs the work itself: the db_worker does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apscheduler.triggers.cron import CronTrigger


@dataclass(frozen=True)
class Job:
    job_id: str
    task: Any  # a django_tasks Task
    seconds: int | None = None
    cron: str | None = None

    def trigger(self, timezone: Any = None) -> Any:
        from apscheduler.triggers.interval import IntervalTrigger

        if self.seconds is not None:
            return IntervalTrigger(seconds=self.seconds, timezone=timezone)
        return CronTrigger.from_crontab(self.cron, timezone=timezone)


_JOBS: dict[str, Job] = {}


def register(job_id: str, task: Any, *, seconds: int | None = None, cron: str | None = None) -> None:
    """Run ``task.enqueue()`` every ``seconds`` or on the crontab line ``cron`` ("m h dom mon dow",
    in settings.TIME_ZONE). Registering the same ``job_id`` again replaces it."""
    if (seconds is None) == (cron is None):
        raise ValueError("give exactly one of seconds= or cron=")
    if seconds is not None and seconds <= 0:
        raise ValueError("seconds must be positive")
    if cron is not None:
        CronTrigger.from_crontab(cron)  # raises ValueError on a bad line
    if not hasattr(task, "enqueue"):
        raise TypeError(f"{job_id}: expected a django_tasks task (decorated with @task())")
    _JOBS[job_id] = Job(job_id, task, seconds, cron)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: j.job_id)
