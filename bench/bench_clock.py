"""The statutory clock of one case: ``approvals.clock.compute`` (pure, from the events) and
``clock.case_clock`` / ``clock.refresh_case`` (reading the events from the database), for cases
with 15 events each — receipt, one supplement notice and the supplement, acceptance, the review
and decision steps, two 第四十五条 pauses (检测 across the 2025 National Day holiday, 专家评审),
an extension (第四十二条), the decision and the certificate step — p50/p95 (target < 5 ms).

Run: python bench/bench_clock.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set
    (a throwaway database ``<db>_bench_clock`` is created on that server).
  - Otherwise a throwaway SQLite file.
  - TONGBAN_BENCH_CLOCK_CASES=N changes the 200 cases."""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-clock-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if PG_URL:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = PG_URL
    os.environ["TONGBAN_TEST_DB_NAME"] = PG_URL.rsplit("/", 1)[-1] + "_bench_clock"
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")
CASES = int(os.environ.get("TONGBAN_BENCH_CLOCK_CASES", "200"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# (kind, working days after the previous event, data); the first is received on the base day
SEQUENCE: list[tuple[str, int, dict[str, object]]] = [
    ("received", 0, {"channel": "online"}),
    ("supplement_requested", 1, {"items_text": "营业执照复印件不清晰。"}),
    ("supplemented", 2, {}),
    ("accepted", 1, {}),
    ("step_started", 0, {"key": "review", "name": "审查", "limit": 3, "counts": True}),
    ("paused", 1, {"reason": "testing", "reason_label": "检测", "expected_days": 5}),
    ("resumed", 6, {}),
    ("step_completed", 1, {"key": "review"}),
    ("step_started", 0, {"key": "decide", "name": "决定", "limit": 2, "counts": True}),
    ("paused", 1, {"reason": "expert_review", "reason_label": "专家评审", "expected_days": 5}),
    ("resumed", 5, {}),
    ("extended", 1, {"days": 10, "reason": "需组织现场核查。"}),
    ("step_completed", 2, {"key": "decide"}),
    ("decided", 0, {"decision": "grant", "decision_label": "准予许可"}),
    ("step_started", 0, {"key": "certify", "name": "制证送达", "limit": 10, "counts": False}),
]


def build(n: int) -> list[int]:
    """``n`` cases of 15 events each, received a week apart from 2025-08-04 on (so their pauses
    fall before, across and after the National Day holiday)."""
    from datetime import date, datetime, timedelta

    from django.utils import timezone

    from tongban.approvals import clock, testing
    from tongban.approvals.models import CaseEvent
    from tongban.core.calendar import add_workdays

    w = testing.build_world()
    ids = []
    for i in range(n):
        day = date(2025, 8, 4) + timedelta(days=7 * (i % 40) + i // 40)
        at = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))
        case = testing.new_case(w, received_at=at, tracking_no=f"BENCH{i:06d}")
        if i < 10:  # a few the long way: each event through clock.record_event and its listeners
            for k, (kind, gap, data) in enumerate(SEQUENCE[1:], start=1):
                day = add_workdays(day, gap) if gap else day
                at = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30 + k))
                testing.event(case, kind, at, **data)
        else:  # the rest written directly (the same rows), then the cache refreshed once
            rows = []
            for k, (kind, gap, data) in enumerate(SEQUENCE[1:], start=1):
                day = add_workdays(day, gap) if gap else day
                at = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30 + k))
                rows.append(CaseEvent(case=case, seq=k + 1, kind=kind, at=at, on=day, data=data))
            CaseEvent.objects.bulk_create(rows)
            clock.refresh_case(case)
        ids.append(case.pk)
    return ids


def main() -> None:
    logging.disable(logging.WARNING)
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, serialize=False)
    from tongban.approvals import clock
    from tongban.approvals.models import Case, CaseEvent
    from tongban.core import clock as core_clock

    started = time.perf_counter()
    ids = build(CASES)
    build_s = time.perf_counter() - started
    events = CaseEvent.objects.filter(case_id__in=ids).count()
    cases = list(Case.objects.filter(pk__in=ids).select_related("version"))
    today = core_clock.today()
    lists = [clock.events_of(c) for c in cases]
    limits = [clock.limits_for(c) for c in cases]
    print(
        f"clock: vendor={connection.vendor} cases={len(cases)} events={events} "
        f"({events / len(cases):.0f} per case, 2 pauses, 1 extension) built_s={build_s:.1f}"
    )

    # compute: pure, from the events in memory
    for evs, lim in zip(lists, limits, strict=True):  # warm
        clock.compute(evs, lim, today)
    pure: list[float] = []
    for _round in range(10):
        for evs, lim in zip(lists, limits, strict=True):
            t0 = time.perf_counter()
            clock.compute(evs, lim, today)
            pure.append((time.perf_counter() - t0) * 1000)
    print(f"clock compute (15 events) n={len(pure)} p50_ms={pct(pure, 50):.3f} p95_ms={pct(pure, 95):.3f}")

    # case_clock: the events read from the database, then computed (the case page and the API)
    for case in cases:  # warm (a running server is warm)
        clock.case_clock(case)
    read: list[float] = []
    with CaptureQueriesContext(connection) as ctx:
        for case in cases * 3:
            t0 = time.perf_counter()
            c = clock.case_clock(case)
            clock.clock_json(c, today)
            read.append((time.perf_counter() - t0) * 1000)
    per = len(ctx.captured_queries) / len(read)
    print(f"clock case_clock + clock_json n={len(read)} queries_per_case={per:.0f}")
    print(f"clock case_clock p50_ms={pct(read, 50):.3f}")
    print(f"clock case_clock p95_ms={pct(read, 95):.3f} (target < 5)")

    # refresh_case: read, compute and store the cached dates (what every event does)
    refresh: list[float] = []
    for case in cases:
        t0 = time.perf_counter()
        clock.refresh_case(case)
        refresh.append((time.perf_counter() - t0) * 1000)
    print(
        f"clock refresh_case (read + compute + UPDATE) p50_ms={pct(refresh, 50):.3f} "
        f"p95_ms={pct(refresh, 95):.3f} mean_ms={statistics.mean(refresh):.3f}"
    )
    c = clock.case_clock(cases[0])
    print(
        f"clock sample {cases[0].tracking_no}: received {c.received_on} accepted {c.accepted_on} "
        f"paused {c.paused_days} extension {c.extension_days} decided {c.decided_on} "
        f"due_committed {c.due_committed} due_statutory {c.due_statutory} cert_due {c.cert_due}"
    )
    connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
