"""The statistics dashboards over a county-year of roll-ups: 130 units × 365 days of UnitDay rows
(47,450) and a snapshot. Measures, through the test client (session, navigation, template), the
overview page, the unit comparison (page, for the whole year, and its API) and the big screen's
API feed (overview + this year's effect report): p50/p95 over BENCH_REQUESTS (200) requests each,
and the queries per request, which do not depend on the number of units. The sums are cached under
the roll-up's data version (a new roll-up shows at once); the uncached selectors are timed too.

Run: python bench/bench_stats_dashboard.py (a throwaway SQLite file), or with
TONGBAN_BENCH_DATABASE_URL=postgres://user@host:5432/postgres on PostgreSQL (a throwaway test
database is created next to it). BENCH_UNITS changes the 130 units."""

from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-statsdash-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if os.environ.get("TONGBAN_BENCH_DATABASE_URL"):
    os.environ["TONGBAN_TEST_DATABASE_URL"] = os.environ["TONGBAN_BENCH_DATABASE_URL"]
    os.environ["TONGBAN_TEST_DB_NAME"] = "tb_bench_stats_dash"
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

UNITS = int(os.environ.get("BENCH_UNITS", "130"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
KINDS = ("leading_body", "gov_dept", "gov_dept", "party_dept", "public_institution", "township", "township")


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def seed() -> object:
    from tongban.core import clock
    from tongban.identity.models import User
    from tongban.orgs.models import BusinessRole, County, Post, RoleGrant, Unit
    from tongban.stats import testing_dash
    from tongban.stats.models import UnitDay

    county = County.objects.create(name="基准县", code="990123")
    units = Unit.objects.bulk_create(
        Unit(county=county, unit_code=f"U{i:03d}", name=f"单位{i:03d}", kind=KINDS[i % len(KINDS)], sort=i)
        for i in range(UNITS)
    )
    kaohe = User.objects.create_user(username="kaohe", password="x", full_name="考核管理员")
    Post.objects.create(county=county, user=kaohe, unit=units[0], title="考核管理员")
    RoleGrant.objects.create(county=county, user=kaohe, unit=units[0], role=BusinessRole.ASSESSMENT_ADMIN)
    rnd = random.Random(7)
    today = clock.today()
    rows = []
    for u in units:
        staff = rnd.randint(5, 40)
        for i in range(365):
            d = today - timedelta(days=i)
            wd = d.weekday() < 5
            active = rnd.randint(staff // 3, staff) if wd else rnd.randint(0, 2)
            rows.append(
                UnitDay(
                    unit=u,
                    day=d,
                    staff=staff,
                    active_users=active,
                    logins=active + rnd.randint(0, 5),
                    docs_handled=rnd.randint(0, 3 * active),
                    docs_read=rnd.randint(0, 4 * active),
                    tasks_overdue=rnd.randint(0, 1),
                    notices_received=staff if wd else 0,
                    notices_read=rnd.randint(0, staff) if wd else 0,
                    cases_closed=rnd.randint(0, 3),
                    cases_on_time=0,
                    letters_answered=rnd.randint(0, 1),
                    meetings_invited=rnd.randint(0, 4),
                    meetings_attended=0,
                    docs_sent=rnd.randint(0, 2),
                    copies_sent=rnd.randint(0, 20),
                    pages_sent=rnd.randint(0, 80),
                )
            )
            if len(rows) >= 5000:
                UnitDay.objects.bulk_create(rows)
                rows = []
    UnitDay.objects.bulk_create(rows)
    testing_dash.snapshot()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return kaohe


def measure(client: object, url: str) -> tuple[list[float], list[int]]:
    client.get(url)  # type: ignore[attr-defined]  # warm up
    samples: list[float] = []
    queries: list[int] = []
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = client.get(url)  # type: ignore[attr-defined]
            samples.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
        queries.append(len(ctx.captured_queries))
    return samples, queries


def main() -> None:
    logging.disable(logging.WARNING)
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from django.test import Client

    from tongban.stats.models import UnitDay

    t0 = time.perf_counter()
    kaohe = seed()
    seeded = time.perf_counter() - t0
    client = Client()
    client.force_login(kaohe)
    print(
        f"stats dashboards: db={connection.vendor} units={UNITS} unit_days={UnitDay.objects.count():,} "
        f"(seeded in {seeded:.1f} s)"
    )
    for label, url in (
        ("overview page /stats/", "/stats/"),
        ("comparison page /stats/units/?period=year", "/stats/units/?period=year"),
        ("comparison API /api/v1/stats/units?period=year", "/api/v1/stats/units?period=year"),
        (
            "big-screen API /api/v1/stats/overview?include_effect=true",
            "/api/v1/stats/overview?include_effect=true",
        ),
    ):
        samples, queries = measure(client, url)
        print(
            f"{label}: n={len(samples)} queries={statistics.mode(queries)} "
            f"p50_ms={pct(samples, 50):.1f} p95_ms={pct(samples, 95):.1f} (target < 150) max_ms={max(samples):.1f}"
        )
    from tongban.stats import dashboards as dash

    cold: dict[str, list[float]] = {"comparison year": [], "trend 365 days": []}
    for _ in range(20):  # the sums themselves, without the cache (what a new roll-up costs once)
        t1 = time.perf_counter()
        dash.unit_comparison_uncached(dash.parse_period("year"))
        cold["comparison year"].append((time.perf_counter() - t1) * 1000)
        t1 = time.perf_counter()
        dash.trends_uncached(365)
        cold["trend 365 days"].append((time.perf_counter() - t1) * 1000)
    for label, samples in cold.items():
        print(f"uncached selector, {label}: n=20 p50_ms={pct(samples, 50):.1f} p95_ms={pct(samples, 95):.1f}")
    shell, _q = measure(client, "/stats/changelog/")
    print(
        f"page shell alone (/stats/changelog/, empty): p50_ms={pct(shell, 50):.1f} p95_ms={pct(shell, 95):.1f}"
    )
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (figures scale with other work on the machine)"
    )
    connection.creation.destroy_test_db(os.environ["TONGBAN_TEST_DB_NAME"], verbosity=0)


if __name__ == "__main__":
    main()
