"""``manage.py scheduler``: enqueue the registered periodic jobs (tongban.core.schedule).

Run one or several (on several machines); only the holder of the database lease enqueues,
the others stand by and take over when the lease expires. The leader writes the "scheduler"
heartbeat that /healthz reports. The work itself is done by ``manage.py db_worker``."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from datetime import datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tongban.core import schedule, services
from tongban.core.lease import lease_acquire, lease_release

logger = logging.getLogger("tongban.scheduler")


class Command(BaseCommand):
    help = "周期任务调度器：按计划把任务放入队列（多实例时只有持有租约的一个在工作）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--holder-id", default=f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}")
        parser.add_argument(
            "--renew-seconds", type=int, default=getattr(settings, "TONGBAN_SCHEDULER_RENEW_SECONDS", 15)
        )
        parser.add_argument(
            "--lease-seconds", type=int, default=getattr(settings, "TONGBAN_SCHEDULER_LEASE_SECONDS", 45)
        )

    def handle(
        self, *args: Any, holder_id: str, renew_seconds: int, lease_seconds: int, **options: Any
    ) -> None:
        self.holder = holder_id
        self.lease_seconds = max(lease_seconds, renew_seconds * 2)
        self.leader_until = 0.0  # monotonic time until which our lease is certainly valid
        tz = ZoneInfo(settings.TIME_ZONE)
        sched = BlockingScheduler(timezone=tz)
        self._renew()
        now = datetime.now(tz)
        for job in schedule.jobs():
            sched.add_job(
                self._enqueue,
                job.trigger(tz),
                args=[job],
                id=job.job_id,
                name=job.job_id,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=60,
                next_run_time=now if job.seconds is not None else None,
            )
            if job.seconds is None:
                sched.get_job(job.job_id).modify(next_run_time=job.trigger(tz).get_next_fire_time(None, now))
        sched.add_job(
            self._renew, "interval", seconds=renew_seconds, id="__lease__", coalesce=True, max_instances=1
        )

        def stop(signum: int, frame: Any) -> None:
            logger.info("scheduler %s: %s received, stopping", self.holder, signal.Signals(signum).name)
            sched.shutdown(wait=False)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"调度器已启动（{self.holder}），{len(schedule.jobs())} 个周期任务。")
        try:
            sched.start()
        finally:
            try:
                if self.leader_until:
                    lease_release(holder=self.holder)
            finally:
                close_old_connections()
        self.stdout.write("调度器已停止。")

    def _is_leader(self) -> bool:
        return time.monotonic() < self.leader_until

    def _renew(self) -> None:
        close_old_connections()
        started = time.monotonic()
        try:
            won = lease_acquire(holder=self.holder, seconds=self.lease_seconds)
        except Exception:
            logger.exception("scheduler %s: lease renewal failed", self.holder)
            won = False
        was_leader = self._is_leader()
        # Trust the lease a little less long than it lasts, in case clocks drift.
        self.leader_until = started + self.lease_seconds * 0.8 if won else 0.0
        if won and not was_leader:
            logger.info("scheduler %s: leader now", self.holder)
        elif was_leader and not won:
            logger.warning("scheduler %s: lost the lease, standing by", self.holder)
        if won:
            services.heartbeat_beat(name="scheduler", info={"holder": self.holder, "pid": os.getpid()})

    def _enqueue(self, job: schedule.Job) -> None:
        if not self._is_leader():
            return
        close_old_connections()
        try:
            job.task.enqueue()
        except Exception:
            logger.exception("scheduler: enqueue of %s failed", job.job_id)
