"""Receiving tasks: thin wrappers that call the services."""

from __future__ import annotations

from django_tasks import task

from tongban.receiving import services


@task()
def reminders_send_task() -> int:
    """承办 deadline reminders before and after the due date (deduplicated; safe to run twice)."""
    return services.reminders_send()
