"""REST endpoints of solicitations and surveys (征集调查).

Staff (``router``, /api/v1/surveys/): list, create, read, edit, open, close, publish the result
feedback, results with the text answers. Public (``public_router``, /api/v1/public/surveys/,
anonymous; a public-account session is honoured for "one response per account"): list, detail
with the questions, respond (rate-limited per address when anonymous), results after the end.
Thin: the same services and selectors as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tongban.api.common import Id, caller, errors
from tongban.core.errors import TongbanError
from tongban.identity import public
from tongban.interaction import antispam, surveys
from tongban.interaction import surveys_selectors as sel
from tongban.interaction.interviews_selectors import public_county
from tongban.interaction.models import Survey, SurveyQuestion
from tongban.orgs import selectors as orgs
from tongban.orgs.models import Unit

router = Router(tags=["政民互动：征集调查"])
public_router = Router(tags=["门户网站：征集调查"])


class QuestionIn(Schema):
    text: str
    kind: str
    options: list[str] = []
    required: bool = True


class SurveyQuestionOut(Schema):
    id: int
    text: str
    kind: str
    options: list[str]
    required: bool


class SurveyIn(Schema):
    kind: str
    title: str
    body: str
    unit_id: int
    starts_on: date
    ends_on: date
    questions: list[QuestionIn] = []


class SurveyUpdateIn(Schema):
    title: str
    body: str
    unit_id: int
    starts_on: date
    ends_on: date
    questions: list[QuestionIn] | None = None


class SurveySummaryOut(Schema):
    id: int
    kind: str
    title: str
    unit: str
    starts_on: date
    ends_on: date
    status: str

    @staticmethod
    def resolve_unit(obj: Survey) -> str:
        return obj.unit.name


class SurveyOut(SurveySummaryOut):
    body: str
    result_summary: str
    draft_file_url: str
    questions: list[SurveyQuestionOut]

    @staticmethod
    def resolve_draft_file_url(obj: Survey) -> str:
        return obj.draft_file.url if obj.draft_file else ""

    @staticmethod
    def resolve_questions(obj: Survey) -> list[SurveyQuestion]:
        return sel.questions(obj)


class ResultIn(Schema):
    result_summary: str


class OptionOut(Schema):
    label: str
    count: int
    percent: float


class QuestionResultOut(Schema):
    id: int
    text: str
    kind: str
    answered: int
    options: list[OptionOut]
    texts: list[str]


class ResultsOut(Schema):
    id: int
    title: str
    status: str
    total: int
    result_summary: str
    questions: list[QuestionResultOut]


class SurveyPublicListOut(Schema):
    open: list[SurveySummaryOut]
    closed: list[SurveySummaryOut]


class RespondIn(Schema):
    answers: dict[int, list[str] | str]
    name: str = ""
    phone: str = ""


class RespondedOut(Schema):
    id: int
    detail: str


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise TongbanError("surveys.bad_unit", _("发起单位不存在。"), field="unit_id")
    return unit


def _results(survey: Survey, *, with_texts: bool) -> dict[str, Any]:
    result = sel.summary(survey, with_texts=with_texts)
    return {
        "id": survey.pk,
        "title": survey.title,
        "status": survey.status,
        "total": result["total"],
        "result_summary": survey.result_summary,
        "questions": [
            {"id": s.question.pk, "text": s.question.text, "kind": s.question.kind, "answered": s.answered,
             "options": [o.__dict__ for o in s.options], "texts": s.texts}
            for s in result["questions"]
        ],
    }  # fmt: skip


# --- staff -------------------------------------------------------------------------------------
@router.get("/", response={200: list[SurveySummaryOut], **errors()}, summary="征集调查列表")
def list_surveys(request: HttpRequest, status: str = "") -> Any:
    return list(sel.staff_list(caller(request), status=status)[:200])


@router.post("/", response={201: SurveyOut, **errors(400, 403)}, summary="新建征集调查（草稿）")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    user = caller(request)
    s = surveys.survey_create(
        actor=user, county=orgs.access_county(user), kind=payload.kind, title=payload.title, body=payload.body,
        unit=_unit(payload.unit_id), starts_on=payload.starts_on, ends_on=payload.ends_on,
        questions=[q.dict() for q in payload.questions], request=request,
    )  # fmt: skip
    return Status(201, s)


@router.get("/{pk}", response={200: SurveyOut, **errors(404)}, summary="征集调查详情")
def get_survey(request: HttpRequest, pk: Id) -> Any:
    return sel.get_survey_for(caller(request), pk)


@router.put("/{pk}", response={200: SurveyOut, **errors(400, 403, 404)}, summary="修改征集调查")
def update_survey(request: HttpRequest, pk: Id, payload: SurveyUpdateIn) -> Any:
    user = caller(request)
    s = sel.get_survey_for(user, pk)
    return surveys.survey_update(
        s, actor=user, title=payload.title, body=payload.body, unit=_unit(payload.unit_id),
        starts_on=payload.starts_on, ends_on=payload.ends_on,
        questions=[q.dict() for q in payload.questions] if payload.questions is not None else None, request=request,
    )  # fmt: skip


@router.post("/{pk}/open", response={200: SurveyOut, **errors(400, 403, 404)}, summary="发布")
def open_survey(request: HttpRequest, pk: Id) -> Any:
    user = caller(request)
    return surveys.survey_open(sel.get_survey_for(user, pk), actor=user, request=request)


@router.post("/{pk}/close", response={200: SurveyOut, **errors(400, 403, 404)}, summary="结束征集")
def close_survey(request: HttpRequest, pk: Id) -> Any:
    user = caller(request)
    return surveys.survey_close(sel.get_survey_for(user, pk), actor=user, request=request)


@router.post("/{pk}/result", response={200: SurveyOut, **errors(400, 403, 404)}, summary="公布结果反馈")
def publish_result(request: HttpRequest, pk: Id, payload: ResultIn) -> Any:
    user = caller(request)
    return surveys.survey_publish_result(
        sel.get_survey_for(user, pk), actor=user, text=payload.result_summary, request=request
    )


@router.get("/{pk}/results", response={200: ResultsOut, **errors(404)}, summary="统计结果（含文字回答）")
def staff_results(request: HttpRequest, pk: Id) -> Any:
    return _results(sel.get_survey_for(caller(request), pk), with_texts=True)


# --- public ------------------------------------------------------------------------------------
@public_router.get("/", response={200: SurveyPublicListOut, 404: Any}, auth=None, summary="征集调查列表")
def public_list(request: HttpRequest) -> Any:
    county = public_county()
    if county is None:
        return Status(404, {"detail": str(_("尚未建立门户网站。"))})
    return {
        "open": list(sel.open_surveys(county, limit=None)),
        "closed": list(sel.closed_surveys(county)[:50]),
    }


@public_router.get("/{pk}", response={200: SurveyOut, **errors(404)}, auth=None, summary="征集调查详情")
def public_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_public_survey(pk)


@public_router.post(
    "/{pk}/responses",
    response={201: RespondedOut, **errors(400, 404, 429)},
    auth=None,
    summary="提交意见/答卷",
)
def public_respond(request: HttpRequest, pk: Id, payload: RespondIn) -> Any:
    survey = sel.get_public_survey(pk)
    account = public.account_of(request)
    try:
        if account is None:
            antispam.rate_limit(request, f"survey:{pk}", limit=3, window=24 * 3600)
    except TongbanError as exc:
        return Status(429, {"detail": str(exc.message), "code": exc.code})
    r = surveys.survey_respond(
        survey, answers=dict(payload.answers), name=payload.name, phone=payload.phone, account=account,
        client_hash=antispam.client_key(request),
    )  # fmt: skip
    return Status(201, {"id": r.pk, "detail": str(_("提交成功，感谢您的参与！"))})


@public_router.get("/{pk}/results", response={200: ResultsOut, **errors(404)}, auth=None, summary="统计结果")
def public_results(request: HttpRequest, pk: Id) -> Any:
    survey = sel.get_public_survey(pk)
    if survey.status not in sel.RESULT_STATUSES:
        return Status(404, {"detail": str(_("征集调查结束后公布结果。")), "code": "surveys.no_results"})
    return _results(survey, with_texts=False)
