"""Wiring of the papers part (to be called from ApprovalsConfig.ready, PARTS)."""

from __future__ import annotations


def ready() -> None:
    from tongban.approvals import tasks
    from tongban.core import schedule

    # Notice SMS that did not go out (a lost task, or a failure the task backend could not defer).
    schedule.register("approvals.notice_sms_retry", tasks.notice_sms_retry_task, cron="*/15 * * * *")
