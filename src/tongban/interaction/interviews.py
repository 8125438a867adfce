"""Online interviews (在线访谈): the only writers.

Rules (issue #5 and rules.md §7, local rules of the county's interaction platform):

- **Announced ahead.** An interview is announced (预告) with its topic, guests and time at least
  :data:`ANNOUNCE_LEAD_DAYS` (3) *calendar* days before it starts: announcing later is refused
  (``interviews.announce_too_late``), there is no "urgent" bypass — a late interview is moved.
  While announced, the public may send questions ahead (预先提问).
- **At most 60 minutes live** with a leader: ``ends_at - starts_at`` over :data:`MAX_LIVE_MINUTES`
  is refused (``interviews.too_long``).
- **Live**: the public posts questions (pending), the host (访谈征集管理员) approves or rejects them,
  guests answer (the host types the answer on the guest's behalf, or a guest with a staff account
  answers), host and guests post lines. Every visible change bumps ``Interview.version`` — the
  key of the cached live fragment.
- **Afterwards** the transcript, photos and summary are published; questions not answered live
  get replies within **5 working days** of the day the session ended:
  ``replies_due_on = add_workdays(end date, 5)``; the host is reminded before and after that day.

Every service is atomic, takes a keyword ``actor`` and writes an audit record."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit, clock, files
from tongban.core.calendar import add_workdays
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import PublicAccount, User
from tongban.interaction import interviews_selectors as sel
from tongban.interaction.models import (
    Interview,
    InterviewGuest,
    InterviewPhoto,
    InterviewPost,
    InterviewQuestion,
    InterviewStatus,
    QuestionStatus,
)
from tongban.orgs.models import County, Unit

ANNOUNCE_LEAD_DAYS = 3  # calendar days between announcing and the start
MAX_LIVE_MINUTES = 60
REPLY_WORKDAYS = 5
EARLY_START_MINUTES = 30  # the host may open the live room this long before the announced time
MAX_GUESTS = 10
MAX_QUESTION = 500
MAX_ANSWER = 5000
PHOTO_TYPES = ("jpg", "jpeg", "png")
PHOTO_MAX_BYTES = 8 * 1024 * 1024


# --- helpers -----------------------------------------------------------------------------------
def _bump(interview: Interview) -> None:
    """Bump the version (a visible change): the cached fragment of the new version is built on the
    next poll. The cached version is dropped now and set after commit (a concurrent poll cannot
    keep an old one)."""
    Interview.objects.filter(pk=interview.pk).update(version=F("version") + 1)
    interview.refresh_from_db(fields=["version"])
    pk, version = interview.pk, interview.version
    sel.forget_version(pk)
    transaction.on_commit(lambda: sel.remember_version(pk, version))


def _text(value: Any, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise TongbanError("interviews.required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > max_len:
        raise TongbanError(
            "interviews.too_long_text",
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_len},
            field=field,
        )
    return text


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise TongbanError("interviews.bad_times", _("结束时间应晚于开始时间。"), field="ends_at")
    if ends_at - starts_at > timedelta(minutes=MAX_LIVE_MINUTES):
        raise TongbanError(
            "interviews.too_long",
            _("在线访谈直播不超过 %(n)d 分钟。") % {"n": MAX_LIVE_MINUTES},
            field="ends_at",
        )


def _check_lead(starts_at: datetime, announced_at: datetime) -> None:
    """At least 3 calendar days between the announcement and the start."""
    if starts_at < announced_at + timedelta(days=ANNOUNCE_LEAD_DAYS):
        raise TongbanError(
            "interviews.announce_too_late",
            _("访谈须至少提前 %(n)d 天发布预告；开始时间应不早于 %(when)s。")
            % {
                "n": ANNOUNCE_LEAD_DAYS,
                "when": timezone.localtime(announced_at + timedelta(days=ANNOUNCE_LEAD_DAYS)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
            field="starts_at",
        )


def _guests(interview: Interview, guests: list[dict[str, Any]]) -> None:
    if len(guests) > MAX_GUESTS:
        raise TongbanError("interviews.too_many_guests", _("嘉宾不超过 10 位。"), field="guests")
    keep: list[int] = []
    for i, g in enumerate(guests):
        name = _text(g.get("name"), field="guests", label=_("嘉宾姓名"), max_len=32)
        title = _text(g.get("title"), field="guests", label=_("嘉宾职务"), max_len=100)
        user = g.get("user")
        if user is not None and not isinstance(user, User):
            user = User.objects.filter(pk=user, is_active=True).first()
            if user is None:
                raise TongbanError("interviews.bad_guest_user", _("嘉宾账号不存在。"), field="guests")
        pk = g.get("id")
        if pk:
            guest = InterviewGuest.objects.filter(interview=interview, pk=pk).first()
            if guest is None:
                raise TongbanError("interviews.bad_guest", _("嘉宾不存在。"), field="guests")
            guest.name, guest.title, guest.user, guest.sort = name, title, user, i
            guest.save(update_fields=["name", "title", "user", "sort"])
        else:
            guest = InterviewGuest.objects.create(
                interview=interview, name=name, title=title, user=user, sort=i
            )
        keep.append(guest.pk)
    if not keep:
        raise TongbanError("interviews.no_guest", _("请至少填写一位嘉宾。"), field="guests")
    InterviewGuest.objects.filter(interview=interview).exclude(pk__in=keep).delete()


def _state(interview: Interview, *allowed: str) -> None:
    if interview.status not in allowed:
        raise TongbanError(
            "interviews.bad_state",
            _("访谈当前状态为“%(status)s”，不能进行此操作。") % {"status": interview.get_status_display()},
        )


def _lock(interview: Interview) -> Interview:
    return Interview.objects.select_for_update().get(pk=interview.pk)


# --- create, edit, announce --------------------------------------------------------------------
@transaction.atomic
def interview_create(
    *,
    actor: User,
    county: County,
    title: str,
    summary: str,
    host_unit: Unit,
    starts_at: datetime,
    ends_at: datetime,
    guests: list[dict[str, Any]],
    request: Any = None,
) -> Interview:
    """A draft interview with its guests (``[{"name", "title", "user"?}]``)."""
    if not sel.is_host(actor, county):
        raise PermissionDenied("interviews.not_host", _("只有访谈征集管理员可以进行此操作。"))
    if host_unit.county_id != county.pk:
        raise TongbanError("interviews.bad_unit", _("主办单位不属于本县。"), field="host_unit")
    _check_times(starts_at, ends_at)
    interview = Interview.objects.create(
        county=county,
        title=_text(title, field="title", label=_("访谈主题"), max_len=100),
        summary=_text(summary, field="summary", label=_("访谈简介"), max_len=5000),
        host_unit=host_unit,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    _guests(interview, guests)
    audit.record("interviews.create", actor=actor, request=request, obj=interview)
    return interview


@transaction.atomic
def interview_update(
    interview: Interview,
    *,
    actor: User,
    title: str,
    summary: str,
    host_unit: Unit,
    starts_at: datetime,
    ends_at: datetime,
    guests: list[dict[str, Any]],
    request: Any = None,
) -> Interview:
    """Edit a draft or an announced interview (an announced one keeps the 3-day lead)."""
    sel.require_host(actor, interview)
    interview = _lock(interview)
    _state(interview, InterviewStatus.DRAFT, InterviewStatus.ANNOUNCED)
    if host_unit.county_id != interview.county_id:
        raise TongbanError("interviews.bad_unit", _("主办单位不属于本县。"), field="host_unit")
    _check_times(starts_at, ends_at)
    if interview.status == InterviewStatus.ANNOUNCED and interview.announced_at:
        _check_lead(starts_at, interview.announced_at)
    old = {"title": interview.title, "starts_at": interview.starts_at, "ends_at": interview.ends_at}
    interview.title = _text(title, field="title", label=_("访谈主题"), max_len=100)
    interview.summary = _text(summary, field="summary", label=_("访谈简介"), max_len=5000)
    interview.host_unit = host_unit
    interview.starts_at, interview.ends_at = starts_at, ends_at
    interview.save(update_fields=["title", "summary", "host_unit", "starts_at", "ends_at"])
    _guests(interview, guests)
    if interview.status != InterviewStatus.DRAFT:
        _bump(interview)
    audit.record(
        "interviews.update",
        actor=actor,
        request=request,
        obj=interview,
        old=old,
        new={"title": interview.title, "starts_at": starts_at, "ends_at": ends_at},
    )
    return interview


@transaction.atomic
def interview_announce(interview: Interview, *, actor: User, request: Any = None) -> Interview:
    """Publish the announcement (预告): at least 3 calendar days before the start."""
    sel.require_host(actor, interview)
    interview = _lock(interview)
    _state(interview, InterviewStatus.DRAFT)
    now = clock.now()
    _check_lead(interview.starts_at, now)
    interview.status = InterviewStatus.ANNOUNCED
    interview.announced_at = now
    interview.save(update_fields=["status", "announced_at"])
    _bump(interview)
    audit.record("interviews.announce", actor=actor, request=request, obj=interview)
    return interview


@transaction.atomic
def interview_start(interview: Interview, *, actor: User, request: Any = None) -> Interview:
    """Open the live session (from 30 minutes before the announced start to its end)."""
    sel.require_host(actor, interview)
    interview = _lock(interview)
    _state(interview, InterviewStatus.ANNOUNCED)
    now = clock.now()
    if now < interview.starts_at - timedelta(minutes=EARLY_START_MINUTES):
        raise TongbanError(
            "interviews.too_early",
            _("直播最早可在预告开始时间前 %(n)d 分钟开启。") % {"n": EARLY_START_MINUTES},
        )
    if now > interview.ends_at:
        raise TongbanError("interviews.too_late", _("已过预告的结束时间，请修改时间后重新预告。"))
    interview.status = InterviewStatus.LIVE
    interview.started_at = now
    interview.save(update_fields=["status", "started_at"])
    _bump(interview)
    audit.record("interviews.start", actor=actor, request=request, obj=interview)
    return interview


@transaction.atomic
def interview_end(interview: Interview, *, actor: User, request: Any = None) -> Interview:
    """End the live session; unanswered questions are due 5 working days after the end date."""
    sel.require_host(actor, interview)
    interview = _lock(interview)
    _state(interview, InterviewStatus.LIVE)
    now = clock.now()
    interview.status = InterviewStatus.ENDED
    interview.ended_at = now
    interview.replies_due_on = replies_due(now)
    interview.save(update_fields=["status", "ended_at", "replies_due_on"])
    _bump(interview)
    audit.record(
        "interviews.end",
        actor=actor,
        request=request,
        obj=interview,
        new={"replies_due_on": interview.replies_due_on},
    )
    return interview


def replies_due(ended_at: datetime) -> Any:
    """The day replies to questions not answered live are due: 5 working days after the end date."""
    return add_workdays(timezone.localdate(ended_at), REPLY_WORKDAYS)


@transaction.atomic
def interview_publish(
    interview: Interview, *, actor: User, transcript_summary: str, request: Any = None
) -> Interview:
    """Publish the transcript (实录) with its summary (综述) and photos."""
    sel.require_host(actor, interview)
    interview = _lock(interview)
    _state(interview, InterviewStatus.ENDED, InterviewStatus.PUBLISHED)
    interview.transcript_summary = _text(
        transcript_summary, field="transcript_summary", label=_("访谈综述"), max_len=20000
    )
    interview.status = InterviewStatus.PUBLISHED
    interview.save(update_fields=["transcript_summary", "status"])
    _bump(interview)
    audit.record("interviews.publish", actor=actor, request=request, obj=interview)
    return interview


# --- questions ---------------------------------------------------------------------------------
@transaction.atomic
def question_ask(
    interview: Interview,
    *,
    nickname: str,
    content: str,
    phone: str = "",
    account: PublicAccount | None = None,
) -> InterviewQuestion:
    """A question from the public: before the start (预先提问, announced) or during the session.
    It waits for the host's approval; the phone is never shown."""
    interview = Interview.objects.get(pk=interview.pk)
    if interview.status not in (InterviewStatus.ANNOUNCED, InterviewStatus.LIVE):
        raise TongbanError("interviews.closed_for_questions", _("本期访谈已结束，不再接受提问。"))
    nickname = _text(nickname, field="nickname", label=_("网友昵称"), max_len=32)
    content = _text(content, field="content", label=_("问题"), max_len=MAX_QUESTION)
    phone = str(phone or "").strip()
    if phone and (not phone.replace("-", "").isdigit() or not 7 <= len(phone) <= 20):
        raise TongbanError("interviews.bad_phone", _("请填写正确的联系电话。"), field="phone")
    return InterviewQuestion.objects.create(
        interview=interview,
        nickname=nickname,
        content=content,
        phone=phone,
        account=account,
        is_pre=interview.status == InterviewStatus.ANNOUNCED,
    )


@transaction.atomic
def question_moderate(
    question: InterviewQuestion, *, actor: User, approve: bool, request: Any = None
) -> InterviewQuestion:
    """Approve (shown in the live room) or reject a pending question."""
    interview = _lock(question.interview)
    sel.require_host(actor, interview)
    question = InterviewQuestion.objects.select_for_update().get(pk=question.pk)
    if question.status != QuestionStatus.PENDING:
        raise TongbanError("interviews.already_moderated", _("该提问已审核。"))
    question.status = QuestionStatus.APPROVED if approve else QuestionStatus.REJECTED
    question.moderated_by = actor
    question.moderated_at = clock.now()
    question.save(update_fields=["status", "moderated_by", "moderated_at"])
    if approve and interview.status in (
        InterviewStatus.LIVE,
        InterviewStatus.ENDED,
        InterviewStatus.PUBLISHED,
    ):
        _bump(interview)
    audit.record(
        "interviews.question_" + ("approve" if approve else "reject"),
        actor=actor,
        request=request,
        obj=question,
    )
    return question


@transaction.atomic
def question_answer(
    question: InterviewQuestion,
    *,
    actor: User,
    answer: str,
    guest: InterviewGuest | None = None,
    request: Any = None,
) -> InterviewQuestion:
    """A guest's answer: typed by the host on the guest's behalf (``guest`` chosen), or by a guest
    with a staff account (then ``guest`` is that guest). During the session it is a live answer;
    afterwards a reply (会后答复). A pending question is approved by answering it (hosts only)."""
    interview = _lock(question.interview)
    own = sel.guest_of(actor, interview)
    host = sel.is_host(actor, interview.county_id)
    if not host and own is None:
        raise PermissionDenied("interviews.not_host", _("只有访谈征集管理员或本期嘉宾可以回答。"))
    if not host:
        guest = own
    if guest is None or guest.interview_id != interview.pk:
        raise TongbanError("interviews.guest_required", _("请选择回答的嘉宾。"), field="guest")
    _state(interview, InterviewStatus.LIVE, InterviewStatus.ENDED, InterviewStatus.PUBLISHED)
    question = InterviewQuestion.objects.select_for_update().get(pk=question.pk)
    if question.status == QuestionStatus.REJECTED:
        raise TongbanError("interviews.rejected", _("未通过审核的提问不能回答。"))
    if question.status == QuestionStatus.ANSWERED:
        raise TongbanError("interviews.already_answered", _("该提问已回答。"))
    if question.status == QuestionStatus.PENDING:
        if not host:
            raise TongbanError("interviews.not_approved", _("提问尚未通过审核。"))
        question.moderated_by = actor
        question.moderated_at = clock.now()
    question.answer = _text(answer, field="answer", label=_("回答"), max_len=MAX_ANSWER)
    question.answered_by = guest
    question.answered_at = clock.now()
    question.answered_live = interview.status == InterviewStatus.LIVE
    question.status = QuestionStatus.ANSWERED
    question.save(
        update_fields=[
            "answer",
            "answered_by",
            "answered_at",
            "answered_live",
            "status",
            "moderated_by",
            "moderated_at",
        ]
    )
    _bump(interview)
    audit.record("interviews.question_answer", actor=actor, request=request, obj=question)
    return question


@transaction.atomic
def post_add(
    interview: Interview, *, actor: User, speaker: str, content: str, request: Any = None
) -> InterviewPost:
    """A line of the live transcript by the host or a guest (主持人 / 嘉宾)."""
    interview = _lock(interview)
    own = sel.guest_of(actor, interview)
    if not sel.is_host(actor, interview.county_id):
        if own is None:
            raise PermissionDenied("interviews.not_host", _("只有访谈征集管理员或本期嘉宾可以发言。"))
        speaker = f"{own.name}（{own.title}）"
    _state(interview, InterviewStatus.LIVE)
    post = InterviewPost.objects.create(
        interview=interview,
        speaker=_text(speaker, field="speaker", label=_("发言人"), max_len=64),
        content=_text(content, field="content", label=_("内容"), max_len=MAX_ANSWER),
        at=clock.now(),
        author=actor,
    )
    _bump(interview)
    audit.record("interviews.post", actor=actor, request=request, obj=post)
    return post


# --- photos ------------------------------------------------------------------------------------
@transaction.atomic
def photo_add(
    interview: Interview, *, actor: User, file: IO[bytes], name: str, caption: str = "", request: Any = None
) -> InterviewPhoto:
    """A photo of the session (JPEG or PNG, checked by type and decoded by Pillow)."""
    sel.require_host(actor, interview)
    interview = _lock(interview)
    _state(interview, InterviewStatus.LIVE, InterviewStatus.ENDED, InterviewStatus.PUBLISHED)
    checked = files.check(
        file, name, allowed=PHOTO_TYPES, limit=PHOTO_MAX_BYTES, prefix="interviews.photo", field="image"
    )
    data = file.read()
    file.seek(0)
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except Exception:
        raise TongbanError(
            "interviews.photo_content",
            _("文件“%(name)s”不是有效的图片。") % {"name": checked.name},
            field="image",
        ) from None
    photo = InterviewPhoto(
        interview=interview,
        caption=_text(caption, field="caption", label=_("说明"), max_len=100, required=False),
        sort=InterviewPhoto.objects.filter(interview=interview).count(),
    )
    photo.image.save(f"photo.{checked.ext}", ContentFile(data), save=False)
    photo.save()
    _bump(interview)
    audit.record("interviews.photo_add", actor=actor, request=request, obj=photo)
    return photo


@transaction.atomic
def photo_delete(photo: InterviewPhoto, *, actor: User, request: Any = None) -> None:
    interview = photo.interview
    sel.require_host(actor, interview)
    audit.record("interviews.photo_delete", actor=actor, request=request, obj=photo)
    photo.delete()
    _bump(interview)


# --- reminders (the daily job) -----------------------------------------------------------------
def remind_replies(today: Any = None) -> int:
    """Remind the hosts of the county (and the interview's creator) of questions still owing a reply:
    once when the reply day is the next working day (or today), and every working day once it
    has passed. Deduplicated per interview, kind and day. Returns the number of interviews."""
    from django.urls import reverse

    from tongban.core.calendar import is_workday
    from tongban.notify.services import notify
    from tongban.orgs.models import BusinessRole, RoleGrant

    today = today or clock.today()
    soon = add_workdays(today, 1)
    sent = 0
    rows = Interview.objects.filter(
        status__in=[InterviewStatus.ENDED, InterviewStatus.PUBLISHED], replies_due_on__isnull=False
    ).filter(replies_due_on__lte=soon)
    for interview in rows.select_related("created_by"):
        open_count = sel.unanswered_after_session(interview).count()
        if not open_count:
            continue
        overdue = bool(interview.replies_due_on and interview.replies_due_on < today)
        if overdue and not is_workday(today):
            continue
        users = {
            g.user
            for g in RoleGrant.objects.filter(
                county_id=interview.county_id, role=BusinessRole.INTERVIEW_HOST, user__is_active=True
            ).select_related("user")
        }
        if interview.created_by.is_active:
            users.add(interview.created_by)
        due = interview.replies_due_on
        params = {"title": interview.title, "n": open_count, "due": due.isoformat() if due else ""}
        if overdue:
            event = "interviews.replies_overdue"
            title = _("访谈“%(title)s”有 %(n)d 个问题超过会后答复期限（%(due)s）") % params
        else:
            event = "interviews.replies_due"
            title = _("访谈“%(title)s”有 %(n)d 个问题须在 %(due)s 前答复") % params
        notify(
            users=sorted(users, key=lambda u: u.pk),
            event=event,
            title=title,
            body=_("网友在访谈中提出、未在现场回答的问题，应在访谈结束后 5 个工作日内答复。"),
            url=reverse("interviews:detail", args=[interview.pk]),
            dedupe_key=f"interview:{interview.pk}:{event}:{today.isoformat() if overdue else 'once'}",
        )
        sent += 1
    return sent
