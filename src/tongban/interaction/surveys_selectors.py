"""Reads of solicitations and surveys (征集调查): access functions, the public lists (the portal's
home page calls :func:`open_surveys`) and the results summary (counts and percentages per option;
text answers for staff only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core import clock
from tongban.core.errors import NotFound, PermissionDenied
from tongban.interaction.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyStatus,
)
from tongban.orgs.models import BusinessRole, County, RoleGrant

MANAGER_ROLES = (BusinessRole.INTERVIEW_HOST,)
VIEWER_ROLES = (BusinessRole.INTERVIEW_HOST, BusinessRole.PORTAL_ADMIN)
PUBLIC_STATUSES = (SurveyStatus.OPEN, SurveyStatus.CLOSED, SurveyStatus.REPORTED)
RESULT_STATUSES = (SurveyStatus.CLOSED, SurveyStatus.REPORTED)


def _county_ids(user: Any, roles: tuple[str, ...]) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(
        RoleGrant.objects.filter(user=user, role__in=roles, unit__is_active=True).values_list(
            "county_id", flat=True
        )
    )


def manager_county_ids(user: Any) -> set[int]:
    return _county_ids(user, MANAGER_ROLES)


def viewer_county_ids(user: Any) -> set[int]:
    return _county_ids(user, VIEWER_ROLES)


def is_manager(user: Any, county: County | int | None = None) -> bool:
    ids = manager_county_ids(user)
    if county is None:
        return bool(ids)
    return (county if isinstance(county, int) else county.pk) in ids


def get_survey_for(user: Any, pk: int) -> Survey:
    """A survey for the staff pages (managers and portal administrators of its county)."""
    survey = Survey.objects.select_related("unit").filter(pk=pk).first()
    if survey is None or survey.county_id not in viewer_county_ids(user):
        raise NotFound("surveys.not_found", _("征集调查不存在。"))
    return survey


def require_manager(user: Any, survey: Survey) -> None:
    if not is_manager(user, survey.county_id):
        raise PermissionDenied("surveys.not_manager", _("只有访谈征集管理员可以进行此操作。"))


def get_public_survey(pk: int, county: County | None = None) -> Survey:
    qs = Survey.objects.select_related("unit").filter(
        pk=pk, status__in=PUBLIC_STATUSES, starts_on__lte=clock.today()
    )
    if county is not None:
        qs = qs.filter(county=county)
    survey = qs.first()
    if survey is None:
        raise NotFound("surveys.not_found", _("征集调查不存在。"))
    return survey


def is_accepting(survey: Survey) -> bool:
    today = clock.today()
    return survey.status == SurveyStatus.OPEN and survey.starts_on <= today <= survey.ends_on


def staff_list(user: Any, *, status: str = "") -> QuerySet[Survey]:
    qs = (
        Survey.objects.filter(county_id__in=viewer_county_ids(user))
        .select_related("unit")
        .annotate(n_responses=Count("responses"))
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_on", "-id")


def open_surveys(county: County, *, limit: int | None = 5) -> QuerySet[Survey]:
    """Surveys taking responses today, the closest end date first (home page, index)."""
    today = clock.today()
    qs = (
        Survey.objects.filter(
            county=county, status=SurveyStatus.OPEN, starts_on__lte=today, ends_on__gte=today
        )
        .select_related("unit")
        .order_by("ends_on", "id")
    )
    return qs[:limit] if limit else qs


def closed_surveys(county: County) -> QuerySet[Survey]:
    today = clock.today()
    return (
        Survey.objects.filter(county=county, starts_on__lte=today)
        .filter(Q(status__in=RESULT_STATUSES) | Q(status=SurveyStatus.OPEN, ends_on__lt=today))
        .select_related("unit")
        .order_by("-ends_on", "-id")
    )


def questions(survey: Survey) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(survey=survey).order_by("sort", "id"))


@dataclass
class OptionCount:
    label: str
    count: int
    percent: float


@dataclass
class QuestionSummary:
    question: SurveyQuestion
    answered: int
    options: list[OptionCount] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # staff only


def summary(survey: Survey, *, with_texts: bool = False, text_limit: int | None = None) -> dict[str, Any]:
    """Counts and percentages per option (the share of responses choosing it; multiple-choice
    shares may add up to more than 100 %), the number who answered each question and, for staff,
    the text answers. Two queries plus one per text question when ``with_texts``."""
    total = survey.responses.count()
    qs = questions(survey)
    counts: dict[int, dict[str, int]] = {q.pk: {} for q in qs}
    answered: dict[int, int] = {q.pk: 0 for q in qs}
    rows = SurveyAnswer.objects.filter(response__survey=survey).values_list("question_id", "choices", "text")
    for qid, choices, text in rows.iterator(chunk_size=2000):
        if qid not in counts:
            continue
        if choices:
            answered[qid] += 1
            for c in choices:
                counts[qid][c] = counts[qid].get(c, 0) + 1
        elif text:
            answered[qid] += 1
    out = []
    for q in qs:
        s = QuestionSummary(question=q, answered=answered[q.pk])
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for label in q.options:
                n = counts[q.pk].get(label, 0)
                s.options.append(OptionCount(label, n, round(100.0 * n / total, 1) if total else 0.0))
        elif with_texts:
            texts = (
                SurveyAnswer.objects.filter(question=q)
                .exclude(text="")
                .order_by("-response__submitted_at", "-id")
                .values_list("text", flat=True)
            )
            s.texts = list(texts[:text_limit] if text_limit else texts)
        out.append(s)
    return {"total": total, "questions": out}


def chart_data(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The option counts as plain data for the ECharts bars (json_script in the template)."""
    return [
        {
            "id": s.question.pk,
            "labels": [o.label for o in s.options],
            "counts": [o.count for o in s.options],
        }
        for s in result["questions"]
        if s.options
    ]
