"""Public pages of solicitations and surveys (/portal/surveys/): the index (open, closed), the
detail page with the response form, and the results (counts, percentages and ECharts bars; the
published result feedback). Text answers are shown to staff only, never here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.interaction import antispam, surveys
from tongban.interaction import surveys_selectors as sel
from tongban.interaction.forms_surveys import ResponseForm
from tongban.interaction.interviews_selectors import public_county
from tongban.interaction.models import Survey, SurveyResponse

RESPOND_LIMIT = 3  # responses per address per survey a day (anonymous)
RESPOND_WINDOW = 24 * 3600


def _survey(pk: int) -> Survey:
    try:
        return sel.get_public_survey(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    county = public_county()
    if county is None:
        raise Http404(_("尚未建立门户网站。"))
    return render(
        request,
        "interaction/surveys_public/index.html",
        {"open": list(sel.open_surveys(county, limit=None)), "closed": list(sel.closed_surveys(county)[:50])},
    )


def _context(request: HttpRequest, survey: Survey, form: ResponseForm | None) -> dict[str, Any]:
    account = public.current(request)
    accepting = sel.is_accepting(survey)
    already = bool(account) and SurveyResponse.objects.filter(survey=survey, account=account).exists()
    return {
        "survey": survey,
        "accepting": accepting,
        "already": already,
        "form": (form or ResponseForm(questions=sel.questions(survey)))
        if accepting and not already
        else None,
        "has_results": survey.status in sel.RESULT_STATUSES,
    }


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    return render(request, "interaction/surveys_public/detail.html", _context(request, survey, None))


@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    form = ResponseForm(request.POST, questions=sel.questions(survey))
    if form.is_valid():
        account = public.current(request)
        try:
            if account is None:
                antispam.rate_limit(request, f"survey:{pk}", limit=RESPOND_LIMIT, window=RESPOND_WINDOW)
            surveys.survey_respond(
                survey,
                answers=form.answers(),
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                account=account,
                client_hash=antispam.client_key(request),
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("提交成功，感谢您的参与！"))
            return redirect(reverse("surveys_public:detail", args=[pk]))
    return render(
        request, "interaction/surveys_public/detail.html", _context(request, survey, form), status=400
    )


@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    if survey.status not in sel.RESULT_STATUSES:
        raise Http404(_("征集调查结束后公布结果。"))
    result = sel.summary(survey)
    return render(
        request,
        "interaction/surveys_public/results.html",
        {"survey": survey, "result": result, "chart": sel.chart_data(result)},
    )
