"""The daily roll-up of a county-year of raw events (``tongban.stats.rollup.run_pending`` over every
day of the year): ≈100,000 documents (with their recipients and ≈300,000 work items), 1,000,000
log-ins, notices, cases, letters and meetings, over ~250 working days, for ~2,000 people in ~130
units. The events are seeded with bulk SQL (COPY on PostgreSQL); the seeding time is printed but is
not part of the figure. Target: the whole year < 60 s on PostgreSQL.

Run: python bench/bench_stats_rollup.py
  - PostgreSQL when TONGBAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> is set (a
    throwaway database ``<db>_bench_rollup`` is created on that server and dropped afterwards).
  - Otherwise a throwaway SQLite file, at TONGBAN_BENCH_ROLLUP_SCALE (default 0.2) of the size.
  - TONGBAN_BENCH_ROLLUP_SCALE=x scales every count (1.0 = the county-year).

The benchmark's audit rows are not hash-chained (a throwaway database; the roll-up does not read
the hashes). Prints total seconds, per-day milliseconds (mean, p95, max) and the rows written."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-rollup-"))
PG_URL = os.environ.get("TONGBAN_BENCH_DATABASE_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
if PG_URL:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = PG_URL
    os.environ["TONGBAN_TEST_DB_NAME"] = PG_URL.rsplit("/", 1)[-1] + "_bench_rollup"
    DEFAULT_SCALE = 1.0
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")
    DEFAULT_SCALE = 0.2
SCALE = float(os.environ.get("TONGBAN_BENCH_ROLLUP_SCALE", DEFAULT_SCALE))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

UNITS, PEOPLE, WORKDAYS = 130, 2000, 250
DOCS, LOGINS = int(100_000 * SCALE), int(1_000_000 * SCALE)


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def aware(day: date, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(minute // 60, minute % 60)))


def seed(rnd: random.Random, workdays: list[date]) -> dict[str, int]:
    from tongban.approvals.models import Case, CaseStatus, ItemVersion, ServiceItem
    from tongban.core.bulk import allocate_ids, write_rows
    from tongban.core.models import AuditRecord
    from tongban.documents.models import DocStatus, Document, Recipient
    from tongban.identity.models import User
    from tongban.interaction.models import Letter, LetterStatus, Mailbox, MailboxKind
    from tongban.meetings.models import Attendee, Meeting, MeetingStatus
    from tongban.notices.models import Notice, NoticeReceipt, NoticeStatus
    from tongban.orgs.models import County, Post, Unit
    from tongban.workflow.models import ProcessDefinition, ProcessInstance, WorkItem

    county = County.objects.create(name="基准县", code="990099")
    units = Unit.objects.bulk_create(
        Unit(county=county, unit_code=f"U{i:03d}", name=f"单位{i}", kind="gov_dept") for i in range(UNITS)
    )
    users = User.objects.bulk_create(
        User(username=f"p{i:04d}", full_name=f"人员{i}", password="!") for i in range(PEOPLE)
    )
    unit_of = {u.pk: units[i % UNITS].pk for i, u in enumerate(users)}
    Post.objects.bulk_create(Post(county=county, user=u, unit_id=unit_of[u.pk]) for u in users)
    uids = [u.pk for u in users]
    definition = ProcessDefinition.objects.create(
        county=county, key="b", version=1, name="b", process_id="b", bpmn_xml="<x/>", sha256="0"
    )
    inst = ProcessInstance.objects.create(
        county=county, definition=definition, subject_type="documents.document", subject_id=0, title="b",
        starter=users[0], state_json="{}",
    )  # fmt: skip
    counts: dict[str, int] = {}
    now = timezone.now()
    # log-ins: 1,000,000 audit records (not chained: a throwaway database)
    per_day = LOGINS // len(workdays)
    rows = []
    seq = 0
    for day in workdays:
        for _i in range(per_day):
            seq += 1
            uid = rnd.choice(uids)
            rows.append(
                (seq, aware(day, rnd.randint(450, 1070)), "identity.login_succeeded", uid, "p", unit_of[uid],
                 "identity.user", str(uid), "p", "", True, "0" * 64, f"{seq:064x}")
            )  # fmt: skip
        if len(rows) > 50_000:
            write_rows(AuditRecord, ("seq", "at", "event", "actor_id", "actor_name", "unit_id", "object_type",
                                     "object_id", "object_repr", "message", "success", "prev_hash", "hash"), rows)  # fmt: skip
            rows = []
    write_rows(AuditRecord, ("seq", "at", "event", "actor_id", "actor_name", "unit_id", "object_type",
                             "object_id", "object_repr", "message", "success", "prev_hash", "hash"), rows)  # fmt: skip
    counts["logins"] = seq
    # documents, recipients, work items (2 tasks and 1 待阅 per document)
    doc_ids = allocate_ids(Document, DOCS)
    docs, recips, items = [], [], []
    item_ids = iter(allocate_ids(WorkItem, DOCS * 3))
    rec_ids = iter(allocate_ids(Recipient, DOCS * 3))
    for n, pk in enumerate(doc_ids):
        day = workdays[n * len(workdays) // DOCS]
        by = rnd.choice(uids)
        created = aware(day, rnd.randint(480, 1000))
        issued = rnd.random() < 0.8
        docs.append((pk, county.pk, unit_of[by], by, created, created, DocStatus.ISSUED if issued else DocStatus.REVIEW,
                     "关于基准测试的通知", created + timedelta(hours=3) if issued else None))  # fmt: skip
        if issued:
            for k in range(rnd.randint(1, 5)):
                recips.append((next(rec_ids), pk, "main", units[(n + k) % UNITS].pk))
        for k in range(2):
            who = rnd.choice(uids)
            start = created + timedelta(minutes=30 + 60 * k)
            done = start + timedelta(minutes=rnd.randint(5, 600))
            due = start + timedelta(hours=8)
            items.append((next(item_ids), county.pk, inst.pk, "task", "办理", "t", "documents.document", pk, who,
                          unit_of[who], "done", due, start, done, who))  # fmt: skip
        reader = rnd.choice(uids)
        items.append((next(item_ids), county.pk, inst.pk, "read", "阅知", "t", "documents.document", pk, reader,
                      unit_of[reader], "done", None, created, None, None))  # fmt: skip
    write_rows(Document, ("id", "county_id", "unit_id", "created_by_id", "created_at", "updated_at", "status",
                          "title", "issued_at"), docs)  # fmt: skip
    write_rows(Recipient, ("id", "document_id", "kind", "unit_id"), recips)
    write_rows(WorkItem, ("id", "county_id", "instance_id", "kind", "step_name", "title", "subject_type",
                          "subject_id", "assignee_id", "unit_id", "status", "due_at", "created_at", "completed_at",
                          "completed_by_id"), items)  # fmt: skip
    with connection.cursor() as cur:  # the 待阅 are read an hour after they arrive
        cur.execute(
            "UPDATE workflow_workitem SET read_at = created_at + interval '1 hour' WHERE kind = 'read'"
            if connection.vendor == "postgresql"
            else "UPDATE workflow_workitem SET read_at = datetime(created_at, '+1 hour') WHERE kind = 'read'"
        )
    counts |= {"documents": len(docs), "recipients": len(recips), "work_items": len(items)}
    # notices: one a working day to 300 people, 80 % read the same day
    receipts = []
    for day in workdays:
        n = Notice.objects.create(county=county, unit=units[0], author=users[0], title="通知",
                                  status=NoticeStatus.PUBLISHED, published_at=aware(day, 500))  # fmt: skip
        for uid in rnd.sample(uids, int(300 * SCALE) or 1):
            receipts.append((n.pk, uid, unit_of[uid], aware(day, 600) if rnd.random() < 0.8 else None))
    write_rows(NoticeReceipt, ("notice_id", "user_id", "unit_id", "read_at"), receipts)
    counts["notice_receipts"] = len(receipts)
    # cases: 80 a working day, decided; letters: 12 a working day; meetings: 2 a day with 20 people
    item = ServiceItem.objects.create(
        county=county, code="B1", department=units[1], name="事项", item_type="permit"
    )
    version = ItemVersion.objects.create(item=item, number=1, name="事项", item_type="permit",
                                         implementing_unit=units[1], legal_basis="法", statutory_limit=20,
                                         committed_limit=10)  # fmt: skip
    cases = []
    box = Mailbox.objects.create(county=county, kind=MailboxKind.LEADER, name="县长信箱")
    letters = []
    attendees = []
    for d, day in enumerate(workdays):
        for k in range(int(80 * SCALE)):
            u = units[k % UNITS].pk
            cases.append((county.pk, f"B{d:03d}{k:04d}", item.pk, version.pk, u, "person", "张三", "1", "1",
                          aware(day, 540), day, CaseStatus.COMPLETED, False, day,
                          day + timedelta(days=rnd.choice((-1, 3, 5))), now, now))  # fmt: skip
        for k in range(int(12 * SCALE) or 1):
            letters.append((county.pk, box.pk, f"L{d:03d}{k:03d}", "consult", "咨询", "内容", "王五", "1",
                            day - timedelta(days=5), day, LetterStatus.ANSWERED, day, units[k % UNITS].pk,
                            rnd.random() < 0.9, now, now))  # fmt: skip
        for k in range(2):
            m = Meeting.objects.create(county=county, title="会议", host_unit=units[k], organiser=users[0],
                                       chair=users[0], starts_at=aware(day, 540 + 300 * k),
                                       ends_at=aware(day, 600 + 300 * k), status=MeetingStatus.ENDED)  # fmt: skip
            for uid in rnd.sample(uids, 20):
                attendees.append((m.pk, uid, unit_of[uid], aware(day, 535) if rnd.random() < 0.9 else None))
    write_rows(Case, ("county_id", "tracking_no", "item_id", "version_id", "unit_id", "applicant_kind",
                      "applicant_name", "applicant_id_number", "applicant_phone", "received_at", "received_on",
                      "status", "is_open", "decided_on", "due_committed", "created_at", "updated_at"), cases)  # fmt: skip
    write_rows(Letter, ("county_id", "mailbox_id", "tracking_code", "kind", "title", "content", "writer_name",
                        "phone", "received_on", "due_on", "status", "answered_on", "reply_unit_id", "on_time",
                        "created_at", "updated_at"), letters)  # fmt: skip
    write_rows(Attendee, ("meeting_id", "user_id", "unit_id", "signed_in_at"), attendees)
    counts |= {"cases": len(cases), "letters": len(letters), "attendees": len(attendees)}
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return counts


def main() -> None:
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        from tongban.stats import rollup
        from tongban.stats.models import RollupDay, UnitDay, UserDay

        today = timezone.localdate()
        first = today - timedelta(days=365)
        weekdays = [
            first + timedelta(days=i) for i in range(365) if (first + timedelta(days=i)).weekday() < 5
        ]
        workdays = weekdays[-WORKDAYS:]
        rnd = random.Random(7)
        t0 = time.perf_counter()
        with transaction.atomic():
            counts = seed(rnd, workdays)
        seeded = time.perf_counter() - t0
        print(f"[{connection.vendor}] scale {SCALE}: seeded in {seeded:.1f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()))  # fmt: skip
        t0 = time.perf_counter()
        days = rollup.run_pending(until=today - timedelta(days=1))
        total = time.perf_counter() - t0
        per_day = list(RollupDay.objects.values_list("duration_ms", flat=True))
        work = set(workdays)
        per_work = list(RollupDay.objects.filter(day__in=work).values_list("duration_ms", flat=True))
        print(
            f"[{connection.vendor}] roll-up of {days} days: {total:.1f} s total; per day mean "
            f"{statistics.mean(per_day):.0f} ms, working day mean {statistics.mean(per_work):.0f} ms, "
            f"p95 {pct(per_day, 95):.0f} ms, max {max(per_day)} ms; rows: UserDay {UserDay.objects.count():,}, "
            f"UnitDay {UnitDay.objects.count():,}"
        )
        t0 = time.perf_counter()
        again = rollup.run_pending(until=today - timedelta(days=1))
        print(f"[{connection.vendor}] second run: {again} days computed in {time.perf_counter() - t0:.2f} s")
        target = 60.0 if connection.vendor == "postgresql" and SCALE >= 1 else None
        if target is not None:
            print(f"target < {target:.0f} s: {'OK' if total < target else 'MISSED'}")
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
