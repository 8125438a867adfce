"""Notification tasks: thin wrappers that load ids and call the services."""

from __future__ import annotations

from django_tasks import task

from tongban.notify import services


@task(queue_name="notify")
def deliver_task(delivery_id: int) -> str:
    """Send one delivery (safe to run twice; a failure schedules its own retry)."""
    return services.deliver(delivery_id=delivery_id)


@task(queue_name="notify")
def retry_due_deliveries_task() -> int:
    """Periodic sweep: enqueue deliveries whose retry time has come (run every minute)."""
    return services.deliveries_retry_due()
