"""The portal's site search over the demo site: p50/p95/max of
(a) ``tongban.portal.search.search_site`` for ~30 typical visitor queries (single words, two words,
    a 文号, a rare word, no hits, a column filter, a date range, a later page), and
(b) a GET ``/portal/search/?q=…`` through the Django test client (view + template), same queries.

Steps: a throwaway TONGBAN_VAR_DIR, a throwaway database (migrated), the orgs demo + the portal demo
(``tongban.portal.demo_site``, which also indexes the site through ``search.reindex_site``), then
each query is run ROUNDS times (default 5) after one warm-up round. Target: p95 < 100 ms.

Run: python bench/bench_portal_search.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set
    (a throwaway database ``<db>_bench_portal_search`` is created on that server and dropped after);
  - otherwise a throwaway SQLite file in the temp directory.
BENCH_ROUNDS=N changes the number of timed rounds."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-portal-search-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if PG_URL:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = PG_URL
    os.environ["TONGBAN_TEST_DB_NAME"] = PG_URL.rsplit("/", 1)[-1] + "_bench_portal_search"
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def queries(home: Any) -> list[dict[str, Any]]:
    """~30 queries a visitor types: words of the demo's columns, a 文号 of a policy document, rare
    and absent words, filters by column and by date."""
    from tongban.portal.models import ColumnPage, PolicyDocumentPage

    number = (
        PolicyDocumentPage.objects.descendant_of(home)
        .live()
        .exclude(doc_number="")
        .order_by("-publish_date")
        .values_list("doc_number", flat=True)
        .first()
    ) or "青政发〔2026〕1号"
    columns = list(
        ColumnPage.objects.descendant_of(home).live().order_by("path").values_list("pk", flat=True)
    )
    first_col = columns[0] if columns else None
    mid_col = columns[len(columns) // 2] if columns else None
    today = dt.date.today()
    year_ago = today - dt.timedelta(days=365)
    q: list[dict[str, Any]] = [
        {"q": "通知"},
        {"q": "乡村振兴"},
        {"q": "安全生产"},
        {"q": "营商环境"},
        {"q": "森林防火"},
        {"q": "招商引资"},
        {"q": "食品安全"},
        {"q": "城关镇"},
        {"q": "青山县"},
        {"q": "会议"},
        {"q": "采购"},
        {"q": "政策解读"},
        {"q": "县长"},
        {"q": "项目建设"},
        {"q": "就业创业"},
        {"q": "乡村振兴 项目"},
        {"q": "安全生产 检查"},
        {"q": "城关镇 环境"},
        {"q": "县政府 常务会议"},
        {"q": "防汛 抗旱"},
        {"q": number},
        {"q": "冰雹"},
        {"q": "区块链"},
        {"q": "量子计算机"},  # no hits
        {"q": "通知", "column_id": first_col},
        {"q": "工作", "column_id": mid_col},
        {"q": "青山县", "start": year_ago, "end": today},
        {"q": "会议", "start": today - dt.timedelta(days=90), "end": today},
        {"q": "通知", "page": 3},
        {"q": "工作", "column_id": first_col, "start": year_ago, "end": today},
    ]
    return q


def as_params(q: dict[str, Any]) -> dict[str, str]:
    out = {"q": q["q"]}
    if q.get("column_id"):
        out["column"] = str(q["column_id"])
    for key in ("start", "end"):
        if q.get(key):
            out[key] = q[key].isoformat()
    if q.get("page"):
        out["page"] = str(q["page"])
    return out


def report(label: str, samples: list[float]) -> None:
    print(
        f"{label}: n={len(samples)} p50_ms={pct(samples, 50):.1f} p95_ms={pct(samples, 95):.1f} "
        f"max_ms={max(samples):.1f} mean_ms={statistics.mean(samples):.1f} (target p95 < 100)"
    )


def main() -> None:
    setup_test_environment()
    started = time.perf_counter()
    db_name = connection.creation.create_test_db(verbosity=0)
    try:
        from django.test import Client

        from tongban.core.demo import DemoContext
        from tongban.orgs import demo
        from tongban.orgs.services import seed_apply
        from tongban.portal import demo_site, search
        from tongban.portal.models import HomePage
        from tongban.search.models import SearchEntry

        migrated = time.perf_counter() - started
        seed_apply(plan=demo.build_plan())
        line = demo_site.seed(DemoContext(usernames=[a[1] for a in demo.DEMO_ACCOUNTS]))
        seeded = time.perf_counter() - started - migrated
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        home = HomePage.objects.get(county__code=demo.COUNTY_CODE)
        entries = SearchEntry.objects.filter(kind="portal.page").count()
        print(
            f"portal search: vendor={connection.vendor} entries={entries:,} migrate_s={migrated:.1f} seed_s={seeded:.1f}"
        )
        print(f"  {line}")
        qs = queries(home)

        totals: dict[str, int] = {}
        for q in qs:  # warm-up round (a running server is warm)
            res = search.search_site(home, q["q"], **{k: v for k, v in q.items() if k != "q"})
            assert not res.problem, (q, res.problem)
            totals[repr(q)] = res.total
        samples: list[float] = []
        for _round in range(ROUNDS):
            for q in qs:
                t0 = time.perf_counter()
                res = search.search_site(home, q["q"], **{k: v for k, v in q.items() if k != "q"})
                [(str(h.title), str(h.snippet), h.url) for h in res.hits]
                samples.append((time.perf_counter() - t0) * 1000)
        with_hits = sum(1 for t in totals.values() if t)
        print(
            f"search_site: queries={len(qs)} with_hits={with_hits} "
            f"mean_total={statistics.mean(totals.values()):.0f} max_total={max(totals.values())}"
        )
        report("search_site", samples)

        client = Client()
        for q in qs:
            response = client.get("/portal/search/", as_params(q))
            assert response.status_code == 200, (q, response.status_code)
        samples = []
        for _round in range(ROUNDS):
            for q in qs:
                t0 = time.perf_counter()
                response = client.get("/portal/search/", as_params(q))
                samples.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
        report("GET /portal/search/", samples)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
