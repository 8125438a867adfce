"""The daily roll-up of a small world with hand-computed figures: 3 people in 2 units (plus the
考核管理员 in the 信息化中心), known log-ins, documents, tasks, notices, cases, letters and meetings
over 3 days → exact UserDay / UnitDay rows; incrementality; atomicity on failure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.approvals.models import Case, CaseStatus, ItemVersion, ServiceItem
from tongban.core import audit
from tongban.core.models import AuditRecord
from tongban.documents.models import DocStatus, Document, Recipient
from tongban.identity.models import User
from tongban.interaction.models import Letter, LetterStatus, Mailbox, MailboxKind
from tongban.meetings.models import Attendee, Meeting, MeetingStatus, Reply
from tongban.notices.models import Notice, NoticeReceipt, NoticeStatus
from tongban.orgs.models import BusinessRole, County, Office, Post, RoleGrant, Unit
from tongban.stats import rollup, sources
from tongban.stats.demo_rollup import append_logins
from tongban.stats.models import RollupDay, RollupStatus, UnitDay, UserDay
from tongban.stats.sources import DayWindow
from tongban.stats.sources_builtin import LOGIN_EVENT
from tongban.workflow.models import ProcessDefinition, ProcessInstance, WorkItem, WorkItemKind, WorkItemStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D1, D2, D3 = TODAY - timedelta(days=3), TODAY - timedelta(days=2), TODAY - timedelta(days=1)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def login(user: User, when: datetime, event: str = LOGIN_EVENT) -> None:
    if event == LOGIN_EVENT:
        append_logins([(when, user.pk, user.username, None)])
    else:
        audit.record(event, actor=user, object_type="identity.user", object_id=user.pk)


class World:
    def __init__(self) -> None:
        self.county = County.objects.create(name="测试县", code="990001")
        c = self.county
        self.a = Unit.objects.create(county=c, unit_code="A", name="财政局", kind="gov_dept")
        self.b = Unit.objects.create(county=c, unit_code="B", name="人社局", kind="gov_dept")
        self.i = Unit.objects.create(county=c, unit_code="I", name="信息化中心", kind="gov_dept")
        self.x = Unit.objects.create(
            county=c, unit_code="X", name="已撤销单位", kind="gov_dept", is_active=False
        )
        self.oa = Office.objects.create(county=c, unit=self.a, name="办公室")
        self.u1 = User.objects.create(username="u1", full_name="甲")
        self.u2 = User.objects.create(username="u2", full_name="乙")
        self.u3 = User.objects.create(username="u3", full_name="丙")
        self.u4 = User.objects.create(username="u4", full_name="丁", is_active=False)
        self.kaohe = User.objects.create(username="kaohe", full_name="考核管理员")
        self.clerk = User.objects.create(username="clerk", full_name="文书")
        Post.objects.create(county=c, user=self.u1, unit=self.a, office=self.oa)
        Post.objects.create(county=c, user=self.u2, unit=self.a)
        Post.objects.create(county=c, user=self.u3, unit=self.b)
        Post.objects.create(county=c, user=self.u4, unit=self.b)
        Post.objects.create(county=c, user=self.kaohe, unit=self.i)
        RoleGrant.objects.create(county=c, user=self.kaohe, unit=self.i, role=BusinessRole.ASSESSMENT_ADMIN)
        definition = ProcessDefinition.objects.create(
            county=c, key="t", version=1, name="t", process_id="t", bpmn_xml="<x/>", sha256="0"
        )
        self.instance = ProcessInstance.objects.create(
            county=c, definition=definition, subject_type="documents.document", subject_id=1, title="t",
            starter=self.u1, state_json="{}",
        )  # fmt: skip

    def item(
        self, *, kind: str = WorkItemKind.TASK, subject: str = "documents.document", **kw: Any
    ) -> WorkItem:
        created = kw.pop("created_at", None)
        w = WorkItem.objects.create(
            county=self.county, instance=self.instance, kind=kind, step_name="办理", title="t",
            subject_type=subject, subject_id=1, **kw,
        )  # fmt: skip
        if created is not None:
            WorkItem.objects.filter(pk=w.pk).update(created_at=created)
        return w

    def document(self, *, by: User, unit: Unit, created: datetime, **kw: Any) -> Document:
        doc = Document.objects.create(
            county=self.county, unit=unit, created_by=by, title="关于测试的通知", **kw
        )
        Document.objects.filter(pk=doc.pk).update(created_at=created)
        return doc

    def case(self, no: str, unit: Unit, **kw: Any) -> Case:
        item = ServiceItem.objects.filter(code="S1").first() or ServiceItem.objects.create(
            county=self.county, code="S1", department=unit, name="事项", item_type="permit"
        )
        version = ItemVersion.objects.filter(item=item).first() or ItemVersion.objects.create(
            item=item, number=1, name="事项", item_type="permit", implementing_unit=unit, legal_basis="法",
            statutory_limit=20, committed_limit=10,
        )  # fmt: skip
        return Case.objects.create(
            county=self.county, tracking_no=no, item=item, version=version, unit=unit, applicant_kind="person",
            applicant_name="张三", applicant_id_number="1", applicant_phone="1", received_at=at(D1, 9),
            received_on=D1, **kw,
        )  # fmt: skip

    def letter(self, code: str, **kw: Any) -> Letter:
        box = Mailbox.objects.filter(name="县长信箱").first() or Mailbox.objects.create(
            county=self.county, kind=MailboxKind.LEADER, name="县长信箱"
        )
        return Letter.objects.create(
            county=self.county, mailbox=box, tracking_code=code, kind="consult", title="咨询", content="内容",
            writer_name="王五", phone="1", received_on=D1, due_on=D3, **kw,
        )  # fmt: skip


@pytest.fixture
def world() -> World:
    w = World()
    # --- D1 ---
    login(w.u1, at(D1, 9))
    login(w.u1, at(D1, 14))
    login(w.u2, at(D1, 8, 30))
    w.doc1 = w.document(by=w.u1, unit=w.a, created=at(D1, 10))  # type: ignore[attr-defined]
    w.item(assignee=w.u2, unit=w.a, status=WorkItemStatus.DONE, created_at=at(D1, 9),
           completed_at=at(D1, 11, 30), completed_by=w.u2)  # fmt: skip
    w.item(kind=WorkItemKind.READ, assignee=w.u3, unit=w.b, read_at=at(D1, 15))
    notice = Notice.objects.create(
        county=w.county, unit=w.i, author=w.kaohe, title="通知", status=NoticeStatus.PUBLISHED,
        published_at=at(D1, 8, 30),
    )  # fmt: skip
    NoticeReceipt.objects.create(notice=notice, user=w.u1, unit=w.a, read_at=at(D1, 9, 10))
    NoticeReceipt.objects.create(notice=notice, user=w.u2, unit=w.a, read_at=at(D3, 10))
    NoticeReceipt.objects.create(notice=notice, user=w.u3, unit=w.b)
    # --- D2 ---
    login(w.u3, at(D2, 8))
    login(w.u2, at(D2, 8), event="identity.login_failed")  # a failed log-in is not a log-in
    w.item(subject="approvals.case", assignee=w.u3, unit=w.b, status=WorkItemStatus.DONE, created_at=at(D1, 10),
           due_at=at(D2, 12), completed_at=at(D2, 16), completed_by=w.u3)  # fmt: skip
    w.item(subject="approvals.case", unit=w.b, role="handler", due_at=at(D2, 17))  # pooled, never taken
    w.case("C1", w.b, status=CaseStatus.COMPLETED, is_open=False, decided_on=D2, due_committed=D3)
    w.case("C2", w.b, status=CaseStatus.COMPLETED, is_open=False, decided_on=D2, due_committed=D1)
    w.case("C3", w.a, status=CaseStatus.COMPLETED, is_open=False, completed_at=at(D2, 11), due_committed=D2)
    w.case("C4", w.a, status=CaseStatus.ACCEPTED, due_committed=D3)  # still open
    w.letter("L1", status=LetterStatus.ANSWERED, answered_on=D2, reply_unit=w.a, routed_to=w.a, on_time=True)
    w.letter("L2", status=LetterStatus.CLOSED, answered_on=D2, routed_to=w.b, on_time=False)
    w.letter("L3", status=LetterStatus.INVALID, answered_on=D2, routed_to=w.b, on_time=True)
    Document.objects.filter(pk=w.doc1.pk).update(status=DocStatus.ISSUED, issued_at=at(D2, 10))  # type: ignore[attr-defined]
    Recipient.objects.create(document=w.doc1, kind="main", unit=w.b)  # type: ignore[attr-defined]
    Recipient.objects.create(document=w.doc1, kind="cc", unit=w.i)  # type: ignore[attr-defined]
    Recipient.objects.create(document=w.doc1, kind="cc", external_name="市财政局")  # type: ignore[attr-defined]
    # --- D3 ---
    m1 = Meeting.objects.create(
        county=w.county, title="例会", host_unit=w.a, organiser=w.u1, chair=w.u1, starts_at=at(D3, 9),
        ends_at=at(D3, 10), status=MeetingStatus.ENDED,
    )  # fmt: skip
    Attendee.objects.create(meeting=m1, user=w.u1, unit=w.a, reply=Reply.ATTEND, signed_in_at=at(D3, 8, 55))
    Attendee.objects.create(meeting=m1, user=w.u2, unit=w.a, reply=Reply.LEAVE)
    Attendee.objects.create(meeting=m1, user=w.u3, unit=w.b, reply=Reply.ATTEND)
    Attendee.objects.create(meeting=m1, user=w.kaohe, unit=w.i, joined_at=at(D3, 9, 1))
    m2 = Meeting.objects.create(
        county=w.county, title="取消的会", host_unit=w.a, organiser=w.u1, chair=w.u1, starts_at=at(D3, 14),
        ends_at=at(D3, 15), status=MeetingStatus.CANCELLED,
    )  # fmt: skip
    Attendee.objects.create(meeting=m2, user=w.u1, unit=w.a, signed_in_at=at(D3, 14))
    return w


ZERO = dict.fromkeys(sources.UNIT_COUNTERS, 0)


def user_rows(day: date) -> dict[str, dict[str, Any]]:
    out = {}
    for r in UserDay.objects.filter(day=day).select_related("user"):
        vals = {k: getattr(r, k) for k in sources.USER_COUNTERS if getattr(r, k)}
        vals["unit"] = r.unit.unit_code
        vals["active"] = r.active
        out[r.user.username] = vals
    return out


def unit_rows(day: date) -> dict[str, dict[str, int]]:
    out = {}
    for r in UnitDay.objects.filter(day=day).select_related("unit"):
        out[r.unit.unit_code] = {
            k: getattr(r, k) for k in (*sources.UNIT_COUNTERS, "staff", "active_users") if getattr(r, k)
        }
    return out


def test_day1_exact(world: World) -> None:
    rd = rollup.compute_day(D1)
    assert rd.status == RollupStatus.DONE and rd.user_rows == 3 and rd.unit_rows == 3
    assert user_rows(D1) == {
        "u1": {"logins": 2, "docs_drafted": 1, "notices_received": 1, "notices_read": 1, "unit": "A", "active": True},
        "u2": {"logins": 1, "tasks_done": 1, "docs_handled": 1, "handle_minutes": 150, "notices_received": 1,
               "unit": "A", "active": True},
        "u3": {"docs_read": 1, "notices_received": 1, "unit": "B", "active": True},
    }  # fmt: skip
    assert UserDay.objects.get(day=D1, user=world.u1).office_id == world.oa.pk
    assert unit_rows(D1) == {
        "A": {"logins": 3, "docs_drafted": 1, "tasks_done": 1, "docs_handled": 1, "handle_minutes": 150,
              "notices_received": 2, "notices_read": 1, "staff": 2, "active_users": 2},
        "B": {"docs_read": 1, "notices_received": 1, "staff": 1, "active_users": 1},
        "I": {"staff": 1},
    }  # fmt: skip


def test_day2_exact(world: World) -> None:
    rollup.compute_day(D2)
    assert user_rows(D2) == {
        "u3": {"logins": 1, "tasks_done": 1, "handle_minutes": 1800, "tasks_overdue": 1, "unit": "B", "active": True},
    }  # fmt: skip
    assert unit_rows(D2) == {
        "A": {"cases_closed": 1, "cases_on_time": 1, "letters_answered": 1, "letters_on_time": 1, "docs_sent": 1,
              "copies_sent": 2, "staff": 2},
        "B": {"logins": 1, "tasks_done": 1, "handle_minutes": 1800, "tasks_overdue": 2, "cases_closed": 2,
              "cases_on_time": 1, "letters_answered": 1, "staff": 1, "active_users": 1},
        "I": {"staff": 1},
    }  # fmt: skip


def test_day3_exact(world: World) -> None:
    rollup.compute_day(D3)
    assert user_rows(D3) == {
        "u1": {"meetings_invited": 1, "meetings_attended": 1, "unit": "A", "active": True},
        "u2": {"notices_read": 1, "unit": "A", "active": True},
        "u3": {"meetings_invited": 1, "unit": "B", "active": False},
        "kaohe": {"meetings_invited": 1, "meetings_attended": 1, "unit": "I", "active": True},
    }
    assert unit_rows(D3) == {
        "A": {
            "meetings_invited": 1,
            "meetings_attended": 1,
            "notices_read": 1,
            "staff": 2,
            "active_users": 2,
        },
        "B": {"meetings_invited": 1, "staff": 1},
        "I": {"meetings_invited": 1, "meetings_attended": 1, "staff": 1, "active_users": 1},
    }


def test_today_counts_only_what_happened(world: World) -> None:
    """A pooled task due later today is not overdue yet; the window ends now."""
    world.item(
        subject="approvals.case", unit=world.b, role="handler", due_at=timezone.now() + timedelta(hours=1)
    )
    w = DayWindow.of(TODAY)
    assert w.until <= w.end
    rollup.compute_day(TODAY)
    assert UnitDay.objects.get(day=TODAY, unit=world.b).tasks_overdue == 0


def test_incremental_and_late_events(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rollup.run_pending(until=D3) == 3  # D1..D3: the first log-in is on D1
    assert set(RollupDay.objects.values_list("status", flat=True)) == {RollupStatus.DONE}
    assert rollup.run_pending(until=D3) == 0  # nothing new: nothing computed
    runs = dict(RollupDay.objects.values_list("day", "runs"))
    # A late event: a letter answered on D2 recorded now (after D2 was computed).
    world.letter("L4", status=LetterStatus.ANSWERED, answered_on=D2, reply_unit=world.b, on_time=True)
    computed: list[date] = []
    original = rollup.compute_day

    def spy(day: date) -> RollupDay:
        computed.append(day)
        return original(day)

    monkeypatch.setattr(rollup, "compute_day", spy)
    assert rollup.run_pending(until=D3) == 1
    assert computed == [D2]
    b = UnitDay.objects.get(day=D2, unit=world.b)
    assert (b.letters_answered, b.letters_on_time) == (2, 1)
    after = dict(RollupDay.objects.values_list("day", "runs"))
    assert after == {**runs, D2: runs[D2] + 1}


def test_today_recomputed_until_it_ends(world: World) -> None:
    rollup.run_pending()
    assert RollupDay.objects.get(day=TODAY).status == RollupStatus.DONE
    assert rollup.pending_days() == [TODAY]  # computed before its end: again on the next run
    assert rollup.run_pending() == 1


def test_mark_dirty_then_recomputed(world: World) -> None:
    rollup.run_pending(until=D3)
    rollup.mark_dirty(D1)
    rd = RollupDay.objects.get(day=D1)
    assert rd.status == RollupStatus.DIRTY and rd.dirty_since is not None
    assert rollup.pending_days(D3) == [D1]
    rollup.run_pending(until=D3)
    assert RollupDay.objects.get(day=D1).status == RollupStatus.DONE


class Broken:
    key = "zz_broken"
    user_fields: tuple[str, ...] = ("logins",)
    unit_fields: tuple[str, ...] = ()

    def user_counts(self, window: DayWindow) -> Iterable[tuple[int, dict[str, int]]]:
        raise RuntimeError("来源出错")

    def unit_counts(self, window: DayWindow) -> Iterable[tuple[int, dict[str, int]]]:
        return []

    def late_days(self, since: datetime) -> dict[date, datetime]:
        return {}


def test_failure_keeps_old_rows(world: World) -> None:
    rollup.compute_day(D1)
    before_users = user_rows(D1)
    before_units = unit_rows(D1)
    login(world.u3, at(D1, 16))  # would change the figures
    sources.register(Broken())
    try:
        rd = rollup.compute_day(D1)
    finally:
        sources.unregister("zz_broken")
    assert rd.status == RollupStatus.FAILED and "来源出错" in rd.error
    assert user_rows(D1) == before_users and unit_rows(D1) == before_units
    assert rollup.pending_days(D1) == [D1]  # a failed day is computed again
    rd = rollup.compute_day(D1)
    assert rd.status == RollupStatus.DONE and rd.error == ""
    assert UserDay.objects.get(day=D1, user=world.u3).logins == 1


def test_register_checks_fields() -> None:
    class Bad(Broken):
        key = "zz_bad"
        user_fields: tuple[str, ...] = ("cases_closed",)

    with pytest.raises(ValueError, match="cases_closed"):
        sources.register(Bad())


def test_appended_logins_keep_the_audit_chain_valid(world: World) -> None:
    from tongban.core.audit import verify

    result = verify()
    assert result.ok, result.reason
    assert result.checked >= 5


def test_demo_hook_is_idempotent_and_fills_the_days(world: World) -> None:
    from tongban.core.audit import verify
    from tongban.core.demo import DemoContext
    from tongban.stats import demo_rollup

    first = demo_rollup.seed(DemoContext(usernames=[]))
    history = AuditRecord.objects.filter(event=LOGIN_EVENT, new__demo_history=True).count()
    assert history > 0 and f"写入 {history} 条" in first
    assert verify().ok
    start = TODAY - timedelta(days=demo_rollup.DAYS)
    assert RollupDay.objects.filter(day__gte=start, status=RollupStatus.DONE).count() >= demo_rollup.DAYS - 5
    assert rollup.pending_days() == [TODAY]
    assert sum(UnitDay.objects.filter(day__gte=start).values_list("logins", flat=True)) == history + 4
    second = demo_rollup.seed(DemoContext(usernames=[]))
    assert "写入 0 条" in second
    assert AuditRecord.objects.filter(event=LOGIN_EVENT, new__demo_history=True).count() == history
