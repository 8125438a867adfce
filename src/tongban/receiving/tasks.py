"""Receiving tasks: thin wrappers that call the services."""

from __future__ import annotations

from django_tasks import task

from tongban.receiving import services


@task()
def reminders_send_task() -> int:
    """承办 deadline reminders before and after the due date (deduplicated; safe to run twice)."""
    return services.reminders_send()


@task()
def notify_arrived_task(document_id: int, unit_ids: list[int], actor_id: int | None = None) -> int:
    """Tell the recipient units' clerks that a document waits for 签收 (after 核发 commits)."""
    return services.notify_arrived(document_id=document_id, unit_ids=unit_ids, actor_id=actor_id)
