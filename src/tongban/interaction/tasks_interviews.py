"""Daily jobs of interviews and surveys: reminders of questions still owing a post-session reply
(due in one working day, overdue) and closing the surveys whose end date has passed. Thin: they
call the services, which are safe to run twice (notifications are deduplicated; a closed survey
is not closed again)."""

from __future__ import annotations

from django_tasks import task


@task()
def interview_reply_reminders() -> int:
    from tongban.interaction import interviews

    return interviews.remind_replies()


@task()
def surveys_close_due() -> int:
    from tongban.interaction import surveys

    return surveys.close_due()
