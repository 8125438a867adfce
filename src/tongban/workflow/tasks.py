"""Workflow background tasks: thin wrappers around the services."""

from __future__ import annotations

from django_tasks import task

from tongban.workflow import services


@task(queue_name="default")
def remind_due_items_task() -> int:
    """Periodic: deadline reminders (one working day before, and once overdue)."""
    return services.items_remind_due()
