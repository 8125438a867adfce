"""Notice services: the only writers of notices, their audience, attachments and receipts.
Every function is atomic, keyword-only, takes the ``actor`` and writes an audit row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import Max, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.notices import files, selectors
from tongban.notices.models import (
    Importance,
    Notice,
    NoticeAttachment,
    NoticeReceipt,
    NoticeStatus,
    NoticeTarget,
)
from tongban.notify.services import notify
from tongban.orgs import selectors as orgs
from tongban.orgs.models import Post, Unit

MAX_TITLE = 200
MAX_BODY = 20_000
REMIND_INTERVAL = timedelta(hours=1)
RECEIPT_BATCH = 1000


def _now() -> datetime:
    """The clock (one seam, so tests can move time for the reminder limit)."""
    return timezone.now()


# --- drafts -----------------------------------------------------------------------------------
def _clean(
    *,
    title: str,
    body: str,
    importance: str,
    expires_on: date | None,
) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise TongbanError("notices.title_required", _("请填写标题。"), field="title")
    if len(title) > MAX_TITLE:
        raise TongbanError("notices.title_too_long", _("标题不能超过 200 个字。"), field="title")
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY:
        raise TongbanError("notices.body_too_long", _("正文不能超过 20000 个字。"), field="body")
    if importance not in Importance.values:
        raise TongbanError("notices.bad_importance", _("重要程度不正确。"), field="importance")
    if expires_on is not None and expires_on < timezone.localdate():
        raise TongbanError("notices.expired", _("有效期不能早于今天。"), field="expires_on")
    return title, body


def _target_units(*, county_id: int, unit_ids: Iterable[int]) -> list[Unit]:
    wanted = {int(u) for u in unit_ids}
    units = list(
        Unit.objects.filter(pk__in=wanted, county_id=county_id, is_active=True).order_by("sort", "id")
    )
    if len(units) != len(wanted):
        raise TongbanError("notices.bad_target", _("所选单位不存在或已停用。"), field="units")
    return units


def _set_targets(notice: Notice, units: list[Unit]) -> None:
    NoticeTarget.objects.filter(notice=notice).exclude(unit__in=units).delete()
    have = set(NoticeTarget.objects.filter(notice=notice).values_list("unit_id", flat=True))
    NoticeTarget.objects.bulk_create([NoticeTarget(notice=notice, unit=u) for u in units if u.pk not in have])


@transaction.atomic
def notice_create(
    *,
    actor: User,
    unit: Unit,
    title: str,
    body: str = "",
    importance: str = Importance.NORMAL,
    whole_county: bool = False,
    target_unit_ids: Iterable[int] = (),
    requires_confirmation: bool = True,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> Notice:
    """A draft notice of ``unit``; the actor must be a clerk, office head or leader of that unit."""
    if not selectors.can_publish_for(actor, unit):
        raise PermissionDenied(
            "notices.not_publisher", _("只有本单位的文书、办公室主任或单位领导可以拟发通知。")
        )
    title, body = _clean(title=title, body=body, importance=importance, expires_on=expires_on)
    units = [] if whole_county else _target_units(county_id=unit.county_id, unit_ids=target_unit_ids)
    notice = Notice.objects.create(
        county_id=unit.county_id,
        unit=unit,
        author=actor,
        title=title,
        body=body,
        importance=importance,
        whole_county=whole_county,
        requires_confirmation=requires_confirmation,
        expires_on=expires_on,
    )
    _set_targets(notice, units)
    audit.record(
        "notices.created",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=unit.pk,
        new={
            "title": title,
            "whole_county": whole_county,
            "units": [u.pk for u in units],
            "importance": importance,
        },
    )
    return notice


def _lock(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("unit").get(pk=notice.pk)


def _require_manager(actor: Any, notice: Notice) -> None:
    if not selectors.can_manage(actor, notice):
        raise PermissionDenied(
            "notices.not_publisher", _("只有发布单位的文书、办公室主任或单位领导可以管理此通知。")
        )


def _require_draft(notice: Notice) -> None:
    if notice.status != NoticeStatus.DRAFT:
        raise TongbanError("notices.not_draft", _("通知已发布，不能再修改。"))


@transaction.atomic
def notice_update(
    *,
    actor: User,
    notice: Notice,
    title: str,
    body: str = "",
    importance: str = Importance.NORMAL,
    whole_county: bool = False,
    target_unit_ids: Iterable[int] = (),
    requires_confirmation: bool = True,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> Notice:
    """Change a draft (nothing else can be changed once published)."""
    notice = _lock(notice)
    _require_manager(actor, notice)
    _require_draft(notice)
    title, body = _clean(title=title, body=body, importance=importance, expires_on=expires_on)
    units = [] if whole_county else _target_units(county_id=notice.county_id, unit_ids=target_unit_ids)
    old = {"title": notice.title, "whole_county": notice.whole_county, "importance": notice.importance}
    notice.title, notice.body, notice.importance = title, body, importance
    notice.whole_county, notice.requires_confirmation, notice.expires_on = (
        whole_county,
        requires_confirmation,
        expires_on,
    )
    notice.save(
        update_fields=[
            "title",
            "body",
            "importance",
            "whole_county",
            "requires_confirmation",
            "expires_on",
            "updated_at",
        ]
    )
    _set_targets(notice, units)
    audit.record(
        "notices.updated",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=notice.unit_id,
        old=old,
        new={
            "title": title,
            "whole_county": whole_county,
            "importance": importance,
            "units": [u.pk for u in units],
        },
    )
    return notice


# --- attachments ------------------------------------------------------------------------------
@transaction.atomic
def notice_attach(
    *, actor: User, notice: Notice, file: IO[bytes], name: str, request: HttpRequest | None = None
) -> NoticeAttachment:
    """Attach a file to a draft (type allow-list, size limit, SHA-256; stored under a random name)."""
    notice = _lock(notice)
    _require_manager(actor, notice)
    _require_draft(notice)
    if NoticeAttachment.objects.filter(notice=notice).count() >= files.MAX_ATTACHMENTS:
        raise TongbanError(
            "notices.too_many_attachments",
            _("每条通知最多 %(n)d 个附件。") % {"n": files.MAX_ATTACHMENTS},
            field="attachments",
        )
    checked = files.check(file, name)
    sort = (NoticeAttachment.objects.filter(notice=notice).aggregate(m=Max("sort"))["m"] or 0) + 10
    att = NoticeAttachment(
        notice=notice,
        name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        sort=sort,
        uploaded_by=actor,
    )
    att.file.save(f"{uuid.uuid4().hex}.{checked.ext}", File(file), save=False)
    stored = att.file.name
    try:
        att.save()
        audit.record(
            "notices.attachment_added",
            actor=actor,
            request=request,
            obj=notice,
            unit_id=notice.unit_id,
            new={"attachment": att.pk, "name": att.name, "size": att.size, "sha256": att.sha256},
        )
    except Exception:
        att.file.storage.delete(stored)
        raise
    return att


@transaction.atomic
def notice_detach(*, actor: User, attachment: NoticeAttachment, request: HttpRequest | None = None) -> None:
    notice = _lock(attachment.notice)
    _require_manager(actor, notice)
    _require_draft(notice)
    name, stored, pk = attachment.name, attachment.file.name, attachment.pk
    storage = attachment.file.storage
    attachment.delete()
    audit.record(
        "notices.attachment_removed",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=notice.unit_id,
        old={"attachment": pk, "name": name},
    )
    transaction.on_commit(lambda: storage.delete(stored))


# --- publishing -------------------------------------------------------------------------------
def _audience_posts(notice: Notice) -> Any:
    posts = Post.objects.filter(county_id=notice.county_id, unit__is_active=True, user__is_active=True)
    if not notice.whole_county:
        posts = posts.filter(unit_id__in=NoticeTarget.objects.filter(notice=notice).values("unit_id"))
    return posts


def _url(notice: Notice) -> str:
    return reverse("notices:detail", args=[notice.pk])


@transaction.atomic
def notice_publish(*, actor: User, notice: Notice, request: HttpRequest | None = None) -> int:
    """Publish a draft: one receipt per person in the audience (bulk), a notification to each
    (SMS too when 紧急). Returns the size of the audience; ``notice`` is updated in place."""
    given, notice = notice, _lock(notice)
    if not selectors.can_publish_for(actor, notice.unit):
        raise PermissionDenied(
            "notices.not_publisher", _("只有本单位的文书、办公室主任或单位领导可以发布通知。")
        )
    _require_draft(notice)
    if not notice.whole_county and not NoticeTarget.objects.filter(notice=notice).exists():
        raise TongbanError("notices.no_audience", _("请选择发送单位，或选择发送全县。"), field="units")
    if notice.expires_on is not None and notice.expires_on < timezone.localdate():
        raise TongbanError("notices.expired", _("有效期不能早于今天。"), field="expires_on")
    now = _now()
    posts = _audience_posts(notice)
    # A person with several posts is counted once: under the primary post, else the first.
    reader_unit: dict[int, int] = {}
    for user_id, unit_id in posts.order_by("-is_primary", "unit__sort", "unit_id", "id").values_list(
        "user_id", "unit_id"
    ):
        reader_unit.setdefault(user_id, unit_id)
    receipts = [
        NoticeReceipt(
            notice=notice,
            user_id=user_id,
            unit_id=unit_id,
            # the publisher has read what they publish
            read_at=now if user_id == actor.pk else None,
            confirmed_at=now if user_id == actor.pk else None,
        )
        for user_id, unit_id in reader_unit.items()
    ]
    NoticeReceipt.objects.bulk_create(receipts, batch_size=RECEIPT_BATCH)
    notice.status = NoticeStatus.PUBLISHED
    notice.published_at = now
    notice.published_by = actor
    notice.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    readers = User.objects.filter(pk__in=Subquery(posts.values("user_id"))).exclude(pk=actor.pk)
    event = "notices.published_urgent" if notice.importance == Importance.URGENT else "notices.published"
    notify(
        users=readers.only("id", "is_active", "email", "mobile"),
        event=event,
        title=_("【%(importance)s通知】%(title)s")
        % {"importance": notice.get_importance_display(), "title": notice.title}
        if notice.importance != Importance.NORMAL
        else _("【通知】%(title)s") % {"title": notice.title},
        body=_("%(unit)s发布：%(excerpt)s") % {"unit": notice.unit.display_name, "excerpt": notice.body[:80]},
        url=_url(notice),
        dedupe_key=f"notice-{notice.pk}",
        actor=actor,
    )
    audit.record(
        "notices.published",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=notice.unit_id,
        new={"audience": len(receipts), "whole_county": notice.whole_county, "importance": notice.importance},
    )
    given.status, given.published_at, given.published_by = notice.status, notice.published_at, actor
    return len(receipts)


# --- reading ----------------------------------------------------------------------------------
def _receipt_for_reader(actor: User, notice: Notice) -> NoticeReceipt:
    """The reader's receipt, created now for someone who joined the audience after publication."""
    if not selectors.is_in_audience(actor, notice):
        raise NotFound("notices.not_found", _("通知不存在或您无权查看。"))
    receipt = NoticeReceipt.objects.select_for_update().filter(notice_id=notice.pk, user_id=actor.pk).first()
    if receipt is None:
        unit = orgs.user_primary_unit(actor)
        receipt, _created = NoticeReceipt.objects.get_or_create(
            notice_id=notice.pk, user_id=actor.pk, defaults={"unit": unit}
        )
    return receipt


@transaction.atomic
def notice_read(*, actor: User, notice: Notice, request: HttpRequest | None = None) -> NoticeReceipt | None:
    """Record that a reader opened the notice (the first time only). A manager who is not in the
    audience gets no receipt (None)."""
    if not selectors.is_in_audience(actor, notice):
        return None
    receipt = _receipt_for_reader(actor, notice)
    if receipt.read_at is None:
        receipt.read_at = _now()
        receipt.save(update_fields=["read_at"])
        audit.record("notices.read", actor=actor, request=request, obj=notice, unit_id=receipt.unit_id)
    return receipt


@transaction.atomic
def notice_confirm(*, actor: User, notice: Notice, request: HttpRequest | None = None) -> NoticeReceipt:
    """确认已读: the reader confirms having read the notice (idempotent)."""
    receipt = _receipt_for_reader(actor, notice)
    if receipt.confirmed_at is not None:
        return receipt
    now = _now()
    receipt.read_at = receipt.read_at or now
    receipt.confirmed_at = now
    receipt.save(update_fields=["read_at", "confirmed_at"])
    audit.record("notices.confirmed", actor=actor, request=request, obj=notice, unit_id=receipt.unit_id)
    return receipt


@transaction.atomic
def notice_remind(*, actor: User, notice: Notice, request: HttpRequest | None = None) -> int:
    """提醒未读: notify (in-app and SMS) everyone who has not confirmed (or, when no confirmation is
    asked for, not read). At most once an hour per notice. Returns how many were reminded."""
    notice = _lock(notice)
    _require_manager(actor, notice)
    if notice.status != NoticeStatus.PUBLISHED:
        raise TongbanError("notices.not_published", _("只有已发布的通知可以提醒。"))
    now = _now()
    if notice.last_reminded_at is not None and now - notice.last_reminded_at < REMIND_INTERVAL:
        wait = REMIND_INTERVAL - (now - notice.last_reminded_at)
        raise TongbanError(
            "notices.remind_too_soon",
            _("每小时最多提醒一次，请 %(m)d 分钟后再试。")
            % {"m": max(1, int(wait.total_seconds() // 60) + 1)},
        )
    pending = NoticeReceipt.objects.filter(notice=notice, user__is_active=True)
    pending = (
        pending.filter(confirmed_at__isnull=True)
        if notice.requires_confirmation
        else pending.filter(read_at__isnull=True)
    )
    users = list(
        User.objects.filter(pk__in=Subquery(pending.values("user_id"))).only(
            "id", "is_active", "email", "mobile"
        )
    )
    if not users:
        raise TongbanError("notices.nobody_to_remind", _("所有人员均已阅读，无需提醒。"))
    notice.last_reminded_at = now
    notice.reminders_sent += 1
    notice.save(update_fields=["last_reminded_at", "reminders_sent", "updated_at"])
    what = _("确认已读") if notice.requires_confirmation else _("阅读")
    notify(
        users=users,
        event="notices.reminder",
        title=_("【提醒】请及时%(what)s通知：%(title)s") % {"what": what, "title": notice.title},
        body=_("%(unit)s提醒您%(what)s此通知。") % {"unit": notice.unit.display_name, "what": what},
        url=_url(notice),
        dedupe_key=f"notice-{notice.pk}-reminder-{notice.reminders_sent}",
        actor=actor,
    )
    audit.record(
        "notices.reminded",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=notice.unit_id,
        new={"reminded": len(users), "n": notice.reminders_sent},
    )
    return len(users)


@transaction.atomic
def notice_withdraw(
    *, actor: User, notice: Notice, reason: str = "", request: HttpRequest | None = None
) -> Notice:
    """撤回: a published notice disappears from readers' lists; receipts are kept."""
    given, notice = notice, _lock(notice)
    _require_manager(actor, notice)
    if notice.status != NoticeStatus.PUBLISHED:
        raise TongbanError("notices.not_published", _("只有已发布的通知可以撤回。"))
    reason = (reason or "").strip()[:200]
    notice.status = NoticeStatus.WITHDRAWN
    notice.withdrawn_at = _now()
    notice.withdraw_reason = reason
    notice.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit.record(
        "notices.withdrawn",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=notice.unit_id,
        old={"status": NoticeStatus.PUBLISHED},
        new={"status": NoticeStatus.WITHDRAWN, "reason": reason},
    )
    given.status, given.withdrawn_at, given.withdraw_reason = notice.status, notice.withdrawn_at, reason
    return notice


@transaction.atomic
def notice_delete_draft(*, actor: User, notice: Notice, request: HttpRequest | None = None) -> None:
    notice = _lock(notice)
    _require_manager(actor, notice)
    _require_draft(notice)
    stored = [(a.file.storage, a.file.name) for a in notice.attachments.all()]
    audit.record(
        "notices.draft_deleted",
        actor=actor,
        request=request,
        obj=notice,
        unit_id=notice.unit_id,
        old={"title": notice.title},
    )
    notice.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])
