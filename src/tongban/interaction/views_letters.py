"""Staff pages of the mailboxes (/interaction/letters/): the office's boxes (待转办, 待审核, 办理中,
已答复, 已办结, 无效, 全部) and the units' boxes (待办理, 已提交, 已答复), a letter with its timeline
and the actions the user may take. Thin: load through the access function, call one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.core import clock as tclock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.interaction import letters
from tongban.interaction import letters_selectors as sel
from tongban.interaction.forms_letters import (
    InvalidForm,
    NoteForm,
    ReasonForm,
    ReplyForm,
    ReviewForm,
    RouteForm,
)
from tongban.interaction.models import DraftStatus, Letter, LetterAttachment, LetterKind, LetterStatus

PAGE_SIZE = 20


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; the selectors' NotFound → 404 and PermissionDenied → 403."""

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


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    office = sel.is_office(user)
    handler = sel.is_handler(user)
    if not office and not handler:
        raise PermissionDenied("letters.no_role", _("您没有处理来信的权限。"))
    boxes = (list(sel.OFFICE_BOXES) if office else []) + (list(sel.UNIT_BOXES) if handler else [])
    box = request.GET.get("box", "")
    if box not in dict(boxes):
        box = boxes[0][0]
    f = sel.LetterFilter(
        box=box,
        kind=request.GET.get("kind", "") if request.GET.get("kind") in LetterKind.values else "",
        mailbox_id=_int(request.GET.get("mailbox")),
        unit_id=_int(request.GET.get("unit")) if office else None,
        overdue=request.GET.get("overdue") == "1",
        q=request.GET.get("q", "").strip()[:50],
    )
    page = Paginator(sel.letters_for(user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    q = request.GET.copy()
    q.pop("page", None)
    county = sel.staff_county(user)
    counts = sel.box_counts(user)
    return render(
        request,
        "interaction/letters/index.html",
        {
            "page": page,
            "f": f,
            "boxes": [(k, label, counts.get(k, 0)) for k, label in boxes],
            "office": office,
            "kinds": LetterKind.choices,
            "mailboxes": list(sel.mailboxes(county)),
            "units": list(sel.routable_units(county)) if office else [],
            "today": tclock.today(),
            "open_states": [s.value for s in sel.OPEN],
            "query": q.urlencode(),
        },
    )


def _detail(request: HttpRequest, letter: Letter, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    office = sel.is_office(user, letter.county_id)
    handler = letter.routed_to_id is not None and sel.is_handler(user, letter.routed_to_id)
    draft = sel.current_draft(letter)
    st = letter.status
    editable_draft = (
        draft if draft is not None and draft.status in (DraftStatus.DRAFT, DraftStatus.RETURNED) else None
    )
    ctx = {
        "letter": letter,
        "events": sel.events_of(letter),
        "attachments": list(letter.attachments.all()),
        "draft": draft,
        "office": office,
        "handler": handler,
        "today": tclock.today(),
        "overdue": st in sel.OPEN and letter.due_on < tclock.today(),
        "can_route": office and st == LetterStatus.RECEIVED,
        "can_answer": office and st == LetterStatus.RECEIVED,
        "can_invalidate": office and st in sel.OPEN,
        "can_review": office and st == LetterStatus.REVIEW,
        "can_urge": office and st == LetterStatus.ROUTED,
        "can_publish": office and st in sel.DONE and letter.may_publish and not letter.is_published,
        "can_unpublish": office and letter.is_published,
        "can_reply": handler and st == LetterStatus.ROUTED,
        "can_return": handler and st == LetterStatus.ROUTED,
        "route_form": forms.get("route_form")
        or RouteForm(units=[(u.pk, u.name) for u in sel.routable_units(letter.county)]),
        "answer_form": forms.get("answer_form") or ReplyForm(prefix="answer"),
        "invalid_form": forms.get("invalid_form") or InvalidForm(prefix="invalid"),
        "review_form": forms.get("review_form")
        or ReviewForm(prefix="review", initial={"content": draft.content if draft else ""}),
        "urge_form": forms.get("urge_form") or NoteForm(prefix="urge"),
        "reply_form": forms.get("reply_form")
        or ReplyForm(prefix="reply", initial={"content": editable_draft.content if editable_draft else ""}),
        "return_form": forms.get("return_form") or ReasonForm(prefix="return"),
    }
    return render(request, "interaction/letters/detail.html", ctx, status=status)


@staff_view
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.get_letter_for(request.user, pk))


def _act(
    request: HttpRequest,
    pk: int,
    form: Any,
    form_key: str,
    call: Callable[[Letter, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    letter = sel.get_letter_for(request.user, pk)
    if form.is_valid():
        try:
            call(letter, form.cleaned_data)
        except PermissionDenied:
            raise
        except TongbanError as exc:
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            else:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, done)
            return redirect("letters:detail", pk=letter.pk)
    letter.refresh_from_db()
    return _detail(request, letter, status=400, **{form_key: form})


@staff_view
@require_POST
def route(request: HttpRequest, pk: int) -> HttpResponse:
    letter = sel.get_letter_for(request.user, pk)
    form = RouteForm(request.POST, units=[(u.pk, u.name) for u in sel.routable_units(letter.county)])
    return _act(
        request,
        pk,
        form,
        "route_form",
        lambda lt, d: letters.letter_route(
            letter=lt, actor=request.user, unit_id=d["unit"], note=d["note"], request=request
        ),
        _("已转办。"),
    )


@staff_view
@require_POST
def unit_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReasonForm(request.POST, prefix="return"),
        "return_form",
        lambda lt, d: letters.letter_return(
            letter=lt, actor=request.user, reason=d["reason"], request=request
        ),
        _("已退回信箱办公室。"),
    )


@staff_view
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    submit = request.POST.get("action") == "submit"
    return _act(
        request,
        pk,
        ReplyForm(request.POST, prefix="reply"),
        "reply_form",
        lambda lt, d: letters.reply_save(
            letter=lt, actor=request.user, content=d["content"], submit=submit, request=request
        ),
        _("答复稿已提交审核。") if submit else _("答复稿已保存。"),
    )


@staff_view
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReviewForm(request.POST, prefix="review"),
        "review_form",
        lambda lt, d: letters.reply_review(
            letter=lt,
            actor=request.user,
            approve=d["decision"] == "approve",
            note=d["note"],
            content=d["content"],
            request=request,
        ),
        _("审核完成。"),
    )


@staff_view
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReplyForm(request.POST, prefix="answer"),
        "answer_form",
        lambda lt, d: letters.letter_answer(
            letter=lt, actor=request.user, content=d["content"], request=request
        ),
        _("已直接答复。"),
    )


@staff_view
@require_POST
def invalidate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        InvalidForm(request.POST, prefix="invalid"),
        "invalid_form",
        lambda lt, d: letters.letter_invalidate(
            letter=lt, actor=request.user, category=d["category"], reason=d["reason"], request=request
        ),
        _("已认定为无效信件。"),
    )


@staff_view
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    on = request.POST.get("publish") == "1"
    return _act(
        request,
        pk,
        NoteForm(request.POST, prefix="publish"),
        "urge_form",
        lambda lt, d: letters.letter_publish(letter=lt, actor=request.user, publish=on, request=request),
        _("已在网站公开。") if on else _("已撤销公开。"),
    )


@staff_view
@require_POST
def urge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        NoteForm(request.POST, prefix="urge"),
        "urge_form",
        lambda lt, d: letters.letter_urge(letter=lt, actor=request.user, note=d["note"], request=request),
        _("已督办。"),
    )


@staff_view
@require_GET
def attachment(request: HttpRequest, att_pk: int) -> HttpResponse:
    att = LetterAttachment.objects.filter(pk=att_pk).first()
    if att is None:
        raise Http404
    sel.get_letter_for(request.user, att.letter_id)
    return FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type
    )
