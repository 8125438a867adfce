"""Background task of the data exchange (run by ``manage.py db_worker``; scheduled in setup)."""

from __future__ import annotations

from django_tasks import task

from tongban.exchange import push


@task()
def exchange_push() -> str:
    """Every 5 minutes: due retries and new batches of every enabled target."""
    return push.run_all()
