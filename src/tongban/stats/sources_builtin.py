"""The built-in roll-up sources: identity log-ins, documents and their workflow items, notices,
meetings, approval cases and letters. Each reads its domain's own records with one or two
aggregate queries per day (see :mod:`tongban.stats.sources` for the interface and
``docs/stats-rollup.md`` for the exact meaning of each counter)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from tongban.approvals.models import Case, CaseStatus
from tongban.core.models import AuditRecord
from tongban.documents.models import DocStatus, Document, Recipient
from tongban.interaction.models import Letter, LetterStatus
from tongban.meetings.models import Attendee, AttendeeRole, MeetingStatus, Reply
from tongban.notices.models import NoticeReceipt, NoticeStatus
from tongban.stats.sources import DayWindow, merge_late, register
from tongban.workflow.models import WorkItem, WorkItemKind, WorkItemStatus

LOGIN_EVENT = "identity.login_succeeded"
DOCUMENT_SUBJECT = "documents.document"

Counts = Iterable[tuple[int, dict[str, int]]]


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _in(field: str, w: DayWindow) -> Q:
    return Q(**{f"{field}__gte": w.start, f"{field}__lt": w.until})


class LoginSource:
    """logins: successful log-ins (audit event ``identity.login_succeeded``) by the person."""

    key = "logins"
    user_fields = ("logins",)
    unit_fields: tuple[str, ...] = ()

    def user_counts(self, window: DayWindow) -> Counts:
        rows = (
            AuditRecord.objects.filter(_in("at", window), event=LOGIN_EVENT, actor_id__isnull=False)
            .values("actor_id")
            .annotate(n=Count("id"))
            .values_list("actor_id", "n")
        )
        return [(int(uid), {"logins": n}) for uid, n in rows if uid is not None]

    def unit_counts(self, window: DayWindow) -> Counts:
        return []

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        merge_late(
            out,
            AuditRecord.objects.filter(at__gt=since, event=LOGIN_EVENT)
            .annotate(d=_day("at"))
            .values("d")
            .annotate(m=Max("at"))
            .values_list("d", "m"),
        )
        return out


class DocumentSource:
    """docs_drafted (by the drafter), docs_sent / copies_sent / pages_sent (by the issuing unit)."""

    key = "documents"
    user_fields = ("docs_drafted",)
    unit_fields = ("docs_sent", "copies_sent", "pages_sent")

    def user_counts(self, window: DayWindow) -> Counts:
        rows = (
            Document.objects.filter(_in("created_at", window))
            .values("created_by_id")
            .annotate(n=Count("id"))
            .values_list("created_by_id", "n")
        )
        return [(uid, {"docs_drafted": n}) for uid, n in rows if uid is not None]

    def unit_counts(self, window: DayWindow) -> Counts:
        issued = Q(issued_at__gte=window.start, issued_at__lt=window.until) & ~Q(status=DocStatus.WITHDRAWN)
        docs = dict(
            Document.objects.filter(issued)
            .values("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )
        copies = dict(
            Recipient.objects.filter(
                unit__isnull=False,
                document__issued_at__gte=window.start,
                document__issued_at__lt=window.until,
            )
            .exclude(document__status=DocStatus.WITHDRAWN)
            .values("document__unit_id")
            .annotate(n=Count("id"))
            .values_list("document__unit_id", "n")
        )
        # Documents store no page count: pages_sent stays 0 and the effect report applies
        # EffectCosts.default_pages to copies_sent (docs/stats-rollup.md).
        return [
            (uid, {"docs_sent": n, "copies_sent": copies.get(uid, 0), "pages_sent": 0})
            for uid, n in docs.items()
        ]

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        changed = Document.objects.filter(updated_at__gt=since)
        for field in ("created_at", "issued_at"):
            merge_late(
                out,
                changed.filter(**{f"{field}__isnull": False})
                .annotate(d=_day(field))
                .values("d")
                .annotate(m=Max("updated_at"))
                .values_list("d", "m"),
            )
        return out


class WorkItemSource:
    """tasks_done, handle_minutes, docs_handled (done tasks, by who completed them), docs_read
    (待阅 of documents read), tasks_overdue (deadlines missed on the day; a pooled task nobody took
    counts for its unit)."""

    key = "workflow"
    user_fields = ("tasks_done", "handle_minutes", "docs_handled", "docs_read", "tasks_overdue")
    unit_fields = ("tasks_overdue",)

    @staticmethod
    def _overdue(window: DayWindow) -> Q:
        return (
            Q(kind=WorkItemKind.TASK, status__in=(WorkItemStatus.OPEN, WorkItemStatus.DONE))
            & Q(due_at__gte=window.start, due_at__lt=window.until)
            & (Q(completed_at__isnull=True) | Q(completed_at__gt=F("due_at")))
        )

    def user_counts(self, window: DayWindow) -> Counts:
        out: list[tuple[int, dict[str, int]]] = []
        spent = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
        done = (
            WorkItem.objects.filter(
                _in("completed_at", window), kind=WorkItemKind.TASK, status=WorkItemStatus.DONE
            )
            .annotate(who=Coalesce("completed_by_id", "assignee_id"))
            .filter(who__isnull=False)
            .values("who")
            .annotate(
                n=Count("id"),
                docs=Count("id", filter=Q(subject_type=DOCUMENT_SUBJECT)),
                spent=Sum(spent),
            )
            .values_list("who", "n", "docs", "spent")
        )
        for uid, n, docs, total in done:
            minutes = int(total.total_seconds() // 60) if total is not None else 0
            out.append((uid, {"tasks_done": n, "docs_handled": docs, "handle_minutes": max(0, minutes)}))
        read = (
            WorkItem.objects.filter(
                _in("read_at", window),
                kind=WorkItemKind.READ,
                subject_type=DOCUMENT_SUBJECT,
                assignee_id__isnull=False,
            )
            .values("assignee_id")
            .annotate(n=Count("id"))
            .values_list("assignee_id", "n")
        )
        out.extend((uid, {"docs_read": n}) for uid, n in read)
        overdue = (
            WorkItem.objects.filter(self._overdue(window))
            .annotate(who=Coalesce("completed_by_id", "assignee_id"))
            .filter(who__isnull=False)
            .values("who")
            .annotate(n=Count("id"))
            .values_list("who", "n")
        )
        out.extend((uid, {"tasks_overdue": n}) for uid, n in overdue)
        return out

    def unit_counts(self, window: DayWindow) -> Counts:
        rows = (
            WorkItem.objects.filter(
                self._overdue(window), completed_by__isnull=True, assignee__isnull=True, unit__isnull=False
            )
            .values("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )
        return [(uid, {"tasks_overdue": n}) for uid, n in rows]

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        for field in ("completed_at", "read_at"):
            merge_late(
                out,
                WorkItem.objects.filter(**{f"{field}__gt": since})
                .annotate(d=_day(field))
                .values("d")
                .annotate(m=Max(field))
                .values_list("d", "m"),
            )
        return out


class NoticeSource:
    """notices_received (receipts of notices published on the day), notices_read (read on the day)."""

    key = "notices"
    user_fields = ("notices_received", "notices_read")
    unit_fields: tuple[str, ...] = ()

    def user_counts(self, window: DayWindow) -> Counts:
        received = (
            NoticeReceipt.objects.filter(
                notice__published_at__gte=window.start,
                notice__published_at__lt=window.until,
                notice__status__in=(NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN),
            )
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        read = (
            NoticeReceipt.objects.filter(_in("read_at", window))
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        return [(u, {"notices_received": n}) for u, n in received] + [
            (u, {"notices_read": n}) for u, n in read
        ]

    def unit_counts(self, window: DayWindow) -> Counts:
        return []

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        merge_late(
            out,
            NoticeReceipt.objects.filter(read_at__gt=since)
            .annotate(d=_day("read_at"))
            .values("d")
            .annotate(m=Max("read_at"))
            .values_list("d", "m"),
        )
        merge_late(
            out,
            NoticeReceipt.objects.filter(notice__published_at__gt=since)
            .annotate(d=_day("notice__published_at"))
            .values("d")
            .annotate(m=Max("notice__published_at"))
            .values_list("d", "m"),
        )
        return out


class MeetingSource:
    """meetings_invited / meetings_attended for meetings that started on the day (not cancelled,
    not drafts): people expected (terminals, removed people and excused absences excluded) and
    people who signed in or joined the video meeting."""

    key = "meetings"
    user_fields = ("meetings_invited", "meetings_attended")
    unit_fields: tuple[str, ...] = ()

    def user_counts(self, window: DayWindow) -> Counts:
        attended = Q(signed_in_at__isnull=False) | Q(joined_at__isnull=False)
        rows = (
            Attendee.objects.filter(
                meeting__starts_at__gte=window.start,
                meeting__starts_at__lt=window.until,
                meeting__status__in=(MeetingStatus.NOTIFIED, MeetingStatus.LIVE, MeetingStatus.ENDED),
                removed=False,
            )
            .exclude(role=AttendeeRole.TERMINAL)
            .values("user_id")
            .annotate(
                invited=Count("id", filter=~Q(reply=Reply.LEAVE) | attended),
                came=Count("id", filter=attended),
            )
            .values_list("user_id", "invited", "came")
        )
        return [(u, {"meetings_invited": i, "meetings_attended": c}) for u, i, c in rows if i or c]

    def unit_counts(self, window: DayWindow) -> Counts:
        return []

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        for field in ("meeting__updated_at", "signed_in_at", "joined_at"):
            merge_late(
                out,
                Attendee.objects.filter(**{f"{field}__gt": since})
                .annotate(d=_day("meeting__starts_at"))
                .values("d")
                .annotate(m=Max(field))
                .values_list("d", "m"),
            )
        return out


class CaseSource:
    """cases_closed / cases_on_time of the handling unit, as supervision's performance counts them:
    closed on the day of its decision (decided_on) or, without a decision, of its completion; on
    time when that day is on or before the committed deadline (due_committed)."""

    key = "approvals"
    user_fields: tuple[str, ...] = ()
    unit_fields = ("cases_closed", "cases_on_time")

    def user_counts(self, window: DayWindow) -> Counts:
        return []

    def unit_counts(self, window: DayWindow) -> Counts:
        done = (CaseStatus.DECIDED, CaseStatus.COMPLETED)
        out: list[tuple[int, dict[str, int]]] = []
        decided = (
            Case.objects.filter(status__in=done, decided_on=window.day)
            .values("unit_id")
            .annotate(n=Count("id"), ok=Count("id", filter=Q(due_committed__gte=window.day)))
            .values_list("unit_id", "n", "ok")
        )
        out.extend((u, {"cases_closed": n, "cases_on_time": ok}) for u, n, ok in decided)
        completed = (
            Case.objects.filter(_in("completed_at", window), status__in=done, decided_on__isnull=True)
            .values("unit_id")
            .annotate(n=Count("id"), ok=Count("id", filter=Q(due_committed__gte=window.day)))
            .values_list("unit_id", "n", "ok")
        )
        out.extend((u, {"cases_closed": n, "cases_on_time": ok}) for u, n, ok in completed)
        return out

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        changed = Case.objects.filter(updated_at__gt=since)
        merge_late(
            out,
            changed.filter(decided_on__isnull=False)
            .values("decided_on")
            .annotate(m=Max("updated_at"))
            .values_list("decided_on", "m"),
        )
        merge_late(
            out,
            changed.filter(completed_at__isnull=False)
            .annotate(d=_day("completed_at"))
            .values("d")
            .annotate(m=Max("updated_at"))
            .values_list("d", "m"),
        )
        return out


class LetterSource:
    """letters_answered / letters_on_time of the answering unit (answered_on is the day; on time
    as the letter's own ``on_time`` verdict; invalid letters excluded)."""

    key = "letters"
    user_fields: tuple[str, ...] = ()
    unit_fields = ("letters_answered", "letters_on_time")

    def user_counts(self, window: DayWindow) -> Counts:
        return []

    def unit_counts(self, window: DayWindow) -> Counts:
        rows = (
            Letter.objects.filter(answered_on=window.day)
            .exclude(status=LetterStatus.INVALID)
            .annotate(u=Coalesce("reply_unit_id", "routed_to_id"))
            .filter(u__isnull=False)
            .values("u")
            .annotate(n=Count("id"), ok=Count("id", filter=Q(on_time=True)))
            .values_list("u", "n", "ok")
        )
        return [(u, {"letters_answered": n, "letters_on_time": ok}) for u, n, ok in rows]

    def late_days(self, since: datetime) -> dict[date, datetime]:
        out: dict[date, datetime] = {}
        merge_late(
            out,
            Letter.objects.filter(updated_at__gt=since, answered_on__isnull=False)
            .values("answered_on")
            .annotate(m=Max("updated_at"))
            .values_list("answered_on", "m"),
        )
        return out


BUILTIN = (LoginSource, DocumentSource, WorkItemSource, NoticeSource, MeetingSource, CaseSource, LetterSource)


def register_builtin() -> None:
    for cls in BUILTIN:
        register(cls())
