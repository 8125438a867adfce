"""The 待办 inbox page over 200,000 work items: one busy user (hundreds of open items of their own
and pooled to their role, thousands done) among everybody else's items. Measures the whole page
through the test client (session, navigation badges, template) — p50/p95 and the number of
queries, which must not depend on how many items there are.

Run: python bench/bench_inbox.py (a throwaway SQLite file), or with
TONGBAN_BENCH_DATABASE_URL=postgres://user@host:5432/postgres on PostgreSQL (a throwaway
test database is created next to it). BENCH_ITEMS changes the 200,000."""

from __future__ import annotations

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
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-inbox-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if os.environ.get("TONGBAN_BENCH_DATABASE_URL"):
    os.environ["TONGBAN_TEST_DATABASE_URL"] = os.environ["TONGBAN_BENCH_DATABASE_URL"]
    os.environ["TONGBAN_TEST_DB_NAME"] = "tb_bench_inbox"
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

TOTAL = int(os.environ.get("BENCH_ITEMS", "200000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def seed() -> tuple[object, int]:
    from django.utils import timezone

    from tongban.identity.models import User
    from tongban.orgs import demo
    from tongban.orgs.models import County, RoleGrant
    from tongban.orgs.services import seed_apply
    from tongban.workflow import definitions, registry
    from tongban.workflow.models import ProcessInstance, WorkItem

    seed_apply(plan=demo.build_plan(staff=400))
    county = County.objects.get(code=demo.COUNTY_CODE)
    registry.register_default_definition(
        key="bench.simple", name="基准流程", path=ROOT / "src/tongban/workflow/tests/bpmn/simple.bpmn"
    )
    registry.register_subject(subject_type="bench.doc", url=lambda pk: f"/documents/{pk}/", label="发文")
    definitions.sync_default_definitions(keys=["bench.simple"])
    definition = definitions.active_definition("bench.simple")
    me = User.objects.get(username="officehead")  # 办公室主任, 政府办: own items + pooled role items
    grants = list(RoleGrant.objects.filter(county=county).values_list("unit_id", "role"))
    my_grants = set(RoleGrant.objects.filter(user=me).values_list("unit_id", "role"))
    others = list(User.objects.filter(admin_role="").exclude(pk=me.pk).values_list("pk", flat=True))
    rnd = random.Random(11)
    n_inst = max(1, TOTAL // 20)
    now = timezone.now()
    instances = [
        ProcessInstance(
            county=county,
            definition=definition,
            subject_type="bench.doc",
            subject_id=i + 1,
            title=f"关于2026年第{i + 1}批专项资金安排的请示",
            starter_id=rnd.choice(others),
            state_json="{}",
            urgency=rnd.choice(["", "", "", "加急", "特急"]),
        )
        for i in range(n_inst)
    ]
    ProcessInstance.objects.bulk_create(instances, batch_size=2000)
    inst_rows = list(
        ProcessInstance.objects.values_list("pk", "subject_id", "title", "urgency", "starter_id")
    )
    steps = [("review", "办公室核稿"), ("sign", "领导签发"), ("countersign", "会签"), ("draft", "拟稿")]
    batch: list[WorkItem] = []
    made = mine_open = 0
    started = time.perf_counter()
    for k in range(TOTAL):
        pk, sid, title, urgency, starter = inst_rows[k % len(inst_rows)]
        step, name = steps[k % len(steps)]
        roll = rnd.random()
        item = WorkItem(
            county=county,
            instance_id=pk,
            kind="task",
            step=step,
            step_name=name,
            title=title,
            subject_type="bench.doc",
            subject_id=sid,
            urgency=urgency,
            sender_id=starter,
            created_at=now,
        )
        if roll < 0.0015:  # ~300 open items assigned to me
            item.assignee = me
            mine_open += 1
        elif roll < 0.003:  # ~300 open items pooled to one of my roles
            unit_id, role = rnd.choice(sorted(my_grants))
            item.unit_id, item.role = unit_id, role
            mine_open += 1
        elif roll < 0.02:  # my done items
            item.assignee = me
            item.status = "done"
            item.completed_by = me
            item.completed_at = now
            item.action = "submit"
        elif roll < 0.35:  # pooled items of other units/roles
            unit_id, role = rnd.choice(grants)
            if (unit_id, role) in my_grants:
                unit_id, role = grants[0] if grants[0] not in my_grants else grants[-1]
            item.unit_id, item.role = unit_id, role
            item.status = rnd.choice(["open", "done", "done"])
        else:
            who = rnd.choice(others)
            item.assignee_id = who
            if rnd.random() < 0.8:
                item.status = "done"
                item.completed_by_id = who
                item.completed_at = now
                item.action = "submit"
        if rnd.random() < 0.1:
            item.due_at = now + timezone.timedelta(days=rnd.randint(-3, 10))
        batch.append(item)
        if len(batch) >= 5000:
            WorkItem.objects.bulk_create(batch)
            made += len(batch)
            batch = []
            print(f"\r  seeding work items {made:,}/{TOTAL:,}", end="", flush=True)
    WorkItem.objects.bulk_create(batch)
    made += len(batch)
    print(f"\r  seeded {made:,} work items in {time.perf_counter() - started:.1f} s")
    # created_at is auto_now_add: spread it so the ordering is realistic
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("UPDATE workflow_workitem SET created_at = now() - (id % 5000) * interval '1 minute'")
            cur.execute("ANALYZE workflow_workitem")
        else:
            cur.execute(
                "UPDATE workflow_workitem SET created_at = datetime('now', '-' || (id % 5000) || ' minutes')"
            )
            cur.execute("ANALYZE")
    return me, mine_open


def main() -> None:
    logging.disable(logging.INFO)
    setup_test_environment()
    keep = os.environ.get("BENCH_KEEPDB") == "1"  # reuse a seeded database between runs
    connection.creation.create_test_db(verbosity=0, autoclobber=not keep, keepdb=keep)
    from django.test import Client

    from tongban.identity.models import User
    from tongban.workflow import selectors
    from tongban.workflow.models import WorkItem

    if keep and WorkItem.objects.count() >= TOTAL:
        me = User.objects.get(username="officehead")
        mine_open = selectors.inbox_counts(me)["todo"]
    else:
        me, mine_open = seed()
    client = Client()
    client.force_login(me)
    client.get("/workflow/inbox/todo/")  # warm up
    rnd = random.Random(3)
    samples: list[float] = []
    queries: list[int] = []
    pages = max(1, mine_open // selectors.PAGE_SIZE)
    for i in range(REQUESTS):
        params = {"page": rnd.randint(1, pages)}
        if i % 5 == 1:
            params["urgency"] = "特急"
        if i % 7 == 2:
            params["q"] = "专项资金"
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = client.get("/workflow/inbox/todo/", params)
            samples.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.status_code
        queries.append(len(ctx.captured_queries))
    shell = []
    for _ in range(50):  # the same page shell (navigation badges of every domain) with an empty box
        t0 = time.perf_counter()
        client.get("/workflow/inbox/read/")
        shell.append((time.perf_counter() - t0) * 1000)
    counts = selectors.inbox_counts(me)
    t_sel = []
    for _ in range(50):
        t0 = time.perf_counter()
        page = selectors.inbox(user=me, box="todo", page=rnd.randint(1, pages))
        assert page.rows
        t_sel.append((time.perf_counter() - t0) * 1000)
    print(
        f"inbox: db={connection.vendor} work_items={WorkItem.objects.count():,} "
        f"user_open={counts['todo']} (own+pooled)"
    )
    usual = statistics.mode(queries)
    print(
        f"inbox todo page: n={len(samples)} queries_per_page={usual} (all: {sorted(set(queries))}; "
        "an empty result skips the page query, a session refresh adds its writes)"
    )
    print(f"inbox todo page p50_ms={pct(samples, 50):.2f}")
    print(f"inbox todo page p95_ms={pct(samples, 95):.2f} (target < 100)")
    print(f"inbox todo page mean_ms={statistics.mean(samples):.2f} max_ms={max(samples):.2f}")
    print(f"inbox selector only p50_ms={pct(t_sel, 50):.2f} p95_ms={pct(t_sel, 95):.2f}")
    print(f"page shell with an empty box (已阅) p50_ms={pct(shell, 50):.2f} p95_ms={pct(shell, 95):.2f}")
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (figures scale with other work on the machine)"
    )
    if not keep:
        connection.creation.destroy_test_db(os.environ["TONGBAN_TEST_DB_NAME"], verbosity=0)


if __name__ == "__main__":
    main()
