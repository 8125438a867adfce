"""Background tasks of the feedback part (run by ``manage.py db_worker``). Thin: load ids, call
a service; safe to run twice."""

from __future__ import annotations

from django_tasks import task

from tongban.supervision import complaints, performance


@task()
def complaint_answer_sms(complaint_id: int) -> str:
    """SMS to the complainant that the answer is ready (sent once)."""
    return complaints.complaint_send_answer_sms(complaint_id=complaint_id)


@task()
def performance_nightly() -> int:
    """Nightly: recompute the current and the previous month's department scores."""
    return performance.recompute_recent()
