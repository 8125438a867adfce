"""Demo hook (order 800): about 60 days of believable log-in history for the demo county's staff,
written as real audit records (``identity.login_succeeded``, appended to the hash chain in one
locked batch so ``audit_verify`` stays clean), then the roll-up computes every day (the other
domains' demo documents, notices, meetings, cases and letters are counted as they are) and a
snapshot is taken. Idempotent: the history is written once (marked ``new.demo_history``)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from tongban.core.audit import canonical, chain_hash
from tongban.core.calendar import is_workday
from tongban.core.demo import DemoContext
from tongban.core.models import AuditChainHead, AuditRecord
from tongban.orgs.models import Post
from tongban.stats import rollup, snapshot
from tongban.stats.sources_builtin import LOGIN_EVENT

DAYS = 60


def _plan(today: date) -> list[tuple[datetime, int, str, int | None]]:
    """(time, user id, username, unit id) of each log-in, in time order."""
    rnd = random.Random(2026)
    people = list(
        Post.objects.filter(is_primary=True, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "user__username", "unit_id")
    )
    # Each person has a habit: most log in nearly every working day, a few rarely.
    habit = {uid: rnd.choice((0.95, 0.9, 0.85, 0.7, 0.5, 0.2)) for uid, _n, _u in people}
    out: list[tuple[datetime, int, str, int | None]] = []
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        work = is_workday(day)
        for uid, username, unit_id in people:
            if rnd.random() > (habit[uid] if work else 0.04):
                continue
            for _i in range(rnd.choice((1, 1, 1, 2, 2, 3))):
                minute = rnd.randint(7 * 60 + 40, 17 * 60 + 50)
                at = timezone.make_aware(
                    datetime.combine(day, time(minute // 60, minute % 60, rnd.randint(0, 59)))
                )
                out.append((at, uid, username, unit_id))
    out.sort()
    return out


def append_logins(
    plan: list[tuple[datetime, int, str, int | None]], *, new: dict[str, object] | None = None
) -> int:
    """Append past log-ins ``(at, user id, username, unit id)`` to the audit chain in one locked
    batch (valid hashes, consecutive seq; the head is moved one record at a time, as its trigger demands): the demo history, the tests and the benchmark."""
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        seq, prev = head.seq, head.hash
        rows: list[AuditRecord] = []
        for at, uid, username, unit_id in plan:
            seq += 1
            fields = {
                "event": LOGIN_EVENT, "actor_id": uid, "actor_name": username, "ip": "10.20.1.15",
                "unit_id": unit_id, "object_type": "identity.user", "object_id": str(uid),
                "object_repr": username, "old": None, "new": new,
                "message": "password", "success": True,
            }  # fmt: skip
            digest = chain_hash(prev, canonical(seq=seq, at=at, **fields))  # type: ignore[arg-type]
            rows.append(AuditRecord(seq=seq, at=at, prev_hash=prev, hash=digest, **fields))
            prev = digest
        AuditRecord.objects.bulk_create(rows, batch_size=2000)
        # The chain head may only move forward one record at a time (a database trigger).
        for r in rows:
            AuditChainHead.objects.filter(id=1).update(seq=r.seq, hash=r.hash)
    return len(rows)


def seed(ctx: DemoContext) -> str:
    written = 0
    if not AuditRecord.objects.filter(event=LOGIN_EVENT, new__demo_history=True).exists():
        written = append_logins(_plan(timezone.localdate()), new={"demo_history": True})
    days = rollup.run_pending()
    snapshot.take()
    return f"统计计算：写入 {written} 条历史登录记录，计算 {days} 天的日统计"
