"""Feedback (意见建议) and the changelog (更新日志): writes and reads.

Any staff member sends a suggestion or a bug report from any page (the page's same-site path and
title are attached); the 考核管理员 triages it (status, answer, the changelog entry that delivered
it) and the author is notified (event ``stats.feedback_answered``). The changelog's published
entries are read by all staff; the 考核管理员 writes and publishes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.orgs.selectors import user_primary_unit
from tongban.stats import access
from tongban.stats.models import ChangelogEntry, Feedback, FeedbackKind, FeedbackStatus

EVENT_ANSWERED = "stats.feedback_answered"
TITLE_MAX = 128
BODY_MAX = 5000
# The statuses the office sets when triaging (``new`` is only the state before).
TRIAGE_STATUSES = (
    FeedbackStatus.ACCEPTED,
    FeedbackStatus.DONE,
    FeedbackStatus.DECLINED,
    FeedbackStatus.DUPLICATE,
)


MAX_ID = 2**31 - 1  # larger ids cannot exist (and PostgreSQL refuses to compare them)


def id_ok(value: Any) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


def _no_nul(value: Any) -> str:
    """Text without NUL characters (PostgreSQL refuses them in text columns)."""
    return str(value or "").replace("\x00", "")


def clean_page_url(url: str, host: str = "") -> str:
    """The attached page as a same-site path ("/documents/12/?tab=flow"). A full URL of this site
    (``host``) is reduced to its path; any other site, scheme or a protocol-relative URL is refused."""
    url = _no_nul(url).strip()
    if not url:
        return ""
    if any(c in url for c in "\\\r\n\t") or url.startswith("//"):
        raise TongbanError("stats.bad_page", _("所在页面须为本站地址。"), field="page_url")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not host or parts.netloc.lower() != host.lower():
            raise TongbanError("stats.bad_page", _("所在页面须为本站地址。"), field="page_url")
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    if not url.startswith("/"):
        raise TongbanError("stats.bad_page", _("所在页面须为本站地址。"), field="page_url")
    if len(url) > 500:
        raise TongbanError("stats.bad_page", _("页面地址过长。"), field="page_url")
    return url


def _text(value: Any, name: str, max_len: int, message: str) -> str:
    text = _no_nul(value).strip()
    if not text:
        raise TongbanError("stats.feedback_required", message, field=name)
    if len(text) > max_len:
        raise TongbanError(
            "stats.feedback_too_long", _("内容过长（最多 %(n)d 字）。") % {"n": max_len}, field=name
        )
    return text


def feedback_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    body: str,
    page_url: str = "",
    page_title: str = "",
    user_agent: str = "",
    host: str = "",
    request: HttpRequest | None = None,
) -> Feedback:
    """Any staff member sends a suggestion or a bug report."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("stats.feedback_login", _("请先登录。"))
    if kind not in FeedbackKind.values:
        raise TongbanError("stats.bad_kind", _("请选择意见类型。"), field="kind")
    title = _text(title, "title", TITLE_MAX, _("请填写标题。"))
    body = _text(body, "body", BODY_MAX, _("请填写内容。"))
    page = clean_page_url(page_url, host)
    unit = user_primary_unit(actor)
    fb = Feedback.objects.create(
        author=actor,
        unit=unit,
        kind=kind,
        title=title,
        body=body,
        page_url=page,
        page_title=_no_nul(page_title).strip()[:200],
        user_agent=_no_nul(user_agent)[:300],
    )
    return fb


def my_feedback(user: Any) -> QuerySet[Feedback]:
    return Feedback.objects.filter(author=user).select_related("changelog").order_by("-created_at", "-pk")


def manage_list(user: Any, *, status: str = "", kind: str = "") -> QuerySet[Feedback]:
    access.require_manage(user)
    qs = Feedback.objects.select_related("author", "unit", "changelog").order_by("-created_at", "-pk")
    if status:
        if status not in FeedbackStatus.values:
            raise TongbanError("stats.bad_status", _("状态不正确。"), field="status")
        qs = qs.filter(status=status)
    if kind:
        if kind not in FeedbackKind.values:
            raise TongbanError("stats.bad_kind", _("意见类型不正确。"), field="kind")
        qs = qs.filter(kind=kind)
    return qs


def access_feedback(feedback_id: int, user: Any) -> Feedback:
    """The author sees their own item; the 考核管理员 every item; others get 404."""
    fb = (
        Feedback.objects.select_related("author", "unit", "changelog").filter(pk=feedback_id).first()
        if id_ok(feedback_id)
        else None
    )
    if fb is None or (fb.author_id != getattr(user, "pk", None) and not access.can_manage(user)):
        raise NotFound("stats.feedback_not_found", _("意见不存在。"))
    return fb


def feedback_answer(
    *,
    actor: Any,
    feedback: Feedback,
    status: str,
    answer: str,
    changelog_id: int | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    """Triage: set the status, write the answer, link a changelog entry; the author is notified."""
    access.require_manage(actor)
    if status not in TRIAGE_STATUSES:
        raise TongbanError("stats.bad_status", _("请选择处理结果。"), field="status")
    answer = _text(answer, "answer", BODY_MAX, _("请填写答复。"))
    entry = None
    if changelog_id:
        entry = ChangelogEntry.objects.filter(pk=changelog_id).first() if id_ok(changelog_id) else None
        if entry is None:
            raise TongbanError("stats.changelog_not_found", _("更新日志不存在。"), field="changelog_id")
    from tongban.notify.services import notify

    with transaction.atomic():
        fb = Feedback.objects.select_for_update().get(pk=feedback.pk)
        old = {"status": fb.status, "answer": fb.answer}
        fb.status = status
        fb.answer = answer
        fb.answered_by = actor
        fb.answered_at = timezone.now()
        fb.changelog = entry
        fb.save(update_fields=["status", "answer", "answered_by", "answered_at", "changelog"])
        audit.record(
            "stats.feedback_answered",
            actor=actor,
            request=request,
            obj=fb,
            old=old,
            new={"status": fb.status, "answer": fb.answer, "changelog": entry.pk if entry else None},
        )
        notify(
            users=[fb.author],
            event=EVENT_ANSWERED,
            title=_("您的意见“%(t)s”已答复：%(s)s") % {"t": fb.title[:60], "s": fb.get_status_display()},
            body=answer[:500],
            url=reverse("stats_dash:feedback_mine") + f"#fb-{fb.pk}",
            dedupe_key=f"fb-{fb.pk}-{fb.answered_at:%Y%m%d%H%M%S%f}",
            actor=actor,
        )
    return fb


# --- changelog ---------------------------------------------------------------------------------------
def published_changelog() -> QuerySet[ChangelogEntry]:
    return ChangelogEntry.objects.filter(published=True).order_by("-released_on", "-pk")


def all_changelog(user: Any) -> QuerySet[ChangelogEntry]:
    access.require_manage(user)
    return ChangelogEntry.objects.order_by("-released_on", "-pk")


def access_entry(entry_id: int, user: Any) -> ChangelogEntry:
    entry = ChangelogEntry.objects.filter(pk=entry_id).first() if id_ok(entry_id) else None
    if entry is None or (not entry.published and not access.can_manage(user)):
        raise NotFound("stats.changelog_not_found", _("更新日志不存在。"))
    return entry


def changelog_save(
    *,
    actor: Any,
    entry: ChangelogEntry | None,
    title: str,
    body: str,
    released_on: date | None,
    version: str = "",
    published: bool = False,
    feedback_ids: Iterable[int] = (),
    request: HttpRequest | None = None,
) -> ChangelogEntry:
    """Create or change an entry and link the feedback it delivered (those become 已完成)."""
    access.require_manage(actor)
    title = _text(title, "title", 128, _("请填写标题。"))
    body = _text(body, "body", 20000, _("请填写内容。"))
    if released_on is None:
        raise TongbanError("stats.changelog_date", _("请填写发布日期。"), field="released_on")
    version = _no_nul(version).strip()
    if len(version) > 32:
        raise TongbanError("stats.changelog_version", _("版本号过长。"), field="version")
    ids = sorted({int(i) for i in feedback_ids})
    if any(not id_ok(i) for i in ids):
        raise TongbanError("stats.feedback_not_found", _("所选意见不存在。"), field="feedback_ids")
    if ids and Feedback.objects.filter(pk__in=ids).count() != len(ids):
        raise TongbanError("stats.feedback_not_found", _("所选意见不存在。"), field="feedback_ids")
    with transaction.atomic():
        created = entry is None
        if entry is None:
            entry = ChangelogEntry(created_by=actor)
        entry.title, entry.body, entry.released_on = title, body, released_on
        entry.version, entry.published = version, bool(published)
        entry.save()
        if ids:
            Feedback.objects.filter(pk__in=ids).update(changelog=entry)
            Feedback.objects.filter(
                pk__in=ids, status__in=[FeedbackStatus.NEW, FeedbackStatus.ACCEPTED]
            ).update(status=FeedbackStatus.DONE)
        audit.record(
            "stats.changelog_created" if created else "stats.changelog_changed",
            actor=actor,
            request=request,
            obj=entry,
            new={"title": title, "published": entry.published, "feedback": ids},
        )
    return entry


def changelog_delete(*, actor: Any, entry: ChangelogEntry, request: HttpRequest | None = None) -> None:
    access.require_manage(actor)
    with transaction.atomic():
        audit.record("stats.changelog_deleted", actor=actor, request=request, obj=entry)
        entry.delete()


def linkable_feedback() -> QuerySet[Feedback]:
    """Feedback an entry may link: accepted or done ones."""
    return Feedback.objects.filter(status__in=[FeedbackStatus.ACCEPTED, FeedbackStatus.DONE]).order_by(
        "-created_at"
    )
