"""Background task of the site monitoring (run by ``manage.py db_worker``; scheduled every 60 s as
``netmon.probe`` in setup). Thin: one service call."""

from __future__ import annotations

from django_tasks import task

from tongban.netmon import services


@task()
def probe() -> str:
    """Run the probes whose interval has elapsed (each at its own interval), record the results."""
    report = services.run_due()
    return f"probes={report.probes} failures={report.failures} transitions={len(report.events)}"
