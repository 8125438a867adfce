"""Staff pages of online interviews (/interaction/interviews/): the list, the create/edit form with
guests, and one page per interview that is the moderation console while it is live (pending
questions refreshed by htmx, approve/reject, answer as a guest, host/guest posts, end the
session) and the after-session desk (answer the remaining questions, photos, summary, publish).
Thin: load through the selectors' access functions, call one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.interaction import interviews
from tongban.interaction import interviews_selectors as sel
from tongban.interaction.forms_interviews import AnswerForm, InterviewForm, PhotoForm, PostForm, PublishForm
from tongban.interaction.models import Interview, InterviewPhoto, InterviewStatus
from tongban.orgs import selectors as orgs


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; NotFound → 404, PermissionDenied → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _actor(request: HttpRequest) -> User:
    """The logged-in staff user (the views are behind ``login_required``)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _detail_url(pk: int, anchor: str = "") -> str:
    return reverse("interviews:detail", args=[pk]) + (f"#{anchor}" if anchor else "")


@staff_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not sel.can_view_staff(request.user):
        raise PermissionDenied("interviews.not_allowed", _("只有访谈征集管理员可以查看。"))
    status = request.GET.get("status", "")
    if status not in InterviewStatus.values:
        status = ""
    return render(
        request,
        "interaction/interviews/list.html",
        {
            "interviews": sel.staff_list(request.user, status=status)[:200],
            "statuses": InterviewStatus.choices,
            "status": status,
            "is_host": sel.is_host(request.user),
        },
    )


def _save_form(request: HttpRequest, interview: Interview | None) -> HttpResponse:
    county = interview.county if interview else orgs.access_county(request.user)
    if not sel.is_host(request.user, county):
        raise PermissionDenied("interviews.not_host", _("只有访谈征集管理员可以进行此操作。"))
    initial = {}
    if interview:
        initial = {
            "title": interview.title,
            "summary": interview.summary,
            "host_unit": interview.host_unit_id,
            "starts_at": interview.starts_at,
            "ends_at": interview.ends_at,
        }
    form = InterviewForm(request.POST or None, county=county, interview=interview, initial=initial)
    if request.method == "POST" and form.is_valid():
        guests = form.guests()
        if not form.errors:
            data = form.cleaned_data
            kwargs = {
                "actor": request.user,
                "title": data["title"],
                "summary": data["summary"],
                "host_unit": data["host_unit"],
                "starts_at": data["starts_at"],
                "ends_at": data["ends_at"],
                "guests": guests,
                "request": request,
            }
            try:
                if interview is None:
                    interview = interviews.interview_create(county=county, **kwargs)
                else:
                    interview = interviews.interview_update(interview, **kwargs)
            except TongbanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("访谈已保存。"))
                return redirect(_detail_url(interview.pk))
    return render(
        request,
        "interaction/interviews/form.html",
        {"form": form, "interview": interview},
        status=400 if form.is_bound else 200,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    return _save_form(request, None)


@staff_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    interview = sel.get_interview_for(request.user, pk)
    return _save_form(request, interview)


def _console_context(request: HttpRequest, interview: Interview) -> dict[str, Any]:
    host = sel.is_host(request.user, interview.county_id)
    return {
        "interview": interview,
        "is_host": host,
        "own_guest": sel.guest_of(request.user, interview),
        "guests": list(interview.guests.all()),
        "pending": list(sel.pending_questions(interview)),
        "approved": list(sel.approved_unanswered(interview)),
        "items": sel.feed(interview),
        "photos": list(interview.photos.all()),
        "answer_form": AnswerForm(interview=interview),
        "post_form": PostForm(),
        "photo_form": PhotoForm(),
        "publish_form": PublishForm(initial={"transcript_summary": interview.transcript_summary}),
        "can_edit": host and interview.status in (InterviewStatus.DRAFT, InterviewStatus.ANNOUNCED),
    }


@staff_view
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = sel.get_interview_for(request.user, pk)
    return render(request, "interaction/interviews/detail.html", _console_context(request, interview))


@staff_view
@require_GET
def pending_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The console's questions panel, refreshed by htmx every few seconds."""
    interview = sel.get_interview_for(request.user, pk)
    context = {
        "interview": interview,
        "is_host": sel.is_host(request.user, interview.county_id),
        "pending": list(sel.pending_questions(interview)),
    }
    return render(request, "interaction/interviews/_questions.html", context)


def _fail(request: HttpRequest, exc: TongbanError) -> None:
    messages.error(request, str(exc.message))


@staff_view
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    interview = sel.get_interview_for(request.user, pk)
    anchor = ""
    try:
        if name == "announce":
            interviews.interview_announce(interview, actor=_actor(request), request=request)
            messages.success(request, _("预告已发布。"))
        elif name == "start":
            interviews.interview_start(interview, actor=_actor(request), request=request)
            messages.success(request, _("直播已开始。"))
        elif name == "end":
            interviews.interview_end(interview, actor=_actor(request), request=request)
            messages.success(request, _("直播已结束，请在期限内答复未回答的问题。"))
        elif name == "post":
            anchor = "post"
            form = PostForm(request.POST)
            if not form.is_valid():
                raise TongbanError("interviews.required", _("请填写发言人和内容。"), field="content")
            interviews.post_add(
                interview,
                actor=_actor(request),
                speaker=form.cleaned_data["speaker"],
                content=form.cleaned_data["content"],
                request=request,
            )
        elif name == "photo":
            anchor = "photos"
            upload = request.FILES.get("image")
            if upload is None:
                raise TongbanError("interviews.photo_required", _("请选择图片。"), field="image")
            interviews.photo_add(
                interview,
                actor=_actor(request),
                file=upload,
                name=upload.name or "",
                caption=request.POST.get("caption", ""),
                request=request,
            )
            messages.success(request, _("图片已添加。"))
        elif name == "photo_delete":
            anchor = "photos"
            photo = InterviewPhoto.objects.filter(
                interview=interview, pk=request.POST.get("photo") or 0
            ).first()
            if photo is None:
                raise NotFound("interviews.photo_not_found", _("图片不存在。"))
            interviews.photo_delete(photo, actor=_actor(request), request=request)
        elif name == "publish":
            interviews.interview_publish(
                interview,
                actor=_actor(request),
                transcript_summary=request.POST.get("transcript_summary", ""),
                request=request,
            )
            messages.success(request, _("访谈实录已发布。"))
        else:
            raise Http404
    except PermissionDenied:
        raise
    except NotFound:
        raise
    except TongbanError as exc:
        _fail(request, exc)
    return redirect(_detail_url(pk, anchor))


@staff_view
@require_POST
def moderate(request: HttpRequest, qid: int) -> HttpResponse:
    q = sel.get_question_for(request.user, qid)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        raise Http404
    try:
        interviews.question_moderate(q, actor=_actor(request), approve=decision == "approve", request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        _fail(request, exc)
    if request.headers.get("HX-Request"):
        return pending_fragment(request, q.interview_id)
    return redirect(_detail_url(q.interview_id, "questions"))


@staff_view
@require_POST
def answer(request: HttpRequest, qid: int) -> HttpResponse:
    q = sel.get_question_for(request.user, qid)
    interview = q.interview
    form = AnswerForm(request.POST, interview=interview)
    guest = None
    if form.is_valid():
        guest = form.cleaned_data["guest"]
    own = sel.guest_of(request.user, interview)
    if guest is None and own is not None:
        guest = own
    try:
        interviews.question_answer(
            q, actor=_actor(request), answer=request.POST.get("answer", ""), guest=guest, request=request
        )
    except PermissionDenied:
        raise
    except TongbanError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("回答已发布。"))
    return redirect(_detail_url(interview.pk, "questions"))
