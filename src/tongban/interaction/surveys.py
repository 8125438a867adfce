"""Solicitations and surveys (征集调查): the only writers.

- A **solicitation** (意见征集) puts a draft policy (a body and the draft file) out for comment with
  one free-text question "意见建议" by default; a **questionnaire** (问卷调查) has single, multiple
  and text questions. Both have an end date; the public responds while it is open
  (``starts_on <= today <= ends_on``).
- **One response per public account** when logged in; anonymous responses are rate-limited by
  client address in the view (``antispam.rate_limit``) and the address hash is stored.
- After the end date the survey is closed (by the host or the daily job :func:`close_due`), the
  results are summarised, and a result text (结果反馈/采纳情况) is published.

Every staff service is atomic, takes a keyword ``actor`` and writes an audit record."""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core import audit, clock, files
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import PublicAccount, User
from tongban.interaction import surveys_selectors as sel
from tongban.interaction.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from tongban.orgs.models import County, Unit

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 2000
DRAFT_TYPES = ("pdf", "doc", "docx", "ofd", "wps", "txt")


def _text(value: Any, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise TongbanError("surveys.required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > max_len:
        raise TongbanError(
            "surveys.too_long",
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_len},
            field=field,
        )
    return text


def default_questions(kind: str) -> list[dict[str, Any]]:
    if kind == SurveyKind.SOLICITATION:
        return [{"text": str(_("意见建议")), "kind": QuestionKind.TEXT, "options": [], "required": True}]
    return []


def _questions(survey: Survey, specs: list[dict[str, Any]]) -> None:
    if not specs:
        raise TongbanError("surveys.no_questions", _("问卷调查至少需要一道题目。"), field="questions")
    if len(specs) > MAX_QUESTIONS:
        raise TongbanError("surveys.too_many_questions", _("题目不超过 50 道。"), field="questions")
    SurveyQuestion.objects.filter(survey=survey).delete()
    for i, spec in enumerate(specs):
        text = _text(spec.get("text"), field="questions", label=_("题目"), max_len=200)
        kind = spec.get("kind")
        if kind not in QuestionKind.values:
            raise TongbanError("surveys.bad_kind", _("题型不正确。"), field="questions")
        options: list[str] = []
        if kind != QuestionKind.TEXT:
            options = [str(o).strip()[:100] for o in spec.get("options") or [] if str(o).strip()]
            if len(options) < 2 or len(set(options)) != len(options) or len(options) > MAX_OPTIONS:
                raise TongbanError(
                    "surveys.bad_options",
                    _("选择题“%(text)s”需要 2 至 20 个互不相同的选项。") % {"text": text},
                    field="questions",
                )
        SurveyQuestion.objects.create(
            survey=survey,
            text=text,
            kind=kind,
            options=options,
            required=bool(spec.get("required", True)),
            sort=i,
        )


def _dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise TongbanError("surveys.bad_dates", _("截止日期不能早于开始日期。"), field="ends_on")


def _draft_file(survey: Survey, file: IO[bytes] | None, name: str) -> None:
    if file is None:
        return
    checked = files.check(file, name, allowed=DRAFT_TYPES, prefix="surveys.draft", field="draft_file")
    survey.draft_file.save(checked.name, ContentFile(file.read()), save=False)


@transaction.atomic
def survey_create(
    *,
    actor: User,
    county: County,
    kind: str,
    title: str,
    body: str,
    unit: Unit,
    starts_on: date,
    ends_on: date,
    questions: list[dict[str, Any]] | None = None,
    draft_file: IO[bytes] | None = None,
    draft_name: str = "",
    request: Any = None,
) -> Survey:
    """A draft solicitation or questionnaire. A solicitation without questions gets "意见建议"."""
    if not sel.is_manager(actor, county):
        raise PermissionDenied("surveys.not_manager", _("只有访谈征集管理员可以进行此操作。"))
    if kind not in SurveyKind.values:
        raise TongbanError("surveys.bad_kind", _("类型不正确。"), field="kind")
    if unit.county_id != county.pk:
        raise TongbanError("surveys.bad_unit", _("发起单位不属于本县。"), field="unit")
    _dates(starts_on, ends_on)
    survey = Survey(
        county=county,
        kind=kind,
        title=_text(title, field="title", label=_("标题"), max_len=100),
        body=_text(body, field="body", label=_("说明"), max_len=50000),
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    _draft_file(survey, draft_file, draft_name)
    survey.save()
    _questions(survey, questions or default_questions(kind))
    audit.record("surveys.create", actor=actor, request=request, obj=survey)
    return survey


@transaction.atomic
def survey_update(
    survey: Survey,
    *,
    actor: User,
    title: str,
    body: str,
    unit: Unit,
    starts_on: date,
    ends_on: date,
    questions: list[dict[str, Any]] | None = None,
    draft_file: IO[bytes] | None = None,
    draft_name: str = "",
    request: Any = None,
) -> Survey:
    """Edit a draft (questions are replaced when given). An open survey may only extend its end
    date and fix its text: its questions are fixed once responses may exist."""
    sel.require_manager(actor, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.OPEN):
        raise TongbanError("surveys.bad_state", _("已结束的征集调查不能修改。"))
    if unit.county_id != survey.county_id:
        raise TongbanError("surveys.bad_unit", _("发起单位不属于本县。"), field="unit")
    _dates(starts_on, ends_on)
    if survey.status == SurveyStatus.OPEN:
        if starts_on != survey.starts_on:
            raise TongbanError("surveys.started", _("已开始的征集调查不能修改开始日期。"), field="starts_on")
        if ends_on < clock.today():
            raise TongbanError("surveys.past_end", _("截止日期不能早于今天。"), field="ends_on")
    survey.title = _text(title, field="title", label=_("标题"), max_len=100)
    survey.body = _text(body, field="body", label=_("说明"), max_len=50000)
    survey.unit, survey.starts_on, survey.ends_on = unit, starts_on, ends_on
    _draft_file(survey, draft_file, draft_name)
    survey.save()
    if questions is not None and survey.status == SurveyStatus.DRAFT:
        _questions(survey, questions)
    audit.record("surveys.update", actor=actor, request=request, obj=survey)
    return survey


@transaction.atomic
def survey_open(survey: Survey, *, actor: User, request: Any = None) -> Survey:
    sel.require_manager(actor, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.DRAFT:
        raise TongbanError("surveys.bad_state", _("只有草稿可以发布。"))
    if survey.ends_on < clock.today():
        raise TongbanError("surveys.past_end", _("截止日期已过，请先修改截止日期。"), field="ends_on")
    if not survey.questions.exists():
        raise TongbanError("surveys.no_questions", _("问卷调查至少需要一道题目。"))
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status"])
    audit.record("surveys.open", actor=actor, request=request, obj=survey)
    return survey


@transaction.atomic
def survey_close(survey: Survey, *, actor: User | None, request: Any = None) -> Survey:
    """Close an open survey (the host early, or the daily job after the end date)."""
    if actor is not None:
        sel.require_manager(actor, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN:
        raise TongbanError("surveys.bad_state", _("只有进行中的征集调查可以结束。"))
    survey.status = SurveyStatus.CLOSED
    if survey.ends_on > clock.today():
        survey.ends_on = clock.today()
    survey.save(update_fields=["status", "ends_on"])
    audit.record(
        "surveys.close", actor=actor, request=request, obj=survey, actor_name="" if actor else "system"
    )
    return survey


def close_due() -> int:
    """Close every open survey whose end date has passed (the daily job). Returns how many."""
    n = 0
    for pk in Survey.objects.filter(status=SurveyStatus.OPEN, ends_on__lt=clock.today()).values_list(
        "pk", flat=True
    ):
        try:
            survey_close(Survey.objects.get(pk=pk), actor=None)
            n += 1
        except TongbanError:
            continue
    return n


@transaction.atomic
def survey_publish_result(survey: Survey, *, actor: User, text: str, request: Any = None) -> Survey:
    """Publish the result feedback (结果反馈/采纳情况) of a closed survey."""
    sel.require_manager(actor, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status not in (SurveyStatus.CLOSED, SurveyStatus.REPORTED):
        raise TongbanError("surveys.not_closed", _("征集调查结束后才能公布结果。"))
    survey.result_summary = _text(text, field="result_summary", label=_("结果反馈"), max_len=20000)
    survey.status = SurveyStatus.REPORTED
    survey.save(update_fields=["result_summary", "status"])
    audit.record("surveys.publish_result", actor=actor, request=request, obj=survey)
    return survey


@transaction.atomic
def survey_respond(
    survey: Survey,
    *,
    answers: dict[int, Any],
    name: str = "",
    phone: str = "",
    account: PublicAccount | None = None,
    client_hash: str = "",
) -> SurveyResponse:
    """A response: ``answers`` maps question id to a list of chosen options (single/multiple) or a
    text. One response per public account; the survey must be open today."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not sel.is_accepting(survey):
        raise TongbanError("surveys.closed", _("该征集调查不在进行中，不能提交。"))
    if account is not None and SurveyResponse.objects.filter(survey=survey, account=account).exists():
        raise TongbanError("surveys.already_responded", _("您已经提交过意见，感谢参与。"))
    phone = str(phone or "").strip()
    if phone and (not phone.replace("-", "").isdigit() or not 7 <= len(phone) <= 20):
        raise TongbanError("surveys.bad_phone", _("请填写正确的联系电话。"), field="phone")
    rows: list[tuple[SurveyQuestion, list[str], str]] = []
    for q in sel.questions(survey):
        value = answers.get(q.pk)
        choices: list[str] = []
        text = ""
        field = f"q_{q.pk}"
        if q.kind == QuestionKind.TEXT:
            text = _text(value, field=field, label=q.text, max_len=MAX_TEXT_ANSWER, required=False)
            empty = not text
        else:
            values = value if isinstance(value, list | tuple) else ([value] if value else [])
            choices = [str(v) for v in values if str(v)]
            if any(c not in q.options for c in choices) or len(set(choices)) != len(choices):
                raise TongbanError(
                    "surveys.bad_choice", _("“%(q)s”的选项不正确。") % {"q": q.text}, field=field
                )
            if q.kind == QuestionKind.SINGLE and len(choices) > 1:
                raise TongbanError("surveys.single", _("“%(q)s”只能选一项。") % {"q": q.text}, field=field)
            empty = not choices
        if empty and q.required:
            raise TongbanError("surveys.required", _("请回答“%(q)s”。") % {"q": q.text}, field=field)
        if not empty:
            rows.append((q, choices, text))
    if not rows:
        raise TongbanError("surveys.empty", _("请至少回答一道题目。"))
    response = SurveyResponse.objects.create(
        survey=survey,
        name=_text(name, field="name", label=_("姓名"), max_len=64, required=False),
        phone=phone,
        account=account,
        client_hash=client_hash[:64],
        submitted_at=clock.now(),
    )
    SurveyAnswer.objects.bulk_create(
        [SurveyAnswer(response=response, question=q, choices=c, text=t) for q, c, t in rows]
    )
    return response
