"""Supervision tasks: thin wrappers that call the sweep and the alert sender (safe to run twice)."""

from __future__ import annotations

from django_tasks import task

from tongban.supervision import sweep as sweep_mod


@task()
def sweep_task() -> dict[str, object]:
    """The 5-minute sweep (registered with tongban.core.schedule as supervision.sweep)."""
    r = sweep_mod.sweep()
    return {"open_cases": r.open_cases, "changed": r.changed, "alerts": r.alerts, "anomalies": r.anomalies}


@task()
def send_alerts_task() -> int:
    """Alerts the sweep left for later (a large batch of changes), in batches, once each."""
    total = 0
    while True:
        n = sweep_mod.alerts_send(limit=500)
        total += n
        if not n:
            return total


@task()
def refresh_and_sweep_task() -> int:
    """After the thresholds changed: recompute every open case's dates, then sweep."""
    from tongban.approvals import clock

    n = clock.refresh_open_cases()
    sweep_mod.sweep()
    return n
