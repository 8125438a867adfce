"""Public pages of online interviews (/portal/interviews/): the index (live now, upcoming with a
countdown, past with transcripts), the detail page (pre-questions before the start, the live room,
the published transcript) and the live fragment polled by htmx.

The fragment (``live/<pk>/?since=<version>``) is built for thousands of viewers: the current
version comes from the cache (no query); a poll that already has it gets ``204`` (htmx keeps the
page as it is), a client revalidating with its ETag gets ``304``; a new version is rendered once
and served from the cache (key: interview, version, language) to everyone else."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core import clock
from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.interaction import antispam, interviews
from tongban.interaction import interviews_selectors as sel
from tongban.interaction.forms_interviews import QuestionForm
from tongban.interaction.models import Interview, InterviewStatus

POLL_SECONDS = {InterviewStatus.LIVE: 3, InterviewStatus.ANNOUNCED: 30}
ASK_LIMIT = 5  # questions per address per interview within ASK_WINDOW
ASK_WINDOW = 600


def _county() -> Any:
    county = sel.public_county()
    if county is None:
        raise Http404(_("尚未建立门户网站。"))
    return county


def _interview(pk: int) -> Interview:
    try:
        return sel.get_public_interview(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    county = _county()
    current = sel.upcoming_and_live(county, limit=20)
    return render(
        request,
        "interaction/interviews_public/index.html",
        {
            "live": [i for i in current if i.status == InterviewStatus.LIVE],
            "upcoming": [i for i in current if i.status == InterviewStatus.ANNOUNCED],
            "past": sel.past_public(county)[:30],
        },
    )


def fragment_html(interview: Interview) -> str:
    """The live feed of ``interview`` at its current version (rendered without the request, so
    it is the same for every viewer and can be cached)."""
    key = sel.fragment_key(interview.pk, interview.version, get_language() or "zh-hans")
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "interaction/interviews_public/_live.html",
            {
                "interview": interview,
                "items": sel.feed(interview, live_only=True),  # later replies have their own section
                "poll": POLL_SECONDS.get(InterviewStatus(interview.status), 0),
                "version": interview.version,
            },
        )
        cache.set(key, html, sel.FRAGMENT_TTL)
    return html


def _detail_context(request: HttpRequest, interview: Interview, form: QuestionForm | None) -> dict[str, Any]:
    accepting = interview.status in (InterviewStatus.ANNOUNCED, InterviewStatus.LIVE)
    published = interview.status == InterviewStatus.PUBLISHED
    after = interview.status in (InterviewStatus.ENDED, InterviewStatus.PUBLISHED)
    return {
        "interview": interview,
        "guests": list(interview.guests.all()),
        "live_html": fragment_html(interview),
        "form": (form or QuestionForm()) if accepting else None,
        "photos": list(interview.photos.all()) if published else [],
        "replies": list(sel.later_replies(interview)) if after else [],
        "starts_in": int((interview.starts_at - clock.now()).total_seconds()),
    }


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview(pk)
    return render(
        request, "interaction/interviews_public/detail.html", _detail_context(request, interview, None)
    )


@require_GET
def live_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    current = sel.current_version(pk)
    if current is None:
        raise Http404(_("访谈不存在。"))
    version, changed = current
    etag = f'"iv{pk}-{version}"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(changed),
        "Cache-Control": "public, max-age=2",
        "Vary": "Accept-Language",  # the same for every viewer: no cookie in the key
    }
    if request.GET.get("since") == str(version):
        return HttpResponse(status=204, headers=headers)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return HttpResponse(status=304, headers=headers)
    key = sel.fragment_key(pk, version, get_language() or "zh-hans")
    html = cache.get(key)
    if html is None:
        html = fragment_html(_interview(pk))
    return HttpResponse(html, headers=headers)


@require_http_methods(["POST"])
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview(pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            antispam.rate_limit(request, f"interview_ask:{pk}", limit=ASK_LIMIT, window=ASK_WINDOW)
            interviews.question_ask(
                interview,
                nickname=form.cleaned_data["nickname"],
                content=form.cleaned_data["content"],
                phone=form.cleaned_data["phone"],
                account=public.current(request),
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("您的提问已提交，审核通过后将在访谈中显示。"))
            return redirect(reverse("interviews_public:detail", args=[pk]) + "#ask")
    response = render(
        request, "interaction/interviews_public/detail.html", _detail_context(request, interview, form)
    )
    response.status_code = 400
    return response
