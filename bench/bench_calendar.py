"""Working-day calendar: add_workdays over 100,000 random dates in 2025–2026 (n random 1..30),
through the same function every deadline uses, against a throwaway SQLite database with a few
administrator overrides. Prints adds/s (target ≥ 200,000/s) and p50/p95 µs per call.

Run: python bench/bench_calendar.py"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-calendar-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N = 100_000


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from tongban.core import calendar as workcal
    from tongban.core.models import CalendarOverride, CalendarStamp

    CalendarOverride.objects.create(date=date(2025, 10, 13), kind="holiday", reason="bench")
    CalendarOverride.objects.create(date=date(2026, 3, 7), kind="workday", reason="bench")
    CalendarStamp.objects.create(id=1, version=1)
    workcal.invalidate()

    rng = random.Random(20251001)
    start = date(2025, 1, 1)
    cases = [(start + timedelta(days=rng.randrange(730)), rng.randint(1, 30)) for _ in range(N)]
    add = workcal.add_workdays
    build_started = time.perf_counter()
    add(start, 1)  # builds the in-process table (first call of a process)
    build_ms = (time.perf_counter() - build_started) * 1000

    # Throughput: one tight loop over all cases.
    started = time.perf_counter()
    for d, n in cases:
        add(d, n)
    elapsed = time.perf_counter() - started

    # Latency per call (timer overhead included, so these are upper bounds).
    clock = time.perf_counter_ns
    samples: list[float] = []
    for d, n in cases:
        t0 = clock()
        add(d, n)
        samples.append((clock() - t0) / 1000)

    between_started = time.perf_counter()
    for d, n in cases:
        workcal.workdays_between(d, d + timedelta(days=n))
    between_elapsed = time.perf_counter() - between_started

    print(f"calendar table build: {build_ms:.1f} ms")
    print(f"calendar add_workdays: {N / elapsed:,.0f} adds/s over {N:,} random dates 2025-2026 (n 1..30)")
    print(f"calendar add_workdays latency: p50 {pct(samples, 50):.2f} us, p95 {pct(samples, 95):.2f} us")
    print(f"calendar workdays_between: {N / between_elapsed:,.0f} calls/s")
    connection.creation.destroy_test_db(str(TMP / "bench-test.sqlite3"), verbosity=0)


if __name__ == "__main__":
    main()
