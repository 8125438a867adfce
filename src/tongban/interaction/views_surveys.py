"""Staff pages of solicitations and surveys (/interaction/surveys/): list, create/edit with the
questions, open, close, results with every answer, XLSX export, publish the result feedback.
Thin: load through the selectors' access functions, call one service."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.interaction import surveys
from tongban.interaction import surveys_selectors as sel
from tongban.interaction.forms_surveys import ResultForm, SurveyForm, questions_as_text
from tongban.interaction.models import Survey, SurveyAnswer, SurveyResponse, SurveyStatus
from tongban.interaction.views_interviews import _actor, staff_view
from tongban.orgs import selectors as orgs


@staff_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not sel.viewer_county_ids(request.user):
        raise PermissionDenied("surveys.not_allowed", _("只有访谈征集管理员可以查看。"))
    status = request.GET.get("status", "")
    if status not in SurveyStatus.values:
        status = ""
    return render(
        request,
        "interaction/surveys/list.html",
        {
            "surveys": sel.staff_list(request.user, status=status)[:200],
            "statuses": SurveyStatus.choices,
            "status": status,
            "is_manager": sel.is_manager(request.user),
        },
    )


def _save(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    county = survey.county if survey else orgs.access_county(request.user)
    if not sel.is_manager(request.user, county):
        raise PermissionDenied("surveys.not_manager", _("只有访谈征集管理员可以进行此操作。"))
    initial: dict[str, Any] = {}
    if survey:
        initial = {
            "title": survey.title,
            "body": survey.body,
            "unit": survey.unit_id,
            "starts_on": survey.starts_on,
            "ends_on": survey.ends_on,
            "questions": questions_as_text(sel.questions(survey)),
        }
    form = SurveyForm(
        request.POST or None, request.FILES or None, county=county, survey=survey, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("draft_file")
        kwargs: dict[str, Any] = {
            "actor": request.user,
            "title": data["title"],
            "body": data["body"],
            "unit": data["unit"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "draft_file": upload,
            "draft_name": upload.name if upload else "",
            "request": request,
        }
        try:
            if survey is None:
                survey = surveys.survey_create(
                    county=county, kind=data["kind"], questions=data["questions"], **kwargs
                )
            else:
                survey = surveys.survey_update(
                    survey, questions=data.get("questions") if "questions" in form.fields else None, **kwargs
                )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("征集调查已保存。"))
            return redirect("surveys:detail", survey.pk)
    return render(
        request,
        "interaction/surveys/form.html",
        {"form": form, "survey": survey},
        status=400 if form.is_bound else 200,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@staff_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, sel.get_survey_for(request.user, pk))


@staff_view
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = sel.get_survey_for(request.user, pk)
    result = sel.summary(survey, with_texts=True, text_limit=500)
    return render(
        request,
        "interaction/surveys/detail.html",
        {
            "survey": survey,
            "result": result,
            "chart": sel.chart_data(result),
            "is_manager": sel.is_manager(request.user, survey.county_id),
            "result_form": ResultForm(initial={"result_summary": survey.result_summary}),
        },
    )


@staff_view
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    survey = sel.get_survey_for(request.user, pk)
    try:
        if name == "open":
            surveys.survey_open(survey, actor=_actor(request), request=request)
            messages.success(request, _("已发布，公众可以参与。"))
        elif name == "close":
            surveys.survey_close(survey, actor=_actor(request), request=request)
            messages.success(request, _("已结束征集。"))
        elif name == "result":
            surveys.survey_publish_result(
                survey, actor=_actor(request), text=request.POST.get("result_summary", ""), request=request
            )
            messages.success(request, _("结果反馈已公布。"))
        else:
            raise Http404
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc.message))
    return redirect("surveys:detail", pk)


@staff_view
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every response as one row of an XLSX sheet (openpyxl, streaming write-only workbook)."""
    from openpyxl import Workbook

    survey = sel.get_survey_for(request.user, pk)
    questions = sel.questions(survey)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(_("答卷")))
    ws.append([str(_("提交时间")), str(_("姓名")), str(_("联系电话")), *[q.text for q in questions]])
    answers: dict[int, dict[int, str]] = {}
    for rid, qid, choices, text in SurveyAnswer.objects.filter(response__survey=survey).values_list(
        "response_id", "question_id", "choices", "text"
    ):
        answers.setdefault(rid, {})[qid] = "；".join(choices) if choices else text
    for r in SurveyResponse.objects.filter(survey=survey).order_by("submitted_at", "id"):
        row = answers.get(r.pk, {})
        ws.append(
            [
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                r.name,
                r.phone,
                *[_cell(row.get(q.pk, "")) for q in questions],
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    audit.record("surveys.export", actor=_actor(request), request=request, obj=survey)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


def _cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV/XLSX injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
