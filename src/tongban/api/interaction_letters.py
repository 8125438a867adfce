"""REST endpoints of the leader and department mailboxes (领导信箱).

Staff (``router``, /api/v1/letters/): the boxes, a letter with its timeline, and every step of
the loop — route, return, draft/submit a reply, review, answer directly, invalidate, publish,
urge. Public (``public_router``, /api/v1/public/letters/): write a letter anonymously (with the
offline challenge from ``GET challenge``), look it up by 查询码 + phone, rate it and ask once for
re-handling, the published letters and the public statistics. Thin: selectors and services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tongban.api.common import Id, Offset, OptionalId, OptionalYear, errors, public_errors
from tongban.api.common import caller as _caller
from tongban.core import clock as tclock
from tongban.core.errors import NotFound, TongbanError
from tongban.identity.models import PublicAccount
from tongban.identity.public_api_auth import PublicSessionAuth
from tongban.interaction import letters
from tongban.interaction import letters_selectors as sel
from tongban.interaction.antispam import check_challenge, new_challenge, rate_limit
from tongban.interaction.models import Letter, LetterEvent

router = Router(tags=["政民互动：领导信箱"])
public_router = Router(tags=["门户网站：领导信箱"])

MAX_LIMIT = 100


# --- schemas -----------------------------------------------------------------------------------
class LetterSummaryOut(Schema):
    id: int
    tracking_code: str
    kind: str
    kind_label: str
    title: str
    mailbox: str
    status: str
    status_label: str
    received_on: date
    due_on: date
    overdue: bool
    routed_to_id: int | None
    routed_to: str
    answered_on: date | None
    on_time: bool | None
    is_published: bool


class LetterEventOut(Schema):
    kind: str
    label: str
    on: date
    at: datetime
    unit: str
    actor: str
    note: str


class LetterDraftOut(Schema):
    id: int
    unit: str
    status: str
    content: str
    review_note: str


class LetterOut(LetterSummaryOut):
    content: str
    writer_name: str
    phone: str
    email: str
    address: str
    may_publish: bool
    reply_unit: str
    reply_content: str
    rating: str
    rating_comment: str
    rating_due_on: date | None
    rating_defaulted: bool
    rehandle_count: int
    draft: LetterDraftOut | None
    events: list[LetterEventOut]


class LetterPage(Schema):
    count: int
    limit: int
    offset: int
    counts: dict[str, int]
    items: list[LetterSummaryOut]


class RouteIn(Schema):
    unit_id: int
    note: str = ""


class ReasonIn(Schema):
    reason: str


class LetterDraftIn(Schema):
    content: str
    submit: bool = False


class LetterReviewIn(Schema):
    approve: bool
    note: str = ""
    content: str | None = None


class LetterAnswerIn(Schema):
    content: str


class InvalidateIn(Schema):
    category: str
    reason: str


class LetterPublishIn(Schema):
    publish: bool


class NoteIn(Schema):
    note: str = ""


class ChallengeOut(Schema):
    question: str
    token: str


class MailboxOut(Schema):
    id: int
    name: str
    kind: str
    leader_title: str
    unit: str
    intro: str


class WriteIn(Schema):
    mailbox_id: int
    kind: str
    title: str
    content: str
    writer_name: str
    phone: str
    email: str = ""
    address: str = ""
    may_publish: bool = True
    challenge: str
    challenge_token: str


class WrittenOut(Schema):
    tracking_code: str
    received_on: date
    due_on: date


class LetterLookupIn(Schema):
    code: str
    phone: str


class PublicEventOut(Schema):
    kind: str
    label: str
    at: datetime
    unit: str


class TrackOut(Schema):
    tracking_code: str
    mailbox: str
    kind: str
    title: str
    content: str
    status: str
    status_label: str
    received_on: date
    due_on: date
    answered_on: date | None
    reply_unit: str
    reply_content: str
    rating: str
    rating_due_on: date | None
    can_rate: bool
    can_rehandle: bool
    events: list[PublicEventOut]


class LetterRateIn(LetterLookupIn):
    rating: str
    comment: str = ""


class RehandleIn(LetterLookupIn):
    reason: str


class LetterPublishedOut(Schema):
    id: int
    title: str
    kind: str
    mailbox: str
    writer: str
    content: str
    received_on: date
    answered_on: date | None
    reply_unit: str
    reply_content: str


class PublishedPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[LetterPublishedOut]


class KindCountOut(Schema):
    kind: str
    label: str
    count: int


class LetterMonthCountOut(Schema):
    month: str
    received: int
    answered: int


class StatsOut(Schema):
    year: int | None
    received: int
    answered: int
    on_time: int
    on_time_rate: float | None
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    by_kind: list[KindCountOut]
    by_month: list[LetterMonthCountOut]


# --- converters --------------------------------------------------------------------------------
def _summary(lt: Letter, today: date) -> dict[str, Any]:
    return {
        "id": lt.pk,
        "tracking_code": lt.tracking_code,
        "kind": lt.kind,
        "kind_label": str(lt.get_kind_display()),
        "title": lt.title,
        "mailbox": lt.mailbox.name,
        "status": lt.status,
        "status_label": str(lt.get_status_display()),
        "received_on": lt.received_on,
        "due_on": lt.due_on,
        "overdue": lt.status in sel.OPEN and lt.due_on < today,
        "routed_to_id": lt.routed_to_id,
        "routed_to": lt.routed_to.name if lt.routed_to else "",
        "answered_on": lt.answered_on,
        "on_time": lt.on_time,
        "is_published": lt.is_published,
    }


def _event(e: LetterEvent) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "label": str(e.get_kind_display()),
        "on": e.on,
        "at": e.at,
        "unit": e.unit.name if e.unit else "",
        "actor": (e.actor.full_name or e.actor.username) if e.actor else "",
        "note": e.note,
    }


def _detail(user: Any, lt: Letter) -> dict[str, Any]:
    office = sel.is_office(user, lt.county_id)
    draft = sel.current_draft(lt)
    return {
        **_summary(lt, tclock.today()),
        "content": lt.content,
        "writer_name": lt.writer_name,
        "phone": lt.phone if office else "",
        "email": lt.email if office else "",
        "address": lt.address if office else "",
        "may_publish": lt.may_publish,
        "reply_unit": lt.reply_unit.name if lt.reply_unit else "",
        "reply_content": lt.reply_content,
        "rating": lt.rating,
        "rating_comment": lt.rating_comment,
        "rating_due_on": lt.rating_due_on,
        "rating_defaulted": lt.rating_defaulted,
        "rehandle_count": lt.rehandle_count,
        "draft": (
            {
                "id": draft.pk,
                "unit": draft.unit.name,
                "status": draft.status,
                "content": draft.content,
                "review_note": draft.review_note,
            }
            if draft
            else None
        ),
        "events": [_event(e) for e in sel.events_of(lt)],
    }


def _track(lt: Letter) -> dict[str, Any]:
    done = lt.answered_on is not None
    return {
        "tracking_code": lt.tracking_code,
        "mailbox": lt.mailbox.name,
        "kind": lt.kind,
        "title": lt.title,
        "content": lt.content,
        "status": lt.status,
        "status_label": str(lt.get_status_display()),
        "received_on": lt.received_on,
        "due_on": lt.due_on,
        "answered_on": lt.answered_on,
        "reply_unit": lt.reply_unit.name if done and lt.reply_unit else "",
        "reply_content": lt.reply_content if done else "",
        "rating": lt.rating,
        "rating_due_on": lt.rating_due_on,
        "can_rate": letters.can_rate(lt),
        "can_rehandle": letters.can_rehandle(lt),
        "events": [
            {
                "kind": e.kind,
                "label": str(e.get_kind_display()),
                "at": e.at,
                "unit": e.unit.name if e.unit else "",
            }
            for e in sel.public_events(lt)
        ],
    }


def _published(lt: Letter) -> dict[str, Any]:
    return {
        "id": lt.pk,
        "title": lt.title,
        "kind": lt.kind,
        "mailbox": lt.mailbox.name,
        "writer": sel.mask_name(lt.writer_name),
        "content": lt.content,
        "received_on": lt.received_on,
        "answered_on": lt.answered_on,
        "reply_unit": lt.reply_unit.name if lt.reply_unit else "",
        "reply_content": lt.reply_content,
    }


def _county() -> Any:
    county = sel.public_county()
    if county is None:
        raise NotFound("letters.no_site", _("网站尚未开通。"))
    return county


# --- staff -------------------------------------------------------------------------------------
@router.get("", response={200: LetterPage, **errors(403)}, summary="来信列表（按信箱分栏）")
def letter_list(
    request: HttpRequest,
    box: str = "",
    kind: str = "",
    mailbox_id: OptionalId = None,
    unit_id: OptionalId = None,
    overdue: bool = False,
    q: str = "",
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Boxes of the office: received (待转办), review (待审核), routed (办理中), answered, closed,
    invalid, all; of a unit's letter handler: todo (待办理), submitted (已提交), done (已答复)."""
    user = _caller(request)
    qs = sel.letters_for(
        user,
        sel.LetterFilter(
            box=box, kind=kind, mailbox_id=mailbox_id, unit_id=unit_id, overdue=overdue, q=q[:50]
        ),
    )
    today = tclock.today()
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "counts": sel.box_counts(user),
        "items": [_summary(lt, today) for lt in qs[offset : offset + limit]],
    }


@router.get("{letter_id}", response={200: LetterOut, **errors(403, 404)}, summary="来信详情与办理过程")
def letter_detail(request: HttpRequest, letter_id: Id) -> dict[str, Any]:
    user = _caller(request)
    return _detail(user, sel.get_letter_for(user, letter_id))


def _done(user: Any, letter_id: int) -> dict[str, Any]:
    return _detail(user, sel.get_letter_for(user, letter_id))


@router.post("{letter_id}/route", response={200: LetterOut, **errors(400, 403, 404)}, summary="转办")
def letter_route(request: HttpRequest, letter_id: Id, body: RouteIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.letter_route(letter=lt, actor=user, unit_id=body.unit_id, note=body.note, request=request)
    return _done(user, letter_id)


@router.post("{letter_id}/return", response={200: LetterOut, **errors(400, 403, 404)}, summary="承办单位退回")
def letter_return(request: HttpRequest, letter_id: Id, body: ReasonIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.letter_return(letter=lt, actor=user, reason=body.reason, request=request)
    return _maybe(user, letter_id)


def _maybe(user: Any, letter_id: int) -> dict[str, Any]:
    """After a return the unit no longer sees the letter: answer with what it last saw."""
    try:
        return _done(user, letter_id)
    except NotFound:
        lt = Letter.objects.select_related("mailbox", "routed_to", "reply_unit").get(pk=letter_id)
        return {**_summary(lt, tclock.today()), **_blank_detail(lt)}


def _blank_detail(lt: Letter) -> dict[str, Any]:
    return {
        "content": "",
        "writer_name": "",
        "phone": "",
        "email": "",
        "address": "",
        "may_publish": lt.may_publish,
        "reply_unit": "",
        "reply_content": "",
        "rating": "",
        "rating_comment": "",
        "rating_due_on": None,
        "rating_defaulted": False,
        "rehandle_count": lt.rehandle_count,
        "draft": None,
        "events": [],
    }


@router.post(
    "{letter_id}/draft", response={200: LetterOut, **errors(400, 403, 404)}, summary="保存或提交答复稿"
)
def letter_draft(request: HttpRequest, letter_id: Id, body: LetterDraftIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.reply_save(letter=lt, actor=user, content=body.content, submit=body.submit, request=request)
    return _done(user, letter_id)


@router.post(
    "{letter_id}/submit", response={200: LetterOut, **errors(400, 403, 404)}, summary="提交答复稿审核"
)
def letter_submit_draft(request: HttpRequest, letter_id: Id, body: LetterAnswerIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.reply_save(letter=lt, actor=user, content=body.content, submit=True, request=request)
    return _done(user, letter_id)


@router.post("{letter_id}/review", response={200: LetterOut, **errors(400, 403, 404)}, summary="审核答复稿")
def letter_review(request: HttpRequest, letter_id: Id, body: LetterReviewIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.reply_review(
        letter=lt, actor=user, approve=body.approve, note=body.note, content=body.content, request=request
    )
    return _done(user, letter_id)


@router.post(
    "{letter_id}/answer", response={200: LetterOut, **errors(400, 403, 404)}, summary="信箱办公室直接答复"
)
def letter_answer(request: HttpRequest, letter_id: Id, body: LetterAnswerIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.letter_answer(letter=lt, actor=user, content=body.content, request=request)
    return _done(user, letter_id)


@router.post(
    "{letter_id}/invalidate", response={200: LetterOut, **errors(400, 403, 404)}, summary="认定无效信件"
)
def letter_invalidate(request: HttpRequest, letter_id: Id, body: InvalidateIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.letter_invalidate(
        letter=lt, actor=user, category=body.category, reason=body.reason, request=request
    )
    return _done(user, letter_id)


@router.post(
    "{letter_id}/publish", response={200: LetterOut, **errors(400, 403, 404)}, summary="公开或撤销公开"
)
def letter_publish(request: HttpRequest, letter_id: Id, body: LetterPublishIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.letter_publish(letter=lt, actor=user, publish=body.publish, request=request)
    return _done(user, letter_id)


@router.post("{letter_id}/urge", response={200: LetterOut, **errors(400, 403, 404)}, summary="督办")
def letter_urge(request: HttpRequest, letter_id: Id, body: NoteIn) -> dict[str, Any]:
    user = _caller(request)
    lt = sel.get_letter_for(user, letter_id)
    letters.letter_urge(letter=lt, actor=user, note=body.note, request=request)
    return _done(user, letter_id)


# --- public (/api/v1/public/letters/) ----------------------------------------------------------
@public_router.get("mailboxes", auth=None, response={200: list[MailboxOut]}, summary="信箱列表")
def public_mailboxes(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "name": b.name,
            "kind": b.kind,
            "leader_title": b.leader_title,
            "unit": b.unit.name if b.unit else "",
            "intro": b.intro,
        }
        for b in sel.mailboxes(_county())
    ]


@public_router.get("challenge", auth=None, response={200: ChallengeOut}, summary="获取验证题")
def public_challenge(request: HttpRequest) -> dict[str, Any]:
    """A small sum to solve; send the answer and the token with the letter (good once, 30 minutes)."""
    c = new_challenge()
    return {"question": c.question, "token": c.token}


@public_router.post("", auth=None, response={201: WrittenOut, **errors(400, 404)}, summary="写信（无需登录）")
def public_write(request: HttpRequest, body: WriteIn) -> Status:
    """Write a letter: solve ``GET challenge`` first; at most 5 letters an hour from one address.
    Keep the 查询码: with the phone it finds the progress and the answer."""
    county = _county()
    check_challenge(body.challenge_token, body.challenge)
    mailbox = sel.get_mailbox(county, body.mailbox_id)
    rate_limit(request, "letter", limit=5, window=3600)
    lt = letters.letter_submit(
        mailbox=mailbox,
        kind=body.kind,
        title=body.title,
        content=body.content,
        writer_name=body.writer_name,
        phone=body.phone,
        email=body.email,
        address=body.address,
        may_publish=body.may_publish,
    )
    return Status(
        201, {"tracking_code": lt.tracking_code, "received_on": lt.received_on, "due_on": lt.due_on}
    )


def _lookup(request: HttpRequest, body: LetterLookupIn) -> Letter:
    try:
        return sel.letter_lookup(body.code, body.phone)
    except NotFound:
        rate_limit(request, "letter_lookup", limit=20, window=3600)
        raise


@public_router.post(
    "lookup", auth=None, response={200: TrackOut, **errors(400, 404)}, summary="凭查询码和电话查询"
)
def public_lookup(request: HttpRequest, body: LetterLookupIn) -> dict[str, Any]:
    return _track(_lookup(request, body))


@public_router.post("rate", auth=None, response={200: TrackOut, **errors(400, 404)}, summary="评价答复")
def public_rate(request: HttpRequest, body: LetterRateIn) -> dict[str, Any]:
    lt = _lookup(request, body)
    return _track(letters.letter_rate(letter=lt, rating=body.rating, comment=body.comment))


@public_router.post(
    "rehandle", auth=None, response={200: TrackOut, **errors(400, 404)}, summary="申请重办（一次）"
)
def public_rehandle(request: HttpRequest, body: RehandleIn) -> dict[str, Any]:
    lt = _lookup(request, body)
    return _track(letters.letter_rehandle(letter=lt, reason=body.reason))


@public_router.get(
    "published", auth=None, response={200: PublishedPage, **public_errors()}, summary="公开信件"
)
def public_published(
    request: HttpRequest,
    kind: str = "",
    mailbox_id: OptionalId = None,
    start: date | None = None,
    end: date | None = None,
    q: str = "",
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
) -> dict[str, Any]:
    qs = sel.published_filtered(
        _county(), sel.PublicFilter(kind=kind, mailbox_id=mailbox_id, start=start, end=end, q=q[:50])
    )
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_published(lt) for lt in qs[offset : offset + limit]],
    }


@public_router.get(
    "published/{letter_id}",
    auth=None,
    response={200: LetterPublishedOut, **errors(404)},
    summary="公开信件详情",
)
def public_published_detail(request: HttpRequest, letter_id: Id) -> dict[str, Any]:
    return _published(sel.published_letter(_county(), letter_id))


@public_router.get("stats", auth=None, response={200: StatsOut, **errors(400)}, summary="信件统计")
def public_stats(request: HttpRequest, year: OptionalYear = None) -> dict[str, Any]:
    if year is not None and not (2000 <= year <= tclock.today().year):
        raise TongbanError("letters.bad_year", _("年度不正确。"), field="year")
    return sel.public_stats(_county(), year=year)


@public_router.get(
    "mine",
    auth=PublicSessionAuth(),
    response={200: list[TrackOut], **errors()},
    summary="我的来信（网上办事账户）",
)
def public_mine(request: HttpRequest) -> list[dict[str, Any]]:
    account = getattr(request, "auth", None)
    assert isinstance(account, PublicAccount)
    return [_track(lt) for lt in sel.letters_of_account(account)[:MAX_LIMIT]]
