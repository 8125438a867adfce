"""Core background tasks (run by ``manage.py db_worker``)."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from tongban.core import services


@task()
def worker_heartbeat() -> None:
    """Enqueued every 30 s by the scheduler; when the worker runs it, /healthz sees the worker alive."""
    services.heartbeat_beat(name="worker", info={"pid": os.getpid(), "host": socket.gethostname()})


@task()
def prune_task_results() -> int:
    """Daily: forget finished task results (the heartbeat alone leaves 2,880 a day). Successful ones
    go after 2 days, failed ones after 30 (long enough to look into them)."""
    return services.task_results_prune(successful_days=2, failed_days=30)
