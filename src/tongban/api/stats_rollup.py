"""/api/v1/stats/rollup/ endpoints: the state of the daily roll-ups and the recompute of a range
(考核管理员 only; 403 for everyone else, nothing changed)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tongban.api.common import caller, errors
from tongban.stats import access, rollup, tasks_rollup
from tongban.stats.models import RollupStatus
from tongban.stats.views_rollup import days_page

router = Router(tags=["考核统计"])


class RollupDayOut(Schema):
    day: date
    status: str
    status_label: str
    computed_at: datetime | None
    dirty_since: datetime | None
    runs: int
    duration_ms: int
    user_rows: int
    unit_rows: int
    error: str


class RollupJobOut(Schema):
    first: str
    last: str
    done: int
    total: int
    state: str
    by: str
    started: str
    finished: str


class RollupDaysOut(Schema):
    counts: dict[str, int]
    days: list[RollupDayOut]
    next_before: date | None
    job: RollupJobOut | None


class DaysFilter(Schema):
    status: str = ""
    before: date | None = None


class RecomputeIn(Schema):
    first: date
    last: date


def _job(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if not state:
        return None
    return {k: state.get(k, 0 if k in ("done", "total") else "") for k in RollupJobOut.model_fields}


@router.get("rollup/days", response={200: RollupDaysOut, **errors(403)}, summary="日统计计算状态")
def rollup_days(request: HttpRequest, filters: Query[DaysFilter]) -> dict[str, Any]:
    access.require_manage(caller(request))
    days, next_before = days_page(filters.status, filters.before)
    labels = dict(RollupStatus.choices)
    return {
        "counts": rollup.summary(),
        "days": [
            {
                "day": d.day,
                "status": d.status,
                "status_label": str(labels.get(d.status, d.status)),
                "computed_at": d.computed_at,
                "dirty_since": d.dirty_since,
                "runs": d.runs,
                "duration_ms": d.duration_ms,
                "user_rows": d.user_rows,
                "unit_rows": d.unit_rows,
                "error": d.error,
            }
            for d in days
        ],
        "next_before": next_before,
        "job": _job(tasks_rollup.job_state()),
    }


@router.post("rollup/recompute", response={202: RollupJobOut, **errors(400, 403)}, summary="重新计算日统计")
def rollup_recompute(request: HttpRequest, body: RecomputeIn) -> Status:
    state = tasks_rollup.request_recompute(actor=caller(request), first=body.first, last=body.last)
    return Status(202, _job(tasks_rollup.job_state() or state))
