"""REST endpoints of online interviews (在线访谈).

Staff (``router``, /api/v1/interviews/): list, create, read, edit, announce, start, end,
publish; questions (list, moderate, answer) and posts. Public (``public_router``,
/api/v1/public/interviews/, anonymous): list, detail, the live feed since a version (``204``
when nothing changed — no database query), and asking a question (rate-limited per address).
Thin: the same services and selectors as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tongban.api.common import Id, caller, errors, public_errors
from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.interaction import antispam, interviews
from tongban.interaction import interviews_selectors as sel
from tongban.interaction.models import Interview, InterviewGuest, InterviewQuestion
from tongban.orgs import selectors as orgs
from tongban.orgs.models import Unit

router = Router(tags=["政民互动：在线访谈"])
public_router = Router(tags=["门户网站：在线访谈"])


# --- schemas -----------------------------------------------------------------------------------
class GuestIn(Schema):
    id: int | None = None
    name: str
    title: str
    user_id: int | None = None


class GuestOut(Schema):
    id: int
    name: str
    title: str


class InterviewIn(Schema):
    title: str
    summary: str
    host_unit_id: int
    starts_at: datetime
    ends_at: datetime
    guests: list[GuestIn]


class InterviewSummaryOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    host_unit: str
    starts_at: datetime
    ends_at: datetime
    version: int

    @staticmethod
    def resolve_status_label(obj: Interview) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_host_unit(obj: Interview) -> str:
        return obj.host_unit.name


class InterviewOut(InterviewSummaryOut):
    summary: str
    transcript_summary: str
    announced_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    replies_due_on: date | None
    guests: list[GuestOut]

    @staticmethod
    def resolve_guests(obj: Interview) -> list[InterviewGuest]:
        return list(obj.guests.all())


class InterviewQuestionOut(Schema):
    id: int
    nickname: str
    content: str
    is_pre: bool
    status: str
    answer: str
    answered_by: str
    answered_at: datetime | None
    answered_live: bool
    created_at: datetime

    @staticmethod
    def resolve_answered_by(obj: InterviewQuestion) -> str:
        return obj.answered_by.name if obj.answered_by else ""


class StaffQuestionOut(InterviewQuestionOut):
    phone: str


class ModerateIn(Schema):
    approve: bool


class InterviewAnswerIn(Schema):
    answer: str
    guest_id: int | None = None


class PostIn(Schema):
    speaker: str = "主持人"
    content: str


class InterviewPublishIn(Schema):
    transcript_summary: str


class FeedItemOut(Schema):
    kind: str
    id: int
    at: datetime
    speaker: str
    content: str
    answer: str
    answered_by: str
    answered_live: bool


class FeedOut(Schema):
    version: int
    status: str
    items: list[FeedItemOut]


class AskIn(Schema):
    nickname: str
    content: str
    phone: str = ""


class AskedOut(Schema):
    id: int
    detail: str


def _map(exc: TongbanError) -> Status:
    return Status(exc.status, {"detail": str(exc.message), "code": exc.code})


def _guests(items: list[GuestIn]) -> list[dict[str, Any]]:
    return [{"id": g.id, "name": g.name, "title": g.title, "user": g.user_id} for g in items]


def _unit(request: HttpRequest, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise TongbanError("interviews.bad_unit", _("主办单位不存在。"), field="host_unit_id")
    return unit


# --- staff -------------------------------------------------------------------------------------
@router.get("/", response={200: list[InterviewSummaryOut], **errors()}, summary="访谈列表")
def list_interviews(request: HttpRequest, status: str = "") -> Any:
    return list(sel.staff_list(caller(request), status=status)[:200])


@router.post("/", response={201: InterviewOut, **errors(400, 403)}, summary="新建访谈（草稿）")
def create_interview(request: HttpRequest, payload: InterviewIn) -> Any:
    user = caller(request)
    try:
        iv = interviews.interview_create(
            actor=user, county=orgs.access_county(user), title=payload.title, summary=payload.summary,
            host_unit=_unit(request, payload.host_unit_id), starts_at=payload.starts_at, ends_at=payload.ends_at,
            guests=_guests(payload.guests), request=request,
        )  # fmt: skip
    except TongbanError as exc:
        return _map(exc)
    return Status(201, iv)


@router.get("/{pk}", response={200: InterviewOut, **errors(404)}, summary="访谈详情")
def get_interview(request: HttpRequest, pk: Id) -> Any:
    try:
        return sel.get_interview_for(caller(request), pk)
    except TongbanError as exc:
        return _map(exc)


@router.put("/{pk}", response={200: InterviewOut, **errors(400, 403, 404)}, summary="修改访谈（草稿或预告）")
def update_interview(request: HttpRequest, pk: Id, payload: InterviewIn) -> Any:
    user = caller(request)
    try:
        iv = sel.get_interview_for(user, pk)
        return interviews.interview_update(
            iv, actor=user, title=payload.title, summary=payload.summary,
            host_unit=_unit(request, payload.host_unit_id), starts_at=payload.starts_at, ends_at=payload.ends_at,
            guests=_guests(payload.guests), request=request,
        )  # fmt: skip
    except TongbanError as exc:
        return _map(exc)


def _do(request: HttpRequest, pk: int, fn: Any, **kwargs: Any) -> Any:
    user = caller(request)
    try:
        iv = sel.get_interview_for(user, pk)
        return fn(iv, actor=user, request=request, **kwargs)
    except TongbanError as exc:
        return _map(exc)


@router.post("/{pk}/announce", response={200: InterviewOut, **errors(400, 403, 404)}, summary="发布预告")
def announce(request: HttpRequest, pk: Id) -> Any:
    return _do(request, pk, interviews.interview_announce)


@router.post("/{pk}/start", response={200: InterviewOut, **errors(400, 403, 404)}, summary="开始直播")
def start(request: HttpRequest, pk: Id) -> Any:
    return _do(request, pk, interviews.interview_start)


@router.post("/{pk}/end", response={200: InterviewOut, **errors(400, 403, 404)}, summary="结束直播")
def end(request: HttpRequest, pk: Id) -> Any:
    return _do(request, pk, interviews.interview_end)


@router.post("/{pk}/publish", response={200: InterviewOut, **errors(400, 403, 404)}, summary="发布实录")
def publish(request: HttpRequest, pk: Id, payload: InterviewPublishIn) -> Any:
    return _do(request, pk, interviews.interview_publish, transcript_summary=payload.transcript_summary)


@router.get("/{pk}/questions", response={200: list[StaffQuestionOut], **errors(404)}, summary="网友提问")
def questions(request: HttpRequest, pk: Id, status: str = "") -> Any:
    try:
        iv = sel.get_interview_for(caller(request), pk)
    except TongbanError as exc:
        return _map(exc)
    qs = (
        InterviewQuestion.objects.filter(interview=iv)
        .select_related("answered_by")
        .order_by("created_at", "id")
    )
    if status:
        qs = qs.filter(status=status)
    return list(qs[:1000])


@router.post(
    "/questions/{qid}/moderate",
    response={200: StaffQuestionOut, **errors(400, 403, 404)},
    summary="审核提问",
)
def moderate(request: HttpRequest, qid: Id, payload: ModerateIn) -> Any:
    user = caller(request)
    try:
        q = sel.get_question_for(user, qid)
        return interviews.question_moderate(q, actor=user, approve=payload.approve, request=request)
    except TongbanError as exc:
        return _map(exc)


@router.post(
    "/questions/{qid}/answer",
    response={200: StaffQuestionOut, **errors(400, 403, 404)},
    summary="嘉宾回答",
)
def answer(request: HttpRequest, qid: Id, payload: InterviewAnswerIn) -> Any:
    user = caller(request)
    try:
        q = sel.get_question_for(user, qid)
        guest = InterviewGuest.objects.filter(interview_id=q.interview_id, pk=payload.guest_id or 0).first()
        return interviews.question_answer(q, actor=user, answer=payload.answer, guest=guest, request=request)
    except TongbanError as exc:
        return _map(exc)


@router.post("/{pk}/posts", response={201: FeedItemOut, **errors(400, 403, 404)}, summary="主持人/嘉宾发言")
def add_post(request: HttpRequest, pk: Id, payload: PostIn) -> Any:
    user = caller(request)
    try:
        iv = sel.get_interview_for(user, pk)
        p = interviews.post_add(
            iv, actor=user, speaker=payload.speaker, content=payload.content, request=request
        )
    except TongbanError as exc:
        return _map(exc)
    return Status(
        201,
        {"kind": "post", "id": p.pk, "at": p.at, "speaker": p.speaker, "content": p.content, "answer": "",
         "answered_by": "", "answered_live": True},
    )  # fmt: skip


# --- public ------------------------------------------------------------------------------------
class InterviewPublicListOut(Schema):
    live: list[InterviewSummaryOut]
    upcoming: list[InterviewSummaryOut]
    past: list[InterviewSummaryOut]


class PublicInterviewOut(InterviewSummaryOut):
    summary: str
    transcript_summary: str
    replies_due_on: date | None
    guests: list[GuestOut]

    @staticmethod
    def resolve_guests(obj: Interview) -> list[InterviewGuest]:
        return list(obj.guests.all())


@public_router.get(
    "/",
    response={200: InterviewPublicListOut, **public_errors(404)},
    auth=None,
    summary="访谈列表（直播、预告、往期）",
)
def public_list(request: HttpRequest) -> Any:
    county = sel.public_county()
    if county is None:
        return Status(404, {"detail": str(_("尚未建立门户网站。"))})
    current = sel.upcoming_and_live(county, limit=20)
    return {
        "live": [i for i in current if i.status == "live"],
        "upcoming": [i for i in current if i.status == "announced"],
        "past": list(sel.past_public(county)[:50]),
    }


@public_router.get(
    "/{pk}", response={200: PublicInterviewOut, **public_errors(404)}, auth=None, summary="访谈详情"
)
def public_detail(request: HttpRequest, pk: Id) -> Any:
    try:
        return sel.get_public_interview(pk)
    except NotFound as exc:
        return _map(exc)


@public_router.get(
    "/{pk}/feed",
    response={200: FeedOut, 204: None, **public_errors(404)},
    auth=None,
    summary="直播内容（since=客户端已有的版本；无变化时 204）",
)
def public_feed(request: HttpRequest, pk: Id, since: int | None = Query(None)) -> Any:
    current = sel.current_version(pk)
    if current is None:
        return Status(404, {"detail": str(_("访谈不存在。"))})
    if since is not None and since == current[0]:
        return HttpResponse(status=204, headers={"ETag": f'"iv{pk}-{current[0]}"'})
    iv = sel.get_public_interview(pk)
    items = sel.feed(iv)
    return {
        "version": iv.version,
        "status": iv.status,
        "items": [
            {"kind": i.kind, "id": i.pk, "at": i.at, "speaker": i.speaker, "content": i.content, "answer": i.answer,
             "answered_by": i.answered_by, "answered_live": i.answered_live}
            for i in items
        ],
    }  # fmt: skip


@public_router.post(
    "/{pk}/questions",
    response={201: AskedOut, **public_errors(400, 404, 429)},
    auth=None,
    summary="网友提问",
)
def public_ask(request: HttpRequest, pk: Id, payload: AskIn) -> Any:
    try:
        iv = sel.get_public_interview(pk)
        antispam.rate_limit(request, f"interview_ask:{pk}", limit=5, window=600)
        q = interviews.question_ask(
            iv, nickname=payload.nickname, content=payload.content, phone=payload.phone,
            account=public.account_of(request),
        )  # fmt: skip
    except TongbanError as exc:
        if exc.code == "interaction.rate_limited":
            return Status(429, {"detail": str(exc.message), "code": exc.code})
        return _map(exc)
    return Status(201, {"id": q.pk, "detail": str(_("提问已提交，审核通过后显示。"))})
