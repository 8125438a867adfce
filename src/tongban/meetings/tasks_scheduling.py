"""Background tasks of the meetings' scheduling part (run by ``manage.py db_worker``; scheduled
in setup_scheduling). Thin: call a service; safe to run twice (the 12-hour gap is stored on the
invitation)."""

from __future__ import annotations

from django_tasks import task

from tongban.meetings import scheduling


@task()
def confirm_reminders() -> str:
    """Every 30 minutes: 回执催报 to the units that have not replied as the deadline nears."""
    return f"reminded={scheduling.send_confirm_reminders()}"
