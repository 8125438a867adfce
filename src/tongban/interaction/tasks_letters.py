"""Background tasks of the mailboxes (run by ``manage.py db_worker``; scheduled in setup_letters).
Thin: call a service; safe to run twice (reminders are remembered by events, the SMS by its
ANSWERED event, closing by the letter's state)."""

from __future__ import annotations

from django_tasks import task

from tongban.interaction import letters


@task()
def letter_answer_sms(letter_id: int) -> str:
    """SMS to the writer that the answer is ready (once per answer)."""
    return letters.letter_send_answer_sms(letter_id=letter_id)


@task()
def letters_daily() -> str:
    """Daily: the due-soon / overdue reminders, then close letters whose rating window passed
    (unrated ones rated 满意 by default)."""
    reminded = letters.send_reminders()
    closed = letters.close_expired()
    return f"reminded={reminded} closed={closed}"
