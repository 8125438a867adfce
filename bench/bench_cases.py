"""Case list pages over N cases (``manage.py seed_demo --cases N``): the whole page through the
test client (session, navigation, template) — p50/p95 and the number of queries, which must not
grow with the number of cases:

- the staff list ``approvals:cases`` of the unit with the most cases, for one of its 审批人员
  (every box: 待受理, 待补正, 办理中, 挂起, 待制证, 已办结, 全部; first and later pages);
- the supervisor's lists: ``approvals:cases`` over the whole county and the open cases by light
  ``supervision:cases`` (and the dashboard ``supervision:dashboard``, for information);
- the citizen's ``ban:my_cases`` for the demo public account with the most cases.

Run: python bench/bench_cases.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set
    (a throwaway database ``<db>_bench_cases`` is created on that server): N = 1,000,000
    (≈ 100,000 open; target p95 < 100 ms).
  - Otherwise a throwaway SQLite file: N = 50,000.
  - TONGBAN_BENCH_CASES=N overrides N; TONGBAN_BENCH_KEEP=1 keeps (and reuses) the database.
  - TONGBAN_BENCH_EXISTING_DB=1 (with the PostgreSQL URL): measure the URL's own database, seeded
    beforehand (``TONGBAN_DATABASE_URL=… manage.py migrate && … seed_demo && … seed_cases N``);
    it is neither created nor dropped.
    ``bench/run.py`` leaves the database to ``bench_sweep.py``, which measures the sweep on the
    same cases and then drops it (TONGBAN_BENCH_CASES_SHARED=1).
The cases are made by ``tongban.approvals.bulk_seed`` (as ``manage.py seed_demo --cases N``)."""

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
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-cases-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
KEEP = os.environ.get("TONGBAN_BENCH_KEEP", "") == "1"
SHARED = os.environ.get("TONGBAN_BENCH_CASES_SHARED", "") == "1"
# an existing database seeded beforehand (manage.py migrate, seed_demo, seed_cases N, VACUUM
# ANALYZE): the URL's own database is used as it is — no test database, nothing dropped
EXISTING = bool(PG_URL) and os.environ.get("TONGBAN_BENCH_EXISTING_DB", "") == "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
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

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare(n: int) -> float:
    """The demo county and its catalogue (seed_demo), then cases until there are ``n``; the
    seconds the cases took (0 when they were there already)."""
    from django.core.management import call_command

    from tongban.approvals.models import Case

    out = io.StringIO()
    have = Case.objects.count()
    if have < n:  # a database seeded before is reused as it is (seed_demo's hooks read every case)
        started = time.perf_counter()
        call_command("seed_demo", stdout=out)
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
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return seconds


def measure(client: object, label: str, requests: list[tuple[str, dict[str, object]]]) -> None:
    """GET each (url, params) once after a warm-up; print p50/p95 and the query counts."""
    for url, params in requests[:5]:  # warm (a running server is warm)
        client.get(url, params)  # type: ignore[attr-defined]
    samples: list[float] = []
    queries: list[int] = []
    by_key: dict[str, list[float]] = {}
    for url, params in requests:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = client.get(url, params)  # type: ignore[attr-defined]
            ms = (time.perf_counter() - t0) * 1000
        assert resp.status_code == 200, (label, url, params, resp.status_code)
        samples.append(ms)
        queries.append(len(ctx.captured_queries))
        key = str(params.get("box") or params.get("light") or params.get("status") or "-")
        by_key.setdefault(key, []).append(ms)
    usual = statistics.mode(queries)
    print(f"{label}: n={len(samples)} queries_per_page={usual} (all: {sorted(set(queries))})")
    print(f"{label} p50_ms={pct(samples, 50):.1f}")
    print(f"{label} p95_ms={pct(samples, 95):.1f} (target < 100)")
    print(f"{label} mean_ms={statistics.mean(samples):.1f} max_ms={max(samples):.1f}")
    if len(by_key) > 1:
        parts = [f"{k} {pct(v, 50):.0f}/{pct(v, 95):.0f}" for k, v in by_key.items()]
        print(f"{label} by filter p50/p95 ms: " + ", ".join(parts))


def main() -> None:
    logging.disable(logging.WARNING)
    setup_test_environment()
    db_name = (
        connection.settings_dict["NAME"]
        if EXISTING
        else connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    )
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client, RequestFactory
    from django.urls import reverse

    from tongban.approvals.models import Case
    from tongban.identity import public
    from tongban.identity.models import PublicAccount, User
    from tongban.orgs.models import BusinessRole, RoleGrant, Unit

    seed_s = prepare(N)
    total = Case.objects.count()
    open_n = Case.objects.filter(is_open=True).count()
    print(f"cases: vendor={connection.vendor} cases={total:,} open={open_n:,} seed_s={seed_s:.1f}")
    rnd = random.Random(7)

    # the staff list of the unit with the most cases, for one of its case handlers
    handled = set(RoleGrant.objects.filter(role=BusinessRole.CASE_HANDLER).values_list("unit_id", flat=True))
    top = (
        Case.objects.filter(unit_id__in=handled)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert top is not None, "no case in a unit with a case handler"
    unit = Unit.objects.get(pk=top["unit_id"])
    grant = RoleGrant.objects.filter(unit=unit, role=BusinessRole.CASE_HANDLER).select_related("user").first()
    assert grant is not None
    unit_open = Case.objects.filter(unit=unit, is_open=True).count()
    print(f"staff list: unit={unit.name} cases={top['n']:,} open={unit_open:,} user={grant.user.username}")
    staff = Client()
    staff.force_login(grant.user)
    url = reverse("approvals:cases")
    boxes = ["pending", "supplement", "handling", "paused", "certify", "done", "all"]
    reqs: list[tuple[str, dict[str, object]]] = []
    for i in range(210):
        box = boxes[i % len(boxes)]
        page = 1 if i % 3 == 0 else rnd.randint(2, 6) if box in ("done", "all", "handling") else 1
        reqs.append((url, {"box": box, "page": page}))
    measure(staff, "staff case list (approvals:cases)", reqs)

    # the supervisor: the county's cases and the open cases by light
    sup = Client()
    sup.force_login(User.objects.get(username="supervisor"))
    reqs = []
    for i in range(140):
        box = ["pending", "handling", "certify", "done", "all"][i % 5]
        reqs.append((url, {"box": box, "page": 1 if i % 2 else rnd.randint(2, 5)}))
    measure(sup, "supervisor case list (approvals:cases, whole county)", reqs)
    url_open = reverse("supervision:cases")
    reqs = []
    for i in range(100):
        params: dict[str, object] = {"page": 1 if i % 2 else rnd.randint(2, 5)}
        light = ["", "red", "yellow", "warning", "green"][i % 5]
        if light:
            params["light"] = light
        reqs.append((url_open, params))
    measure(sup, "supervisor open cases by light (supervision:cases)", reqs)
    dash = reverse("supervision:dashboard")
    measure(sup, "supervisor dashboard (supervision:dashboard, for information)", [(dash, {})] * 30)

    # the citizen's own cases: the demo public account with the most cases
    demo_ids = list(PublicAccount.objects.exclude(password__startswith="!").values_list("pk", flat=True))
    mine = (
        Case.objects.filter(account_id__in=demo_ids)
        .values("account_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert mine is not None, "no case of a demo public account"
    account = PublicAccount.objects.get(pk=mine["account_id"])
    print(f"my cases: account={account.name} ({account.kind}) cases={mine['n']:,}")
    citizen = Client()
    request = RequestFactory().get("/")
    request.session = citizen.session
    public.login(request, account)
    request.session.save()
    citizen.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key or ""
    my = reverse("ban:my_cases")
    pages = max(1, mine["n"] // 20)
    reqs = []
    for i in range(120):
        params = {"page": 1 if i % 3 == 0 else rnd.randint(2, min(pages, 20) + 1)}
        status = ["", "open", "done"][i % 3]
        if status:
            params["status"] = status
        reqs.append((my, params))
    measure(citizen, "citizen my cases (ban:my_cases)", reqs)

    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        "(figures scale with other work on the machine)"
    )
    if not (KEEP or SHARED or EXISTING):
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
