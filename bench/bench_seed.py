"""Seeding time: ``manage.py seed_demo --documents N`` — the demo county, then N documents with
their numbers, routes (work items), search entries and archive records, with the progress bar.

Run: python bench/bench_seed.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set
    (a throwaway database ``<db>_bench_seed`` is created on that server): N = 200,000
    (target < 10 minutes on 2 cores).
  - Otherwise a throwaway SQLite file: N = 20,000.
  - TONGBAN_BENCH_DOCS=N overrides N."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-seed-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if PG_URL:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = PG_URL
    os.environ["TONGBAN_TEST_DB_NAME"] = PG_URL.rsplit("/", 1)[-1] + "_bench_seed"
    DEFAULT_N = 200_000
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")
    DEFAULT_N = 20_000
N = int(os.environ.get("TONGBAN_BENCH_DOCS", DEFAULT_N))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0)
    from tongban.archive.models import ArchiveRecord
    from tongban.documents.models import Document
    from tongban.search.models import SearchEntry
    from tongban.workflow.models import WorkItem

    started = time.perf_counter()
    call_command("seed_demo", documents=N, stdout=sys.stdout)
    total_s = time.perf_counter() - started
    docs = Document.objects.count()
    print(
        f"seed: vendor={connection.vendor} documents={docs:,} entries={SearchEntry.objects.count():,} "
        f"archive={ArchiveRecord.objects.count():,} work_items={WorkItem.objects.count():,}"
    )
    print(f"seed_demo --documents {N:,} total_s={total_s:.1f} (target < 600 for 200,000 on PostgreSQL)")
    print(f"seed rate_docs_per_s={docs / total_s:,.0f}")
    started = time.perf_counter()
    call_command("seed_documents", N, stdout=sys.stdout)  # already there: adds nothing
    print(f"seed second run (nothing to add) s={time.perf_counter() - started:.2f}")
    connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
