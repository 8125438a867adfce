"""Address-book search over the demo county (2,018 staff): 1,000 searches through the selector
(names, pinyin, initials, phone fragments, unit names), one page of results each, p50/p95.

Run: python bench/bench_addressbook.py (seeds the demo county into a throwaway SQLite file)."""

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
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-addressbook-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from tongban.identity.models import User
    from tongban.orgs import demo, selectors
    from tongban.orgs.models import County, Unit
    from tongban.orgs.services import seed_apply

    started = time.perf_counter()
    seed_apply(plan=demo.build_plan())
    seed_s = time.perf_counter() - started
    county = County.objects.get(code=demo.COUNTY_CODE)
    rnd = random.Random(7)
    users = list(
        User.objects.exclude(mobile="").values_list("full_name", "pinyin", "pinyin_initials", "mobile")
    )
    units = list(Unit.objects.filter(county=county).values_list("short_name", flat=True))
    queries: list[str] = []
    for i in range(1000):
        name, pinyin, initials, mobile = rnd.choice(users)
        kind = i % 6
        if kind == 0:
            queries.append(name)
        elif kind == 1:
            queries.append(name[0])  # a surname: many results
        elif kind == 2:
            queries.append(pinyin[: rnd.randint(3, len(pinyin))])
        elif kind == 3:
            queries.append(initials)
        elif kind == 4:
            start = rnd.randint(0, 6)
            queries.append(mobile[start : start + 5])
        else:
            queries.append(rnd.choice(units))
    samples = []
    total_hits = 0
    for q in queries:
        t0 = time.perf_counter()
        page = selectors.addressbook_search(county=county, q=q, per_page=20)
        rows = [
            (p.user.full_name, p.unit.name, p.office.name if p.office else "", p.title)
            for p in page.object_list
        ]
        samples.append((time.perf_counter() - t0) * 1000)
        total_hits += page.paginator.count
        assert rows or page.paginator.count == 0
    print(f"addressbook: staff={User.objects.count()} units={Unit.objects.count()} seed_s={seed_s:.2f}")
    print(f"addressbook search: n={len(samples)} mean_hits={total_hits / len(samples):.1f}")
    print(f"addressbook search p50_ms={pct(samples, 50):.2f}")
    print(f"addressbook search p95_ms={pct(samples, 95):.2f} (target < 30)")
    print(f"addressbook search mean_ms={statistics.mean(samples):.2f} max_ms={max(samples):.2f}")
    connection.creation.destroy_test_db(str(TMP / "bench-test.sqlite3"), verbosity=0)


if __name__ == "__main__":
    main()
