"""Services of the leader and department mailboxes (领导信箱) — the only writers of letters.

The loop (rules.md §7, the 12345-style 受理 → 派单 → 办理 → 答复 → 督办 → 办结 → 回访/评价):

1. **受理**: a citizen writes (:func:`letter_submit`); the letter gets a 查询码 and its 受理日期.
   A leader-mailbox letter waits in the mailbox office's queue (待转办); a department-mailbox
   letter goes straight to that department (still reviewed by the office: one rule for all).
2. **派单**: the office routes it to a unit (:func:`letter_route`); the unit may return a misrouted
   letter with a reason (:func:`letter_return`) — back to the office's queue.
3. **办理**: the unit's letter handler drafts a reply and submits it (:func:`reply_save`).
4. **答复**: the office reviews every reply (:func:`reply_review`): approve → answered (SMS to the
   writer), or return with a note. The office may also answer a letter itself
   (:func:`letter_answer`) or mark it invalid (:func:`letter_invalidate`: spam, abuse, duplicate;
   not counted, never published).
5. **督办**: reminders one working day before the due date and on the working day after a miss
   (:func:`send_reminders`, daily), and the office's own urging (:func:`letter_urge`).
6. **评价 / 办结**: the writer rates the answer within 20 working days (:func:`letter_rate`); when the
   window passes unrated the rating defaults to 满意 (:func:`close_expired`, daily). Once, within the
   window and when unsatisfied, the writer may ask for re-handling (:func:`letter_rehandle`): the
   letter returns to the office's queue and the same limit runs again from that day.
7. **公开**: only when the writer agreed (``may_publish``) and the office decides
   (:func:`letter_publish`); the public view shows 受理日期, 答复日期, 答复部门, 答复内容
   (国办发〔2017〕47号) and hides the writer's contacts and full name.

Each step appends a :class:`LetterEvent`; the clock fields are recomputed from the events by
:func:`tongban.interaction.letters_clock.recompute`. Every service locks the letter row and checks
its state on the locked row, so a refused or concurrent step changes nothing."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import audit
from tongban.core import clock as tclock
from tongban.core import files as tfiles
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import PublicAccount, User
from tongban.interaction import letters_clock as lclock
from tongban.interaction import letters_selectors as sel
from tongban.interaction.models import (
    DraftStatus,
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterEventKind,
    LetterKind,
    LetterReply,
    LetterStatus,
    Mailbox,
    MailboxKind,
    Rating,
)
from tongban.notify.services import notify
from tongban.orgs.models import BusinessRole, RoleGrant, Unit

MAX_TITLE = 100
MAX_CONTENT = 5000
MAX_NAME = 64
MAX_ADDRESS = 200
MAX_NOTE = 500
MAX_REPLY = 5000
MAX_FILES = 3
MAX_FILE_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "txt")
INVALID_REASONS = {
    "spam": gettext_lazy("垃圾信息"),
    "abuse": gettext_lazy("辱骂攻击"),
    "duplicate": gettext_lazy("重复来信"),
    "other": gettext_lazy("其他"),
}
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# --- input -------------------------------------------------------------------------------------
def _text(value: str | None, *, field: str, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise TongbanError(
            f"letters.{field}_required", _("请填写%(label)s。") % {"label": label}, field=field
        )
    if len(value) > limit:
        raise TongbanError(
            f"letters.{field}_too_long",
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit},
            field=field,
        )
    return value


def clean_phone(phone: str | None) -> str:
    phone = re.sub(r"[\s]", "", phone or "")
    if not _PHONE.match(phone):
        raise TongbanError(
            "letters.bad_phone", _("请填写正确的手机号码或固定电话（如 0570-1234567）。"), field="phone"
        )
    return phone


def _event(
    letter: Letter,
    kind: str,
    *,
    actor: User | None = None,
    unit: Unit | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    on: date | None = None,
) -> LetterEvent:
    now = tclock.now()
    return LetterEvent.objects.create(
        letter=letter,
        kind=kind,
        on=on or tclock.today(),
        at=now,
        actor=actor,
        unit=unit,
        note=note,
        data=data or {},
    )


def _lock(letter: Letter) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("mailbox", "routed_to", "reply_unit", "county")
        .get(pk=letter.pk)
    )


def _save(letter: Letter, *fields: str) -> None:
    lclock.recompute(letter)
    letter.save(update_fields=sorted({*fields, *lclock.CLOCK_FIELDS, "updated_at"}))


def _state(letter: Letter, *allowed: str) -> None:
    if letter.status not in allowed:
        raise TongbanError(
            "letters.bad_state",
            _("该信件当前状态为“%(status)s”，不能进行此操作。") % {"status": letter.get_status_display()},
        )


def _url(letter: Letter) -> str:
    return reverse("letters:detail", args=[letter.pk])


def _new_code(on: date) -> str:
    for _i in range(20):
        code = f"XJ{on:%Y%m%d}" + "".join(secrets.choice(_CODE_ALPHABET) for _j in range(6))
        if not Letter.objects.filter(tracking_code=code).exists():
            return code
    raise TongbanError("letters.code_exhausted", _("暂时无法生成查询码，请稍后再试。"))


def _office_unit(actor: User, county_id: int) -> Unit:
    grant = (
        RoleGrant.objects.filter(
            user=actor, county_id=county_id, role=BusinessRole.MAILBOX_OFFICE, unit__is_active=True
        )
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if grant is None:
        raise PermissionDenied("letters.not_office", _("只有信箱办公室的工作人员可以进行此操作。"))
    return grant.unit


def _notify(users: list[User], **kwargs: Any) -> None:
    """Notify inside the step's transaction (a refused step leaves no notification); notify()
    itself enqueues the SMS/e-mail deliveries only after the commit."""
    if users:
        notify(users=users, **kwargs)


# --- 受理 --------------------------------------------------------------------------------------
def check_attachments(files: Sequence[Any]) -> list[tuple[Any, tfiles.Checked]]:
    """At most 3 files of 10 MB each, of the letter's types, checked by content (core.files)."""
    if len(files) > MAX_FILES:
        raise TongbanError(
            "letters.too_many_files", _("最多上传 %(n)d 个附件。") % {"n": MAX_FILES}, field="attachments"
        )
    out = []
    for f in files:
        checked = tfiles.check(
            f,
            getattr(f, "name", "file"),
            getattr(f, "size", None),
            allowed=ATTACHMENT_TYPES,
            limit=MAX_FILE_BYTES,
            prefix="letters.attachment",
            field="attachments",
        )
        out.append((f, checked))
    return out


@transaction.atomic
def letter_submit(
    *,
    mailbox: Mailbox,
    kind: str,
    title: str,
    content: str,
    writer_name: str,
    phone: str,
    email: str = "",
    address: str = "",
    may_publish: bool = True,
    account: PublicAccount | None = None,
    files: Sequence[Any] = (),
) -> Letter:
    """A citizen's letter. Its 受理日期 is today when a working day, else the next working day
    (letters_clock.receipt_day); a department mailbox routes it to its unit at once."""
    if not mailbox.is_active:
        raise TongbanError("letters.mailbox_closed", _("该信箱已停用。"), field="mailbox")
    if kind not in LetterKind.values:
        raise TongbanError("letters.bad_kind", _("请选择来信类型。"), field="kind")
    title = _text(title, field="title", label=_("标题"), limit=MAX_TITLE)
    content = _text(content, field="content", label=_("内容"), limit=MAX_CONTENT)
    writer_name = _text(writer_name, field="writer_name", label=_("姓名"), limit=MAX_NAME)
    phone = clean_phone(phone)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise TongbanError("letters.bad_email", _("电子邮箱格式不正确。"), field="email") from None
    address = _text(address, field="address", label=_("联系地址"), limit=MAX_ADDRESS, required=False)
    checked = check_attachments(files)
    today = tclock.today()
    received_on = lclock.receipt_day(today)
    letter = Letter(
        county_id=mailbox.county_id,
        mailbox=mailbox,
        tracking_code=_new_code(today),
        kind=kind,
        title=title,
        content=content,
        writer_name=writer_name,
        phone=phone,
        email=email,
        address=address,
        may_publish=bool(may_publish),
        account=account,
        status=LetterStatus.RECEIVED,
        received_on=received_on,
        due_on=lclock.due_date(received_on, kind),
    )
    letter.save()
    for f, c in checked:
        f.seek(0)
        att = LetterAttachment(letter=letter, name=c.name, size=c.size, content_type=c.content_type)
        att.file.save(f"{letter.tracking_code}.{c.ext}", f, save=False)
        att.save()
    _event(letter, LetterEventKind.RECEIVED, on=received_on, data={"arrived": today.isoformat()})
    if mailbox.kind == MailboxKind.DEPARTMENT and mailbox.unit_id:
        letter.routed_to = mailbox.unit
        letter.status = LetterStatus.ROUTED
        _event(
            letter,
            LetterEventKind.ROUTED,
            unit=mailbox.unit,
            note=_("部门信箱来信，直接交由本单位办理。"),
            data={"auto": True},
        )
        assert mailbox.unit is not None
        _notify(
            sel.handler_users(mailbox.unit.pk),
            event="letters.routed",
            title=_("新来信待办理：%(title)s") % {"title": title[:40]},
            body=_("答复期限 %(due)s") % {"due": letter.due_on.isoformat()},
            url=_url(letter),
            dedupe_key=f"letter:{letter.pk}:routed:0",
        )
    _save(letter, "routed_to", "status")
    return letter


# --- 派单 --------------------------------------------------------------------------------------
@transaction.atomic
def letter_route(
    *, letter: Letter, actor: User, unit_id: int | None, note: str = "", request: HttpRequest | None = None
) -> Letter:
    """The office sends a letter in its queue (待转办) to a unit of the county."""
    letter = _lock(letter)
    sel.require_office(actor, letter.county_id)
    _state(letter, LetterStatus.RECEIVED)
    unit = (
        Unit.objects.filter(pk=unit_id, county_id=letter.county_id, is_active=True).first()
        if unit_id
        else None
    )
    if unit is None:
        raise TongbanError("letters.unit_required", _("请选择承办单位。"), field="unit")
    note = _text(note, field="note", label=_("转办说明"), limit=MAX_NOTE, required=False)
    letter.routed_to = unit
    letter.status = LetterStatus.ROUTED
    ev = _event(letter, LetterEventKind.ROUTED, actor=actor, unit=unit, note=note)
    _save(letter, "routed_to", "status")
    audit.record(
        "letters.routed", actor=actor, request=request, obj=letter, new={"unit": unit.pk, "note": note}
    )
    _notify(
        sel.handler_users(unit.pk),
        event="letters.routed",
        title=_("新来信待办理：%(title)s") % {"title": letter.title[:40]},
        body=_("答复期限 %(due)s") % {"due": letter.due_on.isoformat()},
        url=_url(letter),
        dedupe_key=f"letter:{letter.pk}:routed:{ev.pk}",
        actor=actor,
    )
    return letter


@transaction.atomic
def letter_return(*, letter: Letter, actor: User, reason: str, request: HttpRequest | None = None) -> Letter:
    """The unit returns a misrouted letter, with a reason; it goes back to the office's queue."""
    letter = _lock(letter)
    sel.require_handler(actor, letter)
    _state(letter, LetterStatus.ROUTED)
    reason = _text(reason, field="reason", label=_("退回理由"), limit=MAX_NOTE)
    unit = letter.routed_to
    letter.routed_to = None
    letter.status = LetterStatus.RECEIVED
    ev = _event(letter, LetterEventKind.RETURNED_BY_UNIT, actor=actor, unit=unit, note=reason)
    _save(letter, "routed_to", "status")
    audit.record("letters.unit_returned", actor=actor, request=request, obj=letter, new={"reason": reason})
    _notify(
        sel.office_users(letter.county_id),
        event="letters.unit_returned",
        title=_("来信被承办单位退回：%(title)s") % {"title": letter.title[:40]},
        body=reason,
        url=_url(letter),
        dedupe_key=f"letter:{letter.pk}:unit_returned:{ev.pk}",
        actor=actor,
    )
    return letter


# --- 办理 --------------------------------------------------------------------------------------
@transaction.atomic
def reply_save(
    *, letter: Letter, actor: User, content: str, submit: bool, request: HttpRequest | None = None
) -> LetterReply:
    """The unit's letter handler saves its draft reply; ``submit`` sends it to the office's review."""
    letter = _lock(letter)
    sel.require_handler(actor, letter)
    _state(letter, LetterStatus.ROUTED)
    content = _text(content, field="content", label=_("答复内容"), limit=MAX_REPLY)
    assert letter.routed_to is not None
    draft = (
        LetterReply.objects.select_for_update()
        .filter(letter=letter, unit=letter.routed_to, status__in=(DraftStatus.DRAFT, DraftStatus.RETURNED))
        .order_by("-id")
        .first()
    )
    if draft is None:
        draft = LetterReply(letter=letter, unit=letter.routed_to, author=actor)
    draft.content = content
    draft.author = actor
    draft.status = DraftStatus.SUBMITTED if submit else DraftStatus.DRAFT
    draft.save()
    if submit:
        letter.status = LetterStatus.REVIEW
        ev = _event(
            letter, LetterEventKind.DRAFTED, actor=actor, unit=letter.routed_to, data={"draft": draft.pk}
        )
        _save(letter, "status")
        audit.record("letters.reply_submitted", actor=actor, request=request, obj=letter)
        _notify(
            sel.office_users(letter.county_id),
            event="letters.reply_submitted",
            title=_("答复稿待审核：%(title)s") % {"title": letter.title[:40]},
            url=_url(letter),
            dedupe_key=f"letter:{letter.pk}:submitted:{ev.pk}",
            actor=actor,
        )
    return draft


def _answer(letter: Letter, *, actor: User, unit: Unit, content: str, draft: LetterReply | None) -> None:
    letter.status = LetterStatus.ANSWERED
    letter.reply_unit = unit
    letter.reply_content = content
    _event(
        letter,
        LetterEventKind.ANSWERED,
        actor=actor,
        unit=unit,
        data={"draft": draft.pk if draft else None, "content": content},
    )
    _save(letter, "status", "reply_unit", "reply_content")
    pk = letter.pk
    transaction.on_commit(lambda: _enqueue_sms(pk))


def _enqueue_sms(pk: int) -> None:
    from tongban.interaction.tasks_letters import letter_answer_sms

    letter_answer_sms.enqueue(pk)


@transaction.atomic
def reply_review(
    *,
    letter: Letter,
    actor: User,
    approve: bool,
    note: str = "",
    content: str | None = None,
    request: HttpRequest | None = None,
) -> Letter:
    """The office reviews the submitted draft: approve (it becomes the answer, optionally with the
    office's edits in ``content``) or return it to the unit with a note."""
    letter = _lock(letter)
    sel.require_office(actor, letter.county_id)
    _state(letter, LetterStatus.REVIEW)
    draft = (
        LetterReply.objects.select_for_update()
        .select_related("unit")
        .filter(letter=letter, status=DraftStatus.SUBMITTED)
        .order_by("-id")
        .first()
    )
    if draft is None:
        raise TongbanError("letters.no_draft", _("没有待审核的答复稿。"))
    if approve:
        final = _text(
            content if content is not None and content.strip() else draft.content,
            field="content",
            label=_("答复内容"),
            limit=MAX_REPLY,
        )
        draft.status = DraftStatus.APPROVED
        draft.content = final
        draft.review_note = _text(note, field="note", label=_("审核意见"), limit=MAX_NOTE, required=False)
        draft.reviewed_by = actor
        draft.save()
        _answer(letter, actor=actor, unit=draft.unit, content=final, draft=draft)
        audit.record("letters.reply_approved", actor=actor, request=request, obj=letter)
        return letter
    note = _text(note, field="note", label=_("退回意见"), limit=MAX_NOTE)
    draft.status = DraftStatus.RETURNED
    draft.review_note = note
    draft.reviewed_by = actor
    draft.save()
    letter.status = LetterStatus.ROUTED
    ev = _event(letter, LetterEventKind.DRAFT_RETURNED, actor=actor, unit=draft.unit, note=note)
    _save(letter, "status")
    audit.record("letters.reply_returned", actor=actor, request=request, obj=letter, new={"note": note})
    _notify(
        sel.handler_users(draft.unit_id),
        event="letters.reply_returned",
        title=_("答复稿被退回修改：%(title)s") % {"title": letter.title[:40]},
        body=note,
        url=_url(letter),
        dedupe_key=f"letter:{letter.pk}:reply_returned:{ev.pk}",
        actor=actor,
    )
    return letter


@transaction.atomic
def letter_answer(*, letter: Letter, actor: User, content: str, request: HttpRequest | None = None) -> Letter:
    """The office answers a letter in its queue itself (e.g. a consultation it can answer at once)."""
    letter = _lock(letter)
    sel.require_office(actor, letter.county_id)
    _state(letter, LetterStatus.RECEIVED)
    content = _text(content, field="content", label=_("答复内容"), limit=MAX_REPLY)
    unit = _office_unit(actor, letter.county_id)
    _answer(letter, actor=actor, unit=unit, content=content, draft=None)
    audit.record("letters.answered_directly", actor=actor, request=request, obj=letter)
    return letter


@transaction.atomic
def letter_invalidate(
    *, letter: Letter, actor: User, category: str, reason: str, request: HttpRequest | None = None
) -> Letter:
    """The office marks an open letter invalid (spam, abuse, duplicate …): not counted in the
    statistics, never published, no answer due."""
    letter = _lock(letter)
    sel.require_office(actor, letter.county_id)
    _state(letter, *sel.OPEN)
    if category not in INVALID_REASONS:
        raise TongbanError("letters.bad_category", _("请选择无效原因。"), field="category")
    reason = _text(reason, field="reason", label=_("认定理由"), limit=MAX_NOTE)
    letter.status = LetterStatus.INVALID
    letter.is_published = False
    _event(letter, LetterEventKind.INVALIDATED, actor=actor, note=reason, data={"category": category})
    LetterReply.objects.filter(letter=letter, status=DraftStatus.SUBMITTED).update(
        status=DraftStatus.RETURNED
    )
    _save(letter, "status", "is_published")
    audit.record(
        "letters.invalidated",
        actor=actor,
        request=request,
        obj=letter,
        new={"category": category, "reason": reason},
    )
    return letter


@transaction.atomic
def letter_publish(
    *, letter: Letter, actor: User, publish: bool, request: HttpRequest | None = None
) -> Letter:
    """Publish an answered letter on the portal (only when the writer agreed), or withdraw it."""
    letter = _lock(letter)
    sel.require_office(actor, letter.county_id)
    if publish:
        _state(letter, *sel.DONE)
        if not letter.may_publish:
            raise TongbanError("letters.not_publishable", _("来信人未同意公开，不能公开此信件。"))
        if letter.is_published:
            raise TongbanError("letters.already_published", _("该信件已公开。"))
        letter.is_published = True
        letter.published_at = tclock.now()
        _event(letter, LetterEventKind.PUBLISHED, actor=actor)
    else:
        if not letter.is_published:
            raise TongbanError("letters.not_published", _("该信件尚未公开。"))
        letter.is_published = False
        _event(letter, LetterEventKind.UNPUBLISHED, actor=actor)
    _save(letter, "is_published", "published_at")
    audit.record(
        "letters.published" if publish else "letters.unpublished", actor=actor, request=request, obj=letter
    )
    return letter


@transaction.atomic
def letter_urge(*, letter: Letter, actor: User, note: str = "", request: HttpRequest | None = None) -> Letter:
    """督办: the office urges the unit handling the letter."""
    letter = _lock(letter)
    sel.require_office(actor, letter.county_id)
    _state(letter, LetterStatus.ROUTED)
    note = _text(note, field="note", label=_("督办意见"), limit=MAX_NOTE, required=False)
    ev = _event(
        letter, LetterEventKind.REMINDED, actor=actor, unit=letter.routed_to, note=note, data={"type": "urge"}
    )
    _save(letter)
    audit.record("letters.urged", actor=actor, request=request, obj=letter, new={"note": note})
    assert letter.routed_to_id is not None
    _notify(
        sel.handler_users(letter.routed_to_id),
        event="letters.urged",
        title=_("信箱办公室督办：%(title)s") % {"title": letter.title[:40]},
        body=note or _("请抓紧办理，答复期限 %(due)s。") % {"due": letter.due_on.isoformat()},
        url=_url(letter),
        dedupe_key=f"letter:{letter.pk}:urge:{ev.pk}",
        actor=actor,
    )
    return letter


# --- 评价 / 重办 (the writer, by 查询码 + phone or as the linked account) ------------------------
def _window_open(letter: Letter) -> bool:
    return letter.rating_due_on is not None and tclock.today() <= letter.rating_due_on


def can_rate(letter: Letter) -> bool:
    return letter.status == LetterStatus.ANSWERED and not letter.rating and _window_open(letter)


def can_rehandle(letter: Letter) -> bool:
    return (
        letter.status == LetterStatus.ANSWERED
        and letter.rehandle_count == 0
        and letter.rating in ("", Rating.UNSATISFIED)
        and _window_open(letter)
    )


@transaction.atomic
def letter_rate(*, letter: Letter, rating: str, comment: str = "") -> Letter:
    """The writer rates the answer within 20 working days. 满意 / 基本满意 close the letter; 不满意
    keeps it open until the window ends, so the writer may still ask for re-handling once."""
    letter = _lock(letter)
    if rating not in Rating.values:
        raise TongbanError("letters.bad_rating", _("请选择评价。"), field="rating")
    comment = _text(comment, field="rating_comment", label=_("评价意见"), limit=MAX_NOTE, required=False)
    if letter.status != LetterStatus.ANSWERED or letter.rating:
        raise TongbanError("letters.cannot_rate", _("该信件目前不能评价（未答复或已评价）。"))
    if not _window_open(letter):
        raise TongbanError("letters.rating_closed", _("评价期限已过。"))
    letter.rating = rating
    letter.rating_comment = comment
    letter.rated_at = tclock.now()
    _event(letter, LetterEventKind.RATED, note=comment, data={"rating": rating})
    if rating != Rating.UNSATISFIED:
        letter.status = LetterStatus.CLOSED
        _event(letter, LetterEventKind.CLOSED, data={"by": "rating"})
    _save(letter, "rating", "rating_comment", "rated_at", "status")
    return letter


@transaction.atomic
def letter_rehandle(*, letter: Letter, reason: str) -> Letter:
    """The writer, unsatisfied, asks once for re-handling within the rating window: the letter
    goes back to the office's queue and the type's limit runs again from the re-handling day."""
    letter = _lock(letter)
    reason = _text(reason, field="reason", label=_("重办理由"), limit=MAX_NOTE)
    if letter.rehandle_count >= 1:
        raise TongbanError("letters.rehandle_used", _("每封来信只能申请一次重办。"))
    if letter.status != LetterStatus.ANSWERED or letter.rating not in ("", Rating.UNSATISFIED):
        raise TongbanError("letters.cannot_rehandle", _("只有对答复不满意的信件可以申请重办。"))
    if not _window_open(letter):
        raise TongbanError("letters.rating_closed", _("评价期限已过，不能申请重办。"))
    if not letter.rating:
        _event(letter, LetterEventKind.RATED, data={"rating": Rating.UNSATISFIED, "by": "rehandle"})
    if letter.is_published:
        letter.is_published = False
        _event(letter, LetterEventKind.UNPUBLISHED, note=_("来信人申请重办，暂停公开。"))
    _event(letter, LetterEventKind.REHANDLE, note=reason, data={"previous_unit": letter.reply_unit_id})
    letter.status = LetterStatus.RECEIVED
    letter.routed_to = None
    letter.reply_unit = None
    letter.reply_content = ""
    letter.rating = ""
    letter.rating_comment = ""
    letter.rated_at = None
    _save(
        letter,
        "status",
        "routed_to",
        "reply_unit",
        "reply_content",
        "rating",
        "rating_comment",
        "rated_at",
        "is_published",
    )
    _notify(
        sel.office_users(letter.county_id),
        event="letters.rehandle",
        title=_("来信人申请重办：%(title)s") % {"title": letter.title[:40]},
        body=reason,
        url=_url(letter),
        dedupe_key=f"letter:{letter.pk}:rehandle",
    )
    return letter


# --- scheduled ---------------------------------------------------------------------------------
def _sent_reminders(letter_ids: list[int]) -> set[tuple[int, str, str]]:
    rows = LetterEvent.objects.filter(letter_id__in=letter_ids, kind=LetterEventKind.REMINDED).values_list(
        "letter_id", "data"
    )
    return {(lid, str(d.get("type", "")), str(d.get("due_on", ""))) for lid, d in rows if isinstance(d, dict)}


def send_reminders(*, today: date | None = None) -> int:
    """Daily: "due soon" one working day before the due date and "overdue" on the working day after
    a miss (rules.md §7), once each per due date (a REMINDED event remembers it), to the handling
    unit's letter handlers and the mailbox office. Returns the number of reminders sent."""
    today = today or tclock.today()
    horizon = lclock.due_date(today, "consult")  # nothing due later needs a reminder today
    candidates = list(
        Letter.objects.filter(status__in=sel.OPEN, due_on__lte=horizon)
        .select_related("routed_to")
        .order_by("id")
    )
    sent = _sent_reminders([c.pk for c in candidates])
    count = 0
    for letter in candidates:
        kind = ""
        if letter.due_on < today and today >= lclock.overdue_remind_on(letter.due_on):
            kind = "overdue"
        elif lclock.remind_before_on(letter.due_on) <= today <= letter.due_on:
            kind = "due_soon"
        if not kind or (letter.pk, kind, letter.due_on.isoformat()) in sent:
            continue
        with transaction.atomic():
            locked = _lock(letter)
            if locked.status not in sel.OPEN or locked.due_on != letter.due_on:
                continue
            if LetterEvent.objects.filter(
                letter=locked,
                kind=LetterEventKind.REMINDED,
                data__type=kind,
                data__due_on=locked.due_on.isoformat(),
            ).exists():
                continue
            _event(
                locked,
                LetterEventKind.REMINDED,
                unit=locked.routed_to,
                data={"type": kind, "due_on": locked.due_on.isoformat()},
            )
            users = sel.office_users(locked.county_id)
            if locked.status == LetterStatus.ROUTED and locked.routed_to_id:
                users += sel.handler_users(locked.routed_to_id)
            if kind == "overdue":
                title = _("来信已超期未答复：%(title)s") % {"title": locked.title[:40]}
            else:
                title = _("来信即将到期：%(title)s") % {"title": locked.title[:40]}
            _notify(
                users,
                event=f"letters.{kind}",
                title=title,
                body=_("答复期限 %(due)s") % {"due": locked.due_on.isoformat()},
                url=_url(locked),
                dedupe_key=f"letter:{locked.pk}:{kind}:{locked.due_on.isoformat()}",
            )
            count += 1
    return count


def close_expired(*, today: date | None = None) -> int:
    """Daily: answered letters whose rating window has passed are closed; an unrated one is rated
    满意 by default (a RATING_DEFAULTED event). Returns the number closed."""
    today = today or tclock.today()
    ids = list(
        Letter.objects.filter(status=LetterStatus.ANSWERED, rating_due_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    n = 0
    for pk in ids:
        with transaction.atomic():
            letter = Letter.objects.select_for_update().filter(pk=pk, status=LetterStatus.ANSWERED).first()
            if letter is None or letter.rating_due_on is None or letter.rating_due_on >= today:
                continue
            if not letter.rating:
                letter.rating = Rating.SATISFIED
                letter.rating_defaulted = True
                _event(
                    letter,
                    LetterEventKind.RATING_DEFAULTED,
                    data={"rating_due_on": letter.rating_due_on.isoformat()},
                )
            letter.status = LetterStatus.CLOSED
            _event(letter, LetterEventKind.CLOSED, data={"by": "window"})
            _save(letter, "rating", "rating_defaulted", "status")
            n += 1
    return n


def answer_sms_text(letter: Letter) -> str:
    return _(
        "【%(sig)s】您的来信已答复，查询码 %(code)s，请凭查询码和联系电话在门户网站“领导信箱”查看答复并评价。"
    ) % {
        "sig": settings.TONGBAN_SMS_SIGNATURE,
        "code": letter.tracking_code,
    }


def letter_send_answer_sms(*, letter_id: int) -> str:
    """Send the "answered" SMS to the writer once per answer: the letter row is locked and the
    ANSWERED event remembers ``sms_sent_at``, so a second run skips it. Audited."""
    from tongban.notify import sms

    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id, status=LetterStatus.ANSWERED).first()
        if letter is None:
            return "skipped"
        ev = letter.events.filter(kind=LetterEventKind.ANSWERED).order_by("-at", "-id").first()
        if ev is None or ev.data.get("sms_sent_at"):
            return "skipped"
        message_id = sms.get_backend().send(letter.phone, answer_sms_text(letter))
        ev.data = {**ev.data, "sms_sent_at": tclock.now().isoformat(), "sms_id": message_id}
        ev.save(update_fields=["data"])
        audit.record(
            "letters.answer_sms_sent",
            obj=letter,
            actor_name="system",
            new={"to": letter.phone, "id": message_id},
        )
    return "sent"
