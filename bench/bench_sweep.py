"""The supervision sweep (``tongban.supervision.sweep.sweep``) over N cases (``manage.py seed_demo
--cases N``, ≈ 10 % open): a full sweep, and how its work grows — with the open cases, not with
all cases. The sweep is timed:

1. right after seeding (it records the step anomalies the seeder does not write);
2. again on the same day (the steady 5-minute sweep: nothing changes) — target < 10 s at
   1,000,000 cases / 100,000 open;
3. with only 50 % and 10 % of the open cases still open (the others marked closed, the table
   vacuumed), the total staying N — the time should fall with the open cases;
4. on the next working day (lights change: 预警, 黄牌, 红牌; their alerts are sent: the first 300
   by the sweep, the rest by the alert task, timed apart).
Each run prints its queries' count and the slowest query; on PostgreSQL the slowest query of the
steady sweep is shown with EXPLAIN ANALYZE.

Run: python bench/bench_sweep.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set
    (a throwaway database ``<db>_bench_cases`` is created on that server, or the one
    ``bench_cases.py`` left when run by ``bench/run.py``): N = 1,000,000.
  - Otherwise a throwaway SQLite file: N = 50,000.
  - TONGBAN_BENCH_CASES=N overrides N; TONGBAN_BENCH_KEEP=1 keeps the database (the lights of
    its cases are then those of the next working day).
  - TONGBAN_BENCH_EXISTING_DB=1 (with the PostgreSQL URL): sweep the URL's own database, seeded
    beforehand (``manage.py seed_cases N``); it is kept (its lights are then the next working
    day's). TONGBAN_BENCH_SWEEP_SHARES="0.5,0.1" sets the shares of open cases of step 3
    ("" skips it)."""

from __future__ import annotations

import io
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-sweep-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
KEEP = os.environ.get("TONGBAN_BENCH_KEEP", "") == "1"
SHARED = os.environ.get("TONGBAN_BENCH_CASES_SHARED", "") == "1"
# an existing database seeded beforehand (manage.py migrate, seed_demo, seed_cases N, VACUUM
# ANALYZE): the URL's own database is used as it is — no test database, nothing dropped
EXISTING = bool(PG_URL) and os.environ.get("TONGBAN_BENCH_EXISTING_DB", "") == "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ.setdefault("TONGBAN_TEST_DB_TASKS", "1")  # tasks go to the task table, as in production
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if PG_URL:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = PG_URL
    if not EXISTING:
        os.environ["TONGBAN_TEST_DB_NAME"] = PG_URL.rsplit("/", 1)[-1] + "_bench_cases"
    DEFAULT_N = 1_000_000
else:
    keep_dir = Path(tempfile.gettempdir()) / "tb-bench-cases-keep"
    keep_dir.mkdir(exist_ok=True)
    base = keep_dir if KEEP or SHARED else TMP
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{base / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(base / "bench-test.sqlite3")
    DEFAULT_N = 50_000
N = int(os.environ.get("TONGBAN_BENCH_CASES", DEFAULT_N))
RUNS = 3

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def prepare(n: int) -> float:
    """The demo county and its catalogue (seed_demo), then cases until there are ``n``."""
    from django.core.management import call_command

    from tongban.approvals.models import Case

    have = Case.objects.count()
    if have < n:  # a database seeded before is reused as it is (seed_demo's hooks read every case)
        started = time.perf_counter()
        call_command("seed_demo", stdout=io.StringIO())
        print(
            f"seed_demo (county, catalogue, demo accounts) s={time.perf_counter() - started:.1f}", flush=True
        )
    have = Case.objects.count()
    seconds = 0.0
    if have < n:
        print(f"seeding {n - have:,} cases ({connection.vendor}) …", flush=True)
        started = time.perf_counter()
        call_command("seed_cases", n, stdout=sys.stdout)
        seconds = time.perf_counter() - started
        print(f"seed_cases {n:,} total_s={seconds:.1f}", flush=True)
    vacuum()
    return seconds


def vacuum() -> None:
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def run(label: str, today: object, *, runs: int = 1, explain: bool = False) -> list[float]:
    """Sweep ``runs`` times as of ``today``; print the figures of each run and the slowest query."""
    from tongban.core import clock as core_clock
    from tongban.supervision import sweep

    times = []
    for i in range(runs):
        connection.queries_log.clear()  # the capture is a slice of a 9,000-entry log
        with core_clock.moved_to(today), CaptureQueriesContext(connection) as ctx:  # type: ignore[arg-type]
            t0 = time.perf_counter()
            r = sweep.sweep(today=today)  # type: ignore[arg-type]
            seconds = time.perf_counter() - t0
        times.append(seconds)
        slow = max(ctx.captured_queries or [{"sql": "", "time": "0"}], key=lambda q: float(q["time"] or 0))
        print(
            f"sweep {label} run {i + 1}: open={r.open_cases:,} changed={r.changed:,} alerts={r.alerts:,} "
            f"anomalies={r.anomalies:,} deemed_accepted={r.deemed_accepted} s={seconds:.2f} "
            f"queries={len(ctx.captured_queries)}{'+' if len(ctx.captured_queries) >= 9000 else ''} "
            f"slowest_query_s={float(slow['time']):.2f}",
            flush=True,
        )
        if r.by_light:
            print(f"   lights changed: {r.by_light}")
    if explain and connection.vendor == "postgresql":
        sql = slow["sql"]
        print(f"   slowest query: {sql[:300]}{'…' if len(sql) > 300 else ''}")
        if sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cur:
                cur.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) "
                    + sql.replace("FOR UPDATE SKIP LOCKED", "").replace(
                        'FOR UPDATE OF "approvals_case" SKIP LOCKED', ""
                    )
                )
                for (line,) in cur.fetchall()[:14]:
                    print(f"   | {line}")
    return times


def set_open(ids: list[int], is_open: bool) -> None:
    """Mark cases open or closed (only the flag the sweep selects on), in chunks; then vacuum so
    the partial index of open cases holds only the open ones."""
    from tongban.approvals.models import Case

    for start in range(0, len(ids), 10_000):
        Case.objects.filter(pk__in=ids[start : start + 10_000]).update(is_open=is_open)
    vacuum()


def main() -> None:
    logging.disable(logging.WARNING)
    setup_test_environment()
    db_name = (
        connection.settings_dict["NAME"]
        if EXISTING
        else connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    )
    from tongban.approvals.models import Case
    from tongban.core import clock as core_clock
    from tongban.core.calendar import add_workdays
    from tongban.supervision import sweep

    seed_s = prepare(N)
    total = Case.objects.count()
    open_ids = list(Case.objects.filter(is_open=True).values_list("pk", flat=True))
    print(f"sweep: vendor={connection.vendor} cases={total:,} open={len(open_ids):,} seed_s={seed_s:.1f}")
    today = core_clock.today()

    run("after seeding", today)
    steady = run(f"steady {total:,} total / {len(open_ids):,} open", today, runs=RUNS, explain=True)
    figures = [(len(open_ids), statistics.median(steady))]

    # the same total, fewer open cases: the sweep's work follows the open ones
    rnd = random.Random(5)
    shuffled = open_ids[:]
    rnd.shuffle(shuffled)
    shares = os.environ.get("TONGBAN_BENCH_SWEEP_SHARES", "0.5,0.1")
    for share in [float(x) for x in shares.split(",") if x.strip()]:
        keep = int(len(shuffled) * share)
        closing = shuffled[keep:]
        set_open(closing, False)
        times = run(f"steady {total:,} total / {keep:,} open", today, runs=RUNS)
        figures.append((keep, statistics.median(times)))
        set_open(closing, True)

    print(f"sweep scaling at {total:,} cases (median of {RUNS} steady sweeps):")
    base_open, base_s = figures[0]
    for open_n, seconds in figures:
        print(
            f"   open={open_n:>9,}  s={seconds:6.2f}  ms_per_1000_open={1e6 * seconds / max(open_n, 1):.1f}"
            f"  ratio_to_full={seconds / max(base_s, 1e-9):.2f} (open ratio {open_n / max(base_open, 1):.2f})"
        )
    print(
        f"sweep full {total:,} total / {base_open:,} open s={base_s:.2f} (target < 10 s at 1,000,000 / ≈100,000)"
    )

    # the next working day: lights change, alerts go out
    next_day = add_workdays(today, 1)
    run(f"next working day {next_day}", next_day)
    with core_clock.moved_to(next_day):
        t0 = time.perf_counter()
        sent = 0
        while True:
            n = sweep.alerts_send(limit=500)
            sent += n
            if not n:
                break
        print(f"sweep alerts left to the alert task: notifications={sent:,} s={time.perf_counter() - t0:.2f}")
    run(f"next working day {next_day} again (steady)", next_day)
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        "(figures scale with other work on the machine)"
    )
    if not (KEEP or EXISTING):
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
