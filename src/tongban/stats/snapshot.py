"""The county's live figures (:class:`~tongban.stats.models.Snapshot`), taken every 5 minutes by the
``stats.snapshot`` job for the overview and the big screen. Keys of ``figures`` (a contract with
the dashboards; a reader must cope with a missing key in older snapshots):

- ``active_users_today``: people who logged in or completed a task today;
- ``staff_total``: active people holding a post in a unit;
- ``logins_today``: successful log-ins today;
- ``docs_in_motion``: outgoing documents not yet issued, withdrawn or archived;
- ``docs_today``: outgoing documents drafted today;
- ``cases_open``: approval cases still open; ``cases_by_light``: the open cases by the
  supervision light, ``{"green", "yellow", "red"}`` (预警 and no light count as green);
- ``letters_by_status``: ``[{"code", "label", "count"}]`` for every letter status, zeros included;
- ``meetings_today``: meetings (notified, live or ended) starting today;
- ``feedback_open``: feedback not yet dealt with (待处理 or 已采纳)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from tongban.approvals.models import Case, Light
from tongban.core.models import AuditRecord
from tongban.documents.models import DocStatus, Document
from tongban.interaction.models import Letter, LetterStatus
from tongban.meetings.models import Meeting, MeetingStatus
from tongban.orgs.models import Post
from tongban.stats.models import Feedback, FeedbackStatus, Snapshot
from tongban.stats.sources import DayWindow
from tongban.stats.sources_builtin import LOGIN_EVENT
from tongban.workflow.models import WorkItem, WorkItemStatus

KEYS = (
    "active_users_today", "staff_total", "logins_today", "docs_in_motion", "docs_today", "cases_open",
    "cases_by_light", "letters_by_status", "meetings_today", "feedback_open",
)  # fmt: skip


def figures(now: datetime | None = None) -> dict[str, Any]:
    """The figures at ``now`` (read from the domains' records: a handful of aggregate queries)."""
    w = DayWindow.of(timezone.localdate(now) if now else timezone.localdate(), now)
    logins = AuditRecord.objects.filter(event=LOGIN_EVENT, at__gte=w.start, at__lt=w.end)
    login_users = set(logins.exclude(actor_id=None).values_list("actor_id", flat=True).distinct())
    workers = set(
        WorkItem.objects.filter(status=WorkItemStatus.DONE, completed_at__gte=w.start, completed_at__lt=w.end)
        .exclude(completed_by=None)
        .values_list("completed_by_id", flat=True)
        .distinct()
    )
    lights = dict(
        Case.objects.filter(is_open=True).values("light").annotate(n=Count("id")).values_list("light", "n")
    )
    by_light = {
        "green": lights.get(Light.GREEN, 0) + lights.get(Light.WARNING, 0) + lights.get(Light.NONE, 0),
        "yellow": lights.get(Light.YELLOW, 0),
        "red": lights.get(Light.RED, 0),
    }
    letters = dict(Letter.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "active_users_today": len(login_users | workers),
        "staff_total": Post.objects.filter(user__is_active=True).values("user_id").distinct().count(),
        "logins_today": logins.count(),
        "docs_in_motion": Document.objects.exclude(
            status__in=(DocStatus.ISSUED, DocStatus.WITHDRAWN, DocStatus.ARCHIVED)
        ).count(),
        "docs_today": Document.objects.filter(created_at__gte=w.start, created_at__lt=w.end).count(),
        "cases_open": sum(by_light.values()),
        "cases_by_light": by_light,
        "letters_by_status": [
            {"code": code, "label": str(label), "count": letters.get(code, 0)}
            for code, label in LetterStatus.choices
        ],
        "meetings_today": Meeting.objects.filter(
            starts_at__gte=w.start,
            starts_at__lt=w.end,
            status__in=(MeetingStatus.NOTIFIED, MeetingStatus.LIVE, MeetingStatus.ENDED),
        ).count(),
        "feedback_open": Feedback.objects.filter(
            status__in=(FeedbackStatus.NEW, FeedbackStatus.ACCEPTED)
        ).count(),
    }


def take() -> Snapshot:
    """Take a snapshot now (and keep only the last 30 days of them)."""
    now = timezone.now()
    snap = Snapshot.objects.create(at=now, figures=figures(now))
    Snapshot.objects.filter(at__lt=now - timedelta(days=30)).delete()
    return snap


def latest() -> Snapshot | None:
    return Snapshot.objects.order_by("-at").first()
