"""Background task of the assessment (run by ``manage.py db_worker``, enqueued daily by the
scheduler after the night's roll-up): recompute the current and previous period of every
published scheme."""

from __future__ import annotations

from django_tasks import task


@task()
def scores_task() -> str:
    from tongban.stats import scoring

    done = scoring.recompute_current()
    return f"periods={len(done)}"
