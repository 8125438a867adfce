"""Full-text search over N documents: 200 varied queries (common and rare words, two-word
queries, document numbers, unit names, with and without filters, later pages) through
``tongban.search.selectors.search`` for demo users, one page of results each, p50/p95.

Run: python bench/bench_search.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set
    (a throwaway database ``<db>_bench_search`` is created on that server): N = 200,000.
  - Otherwise a throwaway SQLite file: N = 20,000.
  - TONGBAN_BENCH_DOCS=N overrides N; TONGBAN_BENCH_KEEP=1 keeps (and reuses) the database.
The documents are made by ``tongban.documents.bulk_seed`` (as ``manage.py seed_demo --documents N``)."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-search-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
KEEP = os.environ.get("TONGBAN_BENCH_KEEP", "") == "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if PG_URL:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = PG_URL
    os.environ["TONGBAN_TEST_DB_NAME"] = PG_URL.rsplit("/", 1)[-1] + "_bench_search"
    DEFAULT_N = 200_000
else:
    keep_dir = Path(tempfile.gettempdir()) / "tb-bench-search-keep"
    keep_dir.mkdir(exist_ok=True)
    base = keep_dir if KEEP else TMP
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{base / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(base / "bench-test.sqlite3")
    DEFAULT_N = 20_000
N = int(os.environ.get("TONGBAN_BENCH_DOCS", DEFAULT_N))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def queries(rnd: random.Random) -> list[dict[str, object]]:
    from tongban.documents import bulk_seed
    from tongban.documents.models import Document
    from tongban.orgs.models import Unit

    words = sorted({w for _s, keys in bulk_seed.SUBJECTS for w in keys.split()})
    numbers = list(
        Document.objects.exclude(doc_number="").order_by("?").values_list("doc_number", flat=True)[:40]
    )
    units = list(Unit.objects.exclude(short_name="").values_list("pk", "short_name"))
    common = ["通知", "工作", "关于", "资金", "检查", "青山县"]
    rare = ["地震", "无人机", "区块链", "冰雹", "听证"]
    out: list[dict[str, object]] = []
    for i in range(200):
        kind = i % 10
        if kind in (0, 1):
            out.append({"q": rnd.choice(words)})
        elif kind == 2:
            out.append({"q": " ".join(rnd.sample(words, 2))})
        elif kind == 3:
            out.append({"q": rnd.choice(numbers) if numbers else "青政发"})
        elif kind == 4:
            out.append({"q": rnd.choice(common)})
        elif kind == 5:
            out.append({"q": rnd.choice(rare)})
        elif kind == 6:
            out.append({"q": rnd.choice(words), "year": rnd.choice([2025, 2026])})
        elif kind == 7:
            pk, _short = rnd.choice(units)
            out.append({"q": rnd.choice(common + words), "unit_id": pk})
        elif kind == 8:
            out.append({"q": rnd.choice(words), "page": rnd.randint(2, 5)})
        else:
            out.append({"q": rnd.choice(words) + rnd.choice(["工作", "方案", "通知"])})
    return out


def main() -> None:
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, keepdb=KEEP)
    from tongban.documents import bulk_seed
    from tongban.documents.models import Document
    from tongban.identity.models import User
    from tongban.orgs import demo
    from tongban.orgs.models import County
    from tongban.orgs.services import seed_apply
    from tongban.search import registry, selectors
    from tongban.search.models import SearchEntry

    if not County.objects.filter(code=demo.COUNTY_CODE).exists():
        seed_apply(plan=demo.build_plan())
    county = County.objects.get(code=demo.COUNTY_CODE)
    have = Document.objects.filter(county=county).count()
    seed_s = 0.0
    if have < N:
        print(f"seeding {N - have:,} documents ({connection.vendor}) …", flush=True)
        result = bulk_seed.seed_documents(N - have, county=county, stdout=sys.stdout)
        seed_s = result.seconds
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    kinds = [k.kind for k in registry.kinds()]
    print(
        f"search: vendor={connection.vendor} documents={Document.objects.count():,} "
        f"entries={SearchEntry.objects.count():,} kinds={kinds} seed_s={seed_s:.1f}"
    )
    rnd = random.Random(11)
    qs = queries(rnd)
    for login in ("clerk", "czclerk", "countyleader"):
        user = User.objects.get(username=login)
        for q in qs[:5]:  # warm the caches (a running server is warm)
            selectors.search(user=user, **q)  # type: ignore[arg-type]
        samples: list[float] = []
        hits = 0
        for q in qs:
            t0 = time.perf_counter()
            res = selectors.search(user=user, **q)  # type: ignore[arg-type]
            rows = [(h.title, str(h.snippet), h.url) for h in res.hits]
            samples.append((time.perf_counter() - t0) * 1000)
            hits += res.total
            assert len(rows) <= res.per_page
        print(f"search {login}: n={len(samples)} mean_total={hits / len(samples):.0f}")
        print(f"search {login} p50_ms={pct(samples, 50):.1f}")
        print(f"search {login} p95_ms={pct(samples, 95):.1f} (target < 100)")
        print(f"search {login} mean_ms={statistics.mean(samples):.1f} max_ms={max(samples):.1f}")
    if not KEEP:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
