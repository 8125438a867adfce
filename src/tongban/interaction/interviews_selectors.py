"""Reads of online interviews (在线访谈): who may run them, the access functions, the public lists
(the portal's home page calls :func:`upcoming_and_live` and :func:`recent_published`) and the live
feed with its version kept in the cache.

The live fragment is cache-friendly for thousands of viewers: every visible change bumps
``Interview.version``; the current version lives in the cache (``interviews:ver:<pk>``), so a poll
that finds no change costs no database query, and the rendered fragment of a version is cached
under ``(pk, version)``, so each change is read from the database once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.interaction.models import (
    Interview,
    InterviewGuest,
    InterviewPost,
    InterviewQuestion,
    InterviewStatus,
    QuestionStatus,
)
from tongban.orgs.models import BusinessRole, County, RoleGrant

HOST = BusinessRole.INTERVIEW_HOST
VIEWER_ROLES = (BusinessRole.INTERVIEW_HOST, BusinessRole.PORTAL_ADMIN)
PUBLIC_STATUSES = (
    InterviewStatus.ANNOUNCED,
    InterviewStatus.LIVE,
    InterviewStatus.ENDED,
    InterviewStatus.PUBLISHED,
)
VERSION_TTL = 24 * 3600
FRAGMENT_TTL = 3600


# --- who ---------------------------------------------------------------------------------------
def _grants(user: Any, roles: tuple[str, ...]) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user=user, role__in=roles, unit__is_active=True)


def host_county_ids(user: Any) -> set[int]:
    """The counties whose interviews ``user`` runs (访谈征集管理员 of any unit of the county)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(_grants(user, (HOST,)).values_list("county_id", flat=True))


def viewer_county_ids(user: Any) -> set[int]:
    """Counties whose interviews ``user`` may see in the staff pages (hosts; portal administrators
    read only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(_grants(user, VIEWER_ROLES).values_list("county_id", flat=True))


def is_host(user: Any, county: County | int | None = None) -> bool:
    ids = host_county_ids(user)
    if county is None:
        return bool(ids)
    return (county if isinstance(county, int) else county.pk) in ids


def can_view_staff(user: Any) -> bool:
    return bool(viewer_county_ids(user)) or guest_interview_ids(user) != set()


def guest_interview_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(InterviewGuest.objects.filter(user=user).values_list("interview_id", flat=True))


def guest_of(user: Any, interview: Interview) -> InterviewGuest | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return InterviewGuest.objects.filter(interview=interview, user=user).first()


# --- access ------------------------------------------------------------------------------------
def get_interview_for(user: Any, pk: int) -> Interview:
    """An interview for the staff pages: hosts and portal administrators of its county, and its
    guests with a staff account. Others get NotFound (existence is not told)."""
    interview = Interview.objects.select_related("host_unit", "county").filter(pk=pk).first()
    if interview is None:
        raise NotFound("interviews.not_found", _("访谈不存在。"))
    if interview.county_id in viewer_county_ids(user) or guest_of(user, interview) is not None:
        return interview
    raise NotFound("interviews.not_found", _("访谈不存在。"))


def require_host(user: Any, interview: Interview) -> None:
    if not is_host(user, interview.county_id):
        raise PermissionDenied("interviews.not_host", _("只有访谈征集管理员可以进行此操作。"))


def get_public_interview(pk: int, county: County | None = None) -> Interview:
    qs = Interview.objects.select_related("host_unit").filter(pk=pk, status__in=PUBLIC_STATUSES)
    if county is not None:
        qs = qs.filter(county=county)
    interview = qs.first()
    if interview is None:
        raise NotFound("interviews.not_found", _("访谈不存在。"))
    return interview


def get_question_for(user: Any, pk: int) -> InterviewQuestion:
    q = InterviewQuestion.objects.select_related("interview").filter(pk=pk).first()
    if q is None:
        raise NotFound("interviews.question_not_found", _("提问不存在。"))
    get_interview_for(user, q.interview_id)
    return q


# --- lists -------------------------------------------------------------------------------------
def staff_list(user: Any, *, status: str = "") -> QuerySet[Interview]:
    qs = Interview.objects.select_related("host_unit").annotate(
        pending=Count("questions", filter=Q(questions__status=QuestionStatus.PENDING)),
        unanswered=Count(
            "questions",
            filter=Q(questions__status__in=[QuestionStatus.PENDING, QuestionStatus.APPROVED]),
        ),
    )
    qs = qs.filter(Q(county_id__in=viewer_county_ids(user)) | Q(pk__in=guest_interview_ids(user)))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-id")


def upcoming_and_live(county: County, *, limit: int = 3) -> list[Interview]:
    """Live interviews first, then announced ones by start time (the home page's 在线访谈 entry)."""
    live = list(
        Interview.objects.filter(county=county, status=InterviewStatus.LIVE)
        .select_related("host_unit")
        .order_by("starts_at")[:limit]
    )
    if len(live) < limit:
        live += list(
            Interview.objects.filter(county=county, status=InterviewStatus.ANNOUNCED)
            .select_related("host_unit")
            .order_by("starts_at", "id")[: limit - len(live)]
        )
    return live


def recent_published(county: County, *, limit: int = 5) -> QuerySet[Interview]:
    """Past interviews with published transcripts, newest first."""
    return (
        Interview.objects.filter(county=county, status=InterviewStatus.PUBLISHED)
        .select_related("host_unit")
        .order_by("-starts_at", "-id")[:limit]
    )


def past_public(county: County) -> QuerySet[Interview]:
    return (
        Interview.objects.filter(county=county, status__in=[InterviewStatus.ENDED, InterviewStatus.PUBLISHED])
        .select_related("host_unit")
        .order_by("-starts_at", "-id")
    )


def public_county() -> County | None:
    """The county of the public site: the only county, else the first one (one site a county)."""
    return County.objects.order_by("id").first()


# --- the transcript / live feed ----------------------------------------------------------------
@dataclass(frozen=True)
class FeedItem:
    kind: str  # "post" | "question"
    at: datetime
    pk: int
    speaker: str
    content: str
    answer: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None
    answered_live: bool = True


def feed(interview: Interview, *, live_only: bool = False) -> list[FeedItem]:
    """The visible lines in time order: host/guest posts and approved or answered questions
    (answers not given live come last, by answer time, when ``live_only`` is false)."""
    items: list[FeedItem] = []
    for p in InterviewPost.objects.filter(interview=interview).order_by("at", "id"):
        items.append(FeedItem("post", p.at, p.pk, p.speaker, p.content))
    questions = (
        InterviewQuestion.objects.filter(
            interview=interview, status__in=[QuestionStatus.APPROVED, QuestionStatus.ANSWERED]
        )
        .select_related("answered_by")
        .order_by("created_at", "id")
    )
    for q in questions:
        if live_only and q.status == QuestionStatus.ANSWERED and not q.answered_live:
            continue
        guest = q.answered_by
        items.append(
            FeedItem(
                "question",
                (q.moderated_at or q.created_at)
                if q.answered_live or q.status != QuestionStatus.ANSWERED
                else (q.answered_at or q.created_at),
                q.pk,
                q.nickname,
                q.content,
                answer=q.answer if q.status == QuestionStatus.ANSWERED else "",
                answered_by=(f"{guest.name}（{guest.title}）" if guest else ""),
                answered_at=q.answered_at,
                answered_live=q.answered_live,
            )
        )
    items.sort(key=lambda i: (not i.answered_live, i.at, i.kind, i.pk))
    return items


def later_replies(interview: Interview) -> QuerySet[InterviewQuestion]:
    """Questions answered after the session (会后答复)."""
    return (
        InterviewQuestion.objects.filter(
            interview=interview, status=QuestionStatus.ANSWERED, answered_live=False
        )
        .select_related("answered_by")
        .order_by("answered_at", "id")
    )


def pending_questions(interview: Interview) -> QuerySet[InterviewQuestion]:
    return InterviewQuestion.objects.filter(interview=interview, status=QuestionStatus.PENDING).order_by(
        "created_at", "id"
    )


def approved_unanswered(interview: Interview) -> QuerySet[InterviewQuestion]:
    return InterviewQuestion.objects.filter(interview=interview, status=QuestionStatus.APPROVED).order_by(
        "created_at", "id"
    )


def unanswered_after_session(interview: Interview) -> QuerySet[InterviewQuestion]:
    """Questions that still owe a reply (5 working days after the session)."""
    return InterviewQuestion.objects.filter(
        interview=interview, status__in=[QuestionStatus.PENDING, QuestionStatus.APPROVED]
    ).order_by("created_at", "id")


# --- versions in the cache ---------------------------------------------------------------------
def version_key(pk: int) -> str:
    return f"interviews:ver:{pk}"


def fragment_key(pk: int, version: int, lang: str) -> str:
    return f"interviews:frag:{pk}:{version}:{lang}"


def current_version(pk: int) -> tuple[int, float] | None:
    """``(version, changed_at epoch)`` of a public interview: from the cache (no query) or the
    database once (then cached). None when the interview is not public."""
    got = cache.get(version_key(pk))
    if got is not None:
        return int(got[0]), float(got[1])
    row = (
        Interview.objects.filter(pk=pk, status__in=PUBLIC_STATUSES).values_list("version", flat=True).first()
    )
    if row is None:
        return None
    value = (int(row), time.time())
    cache.add(version_key(pk), value, VERSION_TTL)
    return value


def remember_version(pk: int, version: int) -> None:
    cache.set(version_key(pk), (version, time.time()), VERSION_TTL)


def forget_version(pk: int) -> None:
    cache.delete(version_key(pk))
