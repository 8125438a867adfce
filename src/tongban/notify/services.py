"""Notification services: the only writers of notifications, deliveries and preferences.

:func:`notify` records in-app notifications and queues one delivery per enabled channel; the
deliveries are handed to background tasks only after the transaction commits, so a rolled-back
change sends nothing. :func:`deliver` is what the task runs: safe to run twice, retried with
exponential backoff, every attempt counted on the delivery row."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.notify import events, sms
from tongban.notify.models import Channel, ChannelPreference, Delivery, DeliveryStatus, Notification
from tongban.notify.selectors import access_notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait after the n-th failed attempt (1, 2, 4, 8 minutes); the 5th failure gives up.
BACKOFF = tuple(timedelta(minutes=2**i) for i in range(MAX_ATTEMPTS))
# A delivery claimed by a worker that died mid-send becomes due again after this lease.
SENDING_LEASE = timedelta(minutes=5)
SMS_MAX_CHARS = 300
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_LOST_QUEUED = timedelta(minutes=10)


def _now() -> datetime:
    """The clock (one seam, so tests can move time for the retry sweep)."""
    return timezone.now()


# --- preferences ------------------------------------------------------------------------------
def _overrides(user_ids: Iterable[int], event: str) -> dict[int, dict[str, bool]]:
    out: dict[int, dict[str, bool]] = {}
    for user_id, channel, enabled in ChannelPreference.objects.filter(
        user_id__in=user_ids, event=event
    ).values_list("user_id", "channel", "enabled"):
        out.setdefault(user_id, {})[channel] = enabled
    return out


def _channels(event: events.EventType, overrides: dict[str, bool]) -> set[str]:
    return {c for c in events.CHANNELS if overrides.get(c, c in event.default_channels)}


def preference_set(*, actor: User, user: User, event: str, channel: str, enabled: bool) -> None:
    """Set one (event, channel) choice for ``user``. Only the user sets their own preferences."""
    preferences_save(actor=actor, user=user, choices={(event, channel): enabled})


def preferences_save(
    *, actor: User, user: User, choices: dict[tuple[str, str], bool], request: HttpRequest | None = None
) -> int:
    """Save several (event, channel) → enabled choices; a choice equal to the event's default is
    stored as no row, so later changes of the default reach the user. Returns how many changed."""
    if actor.pk != user.pk:
        raise PermissionDenied("notify.not_own_preferences", _("只能设置本人的消息接收方式。"))
    for event_code, channel in choices:
        if events.get(event_code) is None:
            raise TongbanError("notify.unknown_event", _("未知的消息类型：%(event)s") % {"event": event_code})
        if channel not in events.CHANNELS:
            raise TongbanError(
                "notify.unknown_channel", _("未知的消息渠道：%(channel)s") % {"channel": channel}
            )
    old: dict[str, bool] = {}
    new: dict[str, bool] = {}
    with transaction.atomic():
        current = {
            (p.event, p.channel): p
            for p in ChannelPreference.objects.select_for_update().filter(
                user=user, event__in={e for e, _c in choices}
            )
        }
        for (event_code, channel), enabled in sorted(choices.items()):
            event = events.get(event_code)
            assert event is not None
            default = channel in event.default_channels
            row = current.get((event_code, channel))
            before = row.enabled if row is not None else default
            if before == enabled:
                if row is not None and enabled == default:
                    row.delete()
                continue
            key = f"{event_code}:{channel}"
            old[key], new[key] = before, enabled
            if enabled == default:
                if row is not None:
                    row.delete()
            elif row is not None:
                row.enabled = enabled
                row.save(update_fields=["enabled"])
            else:
                ChannelPreference.objects.create(
                    user=user, event=event_code, channel=channel, enabled=enabled
                )
        if new:
            audit.record(
                "notify.preferences_changed", actor=actor, request=request, obj=user, old=old, new=new
            )
    return len(new)


# --- notify -----------------------------------------------------------------------------------
def notify(
    *,
    users: Iterable[User],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """Notify ``users`` of ``event``. Returns the notifications created now: a user who already
    has one for (event, dedupe_key) gets nothing new and is sent nothing again.

    Deliveries go to the user's enabled channels (e-mail needs an address, SMS a mobile number)
    and are enqueued after the surrounding transaction commits. A user who turned the in-app
    channel off still gets the record (it anchors the other deliveries) but already read, so the
    bell stays quiet. ``actor`` is the person or process on whose behalf it is sent (logged)."""
    event_type = events.get(event)
    if event_type is None:
        raise TongbanError("notify.unknown_event", _("未知的消息类型：%(event)s") % {"event": event})
    title = title.strip()[:200]
    if not title:
        raise TongbanError("notify.title_required", _("消息标题不能为空。"), field="title")
    recipients: dict[int, User] = {}
    for user in users:
        if user.is_active and user.pk not in recipients:
            recipients[user.pk] = user
    if not recipients:
        return []

    now = _now()
    with transaction.atomic():
        already: set[int] = set()
        if dedupe_key:
            already = set(
                Notification.objects.filter(
                    user_id__in=recipients, event=event, dedupe_key=dedupe_key
                ).values_list("user_id", flat=True)
            )
        overrides = _overrides(recipients, event)
        planned: list[tuple[Notification, set[str]]] = []
        for user in recipients.values():
            if user.pk in already:
                continue
            channels = _channels(event_type, overrides.get(user.pk, {}))
            note = Notification(
                user=user,
                event=event,
                title=title,
                body=body,
                url=url[:500],
                dedupe_key=dedupe_key,
                read_at=None if Channel.INAPP in channels else now,
            )
            planned.append((note, channels))
        created = _insert_notifications([n for n, _c in planned], deduplicated=bool(dedupe_key))
        deliveries: list[Delivery] = []
        for note, channels in planned:
            if note.pk is None:
                continue
            user = recipients[note.user_id]
            if Channel.INAPP in channels:
                deliveries.append(
                    Delivery(
                        notification=note,
                        channel=Channel.INAPP,
                        status=DeliveryStatus.SENT,
                        attempts=1,
                        sent_at=now,
                    )
                )
            if Channel.EMAIL in channels and user.email:
                deliveries.append(Delivery(notification=note, channel=Channel.EMAIL, address=user.email))
            if Channel.SMS in channels and user.mobile:
                deliveries.append(Delivery(notification=note, channel=Channel.SMS, address=user.mobile))
        Delivery.objects.bulk_create(deliveries)
        pending = [d.pk for d in deliveries if d.status == DeliveryStatus.QUEUED]
        if pending:
            transaction.on_commit(lambda: enqueue_deliveries(pending))
    if created:
        logger.info(
            "notify %s: %d notification(s), %d delivery task(s) by %s",
            event,
            len(created),
            len(pending),
            getattr(actor, "username", "system"),
        )
    return created


def _insert_notifications(notes: list[Notification], *, deduplicated: bool) -> list[Notification]:
    if not notes:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(notes)
    except IntegrityError:
        if not deduplicated:
            raise
    # A concurrent call inserted some of the same (user, event, dedupe_key): insert one by one.
    created = []
    for note in notes:
        note.pk = None
        try:
            with transaction.atomic():
                note.save(force_insert=True)
        except IntegrityError:
            note.pk = None
            continue
        created.append(note)
    return created


def enqueue_deliveries(delivery_ids: Iterable[int]) -> None:
    """Hand deliveries to the task queue (called on commit)."""
    from tongban.notify.tasks import deliver_task

    for delivery_id in delivery_ids:
        deliver_task.enqueue(delivery_id)


# --- delivery ---------------------------------------------------------------------------------
def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Lock the row and mark it as being sent; None when there is nothing to do now."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification", "notification__user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.GIVEN_UP):
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # not due yet, or another worker holds the sending lease
        if delivery.status == DeliveryStatus.SENDING:
            delivery.last_error = _("第 %(n)d 次发送中断（处理进程未完成）") % {"n": delivery.attempts}
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.GIVEN_UP
                delivery.next_attempt_at = None
                delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
                return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now + SENDING_LEASE
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    return delivery


def _send(delivery: Delivery) -> str:
    note = delivery.notification
    if delivery.channel == Channel.EMAIL:
        text = note.body
        if note.url:
            base = settings.TONGBAN_BASE_URL if note.url.startswith("/") else ""
            text = f"{text}\n\n{base}{note.url}" if text else f"{base}{note.url}"
        sent = send_mail(
            subject=f"[{settings.TONGBAN_SITE_NAME}] {note.title}",
            message=text or note.title,
            from_email=None,
            recipient_list=[delivery.address],
        )
        if sent != 1:
            raise OSError(_("邮件未被接受"))
        return ""
    if delivery.channel == Channel.SMS:
        signature = settings.TONGBAN_SMS_SIGNATURE
        text = f"【{signature}】{note.title}" + (f"：{note.body}" if note.body else "")
        if len(text) > SMS_MAX_CHARS:
            text = text[: SMS_MAX_CHARS - 1] + "…"
        return sms.get_backend().send(delivery.address, text)
    raise TongbanError(
        "notify.unknown_channel", _("未知的消息渠道：%(channel)s") % {"channel": delivery.channel}
    )


def deliver(*, delivery_id: int, now: datetime | None = None) -> str:
    """Try one delivery once. Returns ``sent``, ``retry``, ``given_up`` or ``skipped``.

    Safe to run twice: a sent, given-up, not-yet-due or in-flight delivery is skipped. The row is
    claimed under a lock and the message is sent outside any transaction (a slow SMS centre
    never holds a database lock)."""
    now = now or _now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    error = ""
    provider_id = ""
    try:
        provider_id = _send(delivery)
    except Exception as exc:  # every failure is recorded on the row and retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning(
            "delivery %s (%s) attempt %d failed: %s", delivery.pk, delivery.channel, delivery.attempts, error
        )
    finished = _now()
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not error:
            row.status = DeliveryStatus.SENT
            row.sent_at = finished
            row.provider_message_id = provider_id[:100]
            row.next_attempt_at = None
            outcome = "sent"
        elif row.attempts >= MAX_ATTEMPTS:
            row.status = DeliveryStatus.GIVEN_UP
            row.last_error = error
            row.next_attempt_at = None
            outcome = "given_up"
        else:
            row.status = DeliveryStatus.FAILED
            row.last_error = error
            row.next_attempt_at = now + BACKOFF[row.attempts - 1]
            outcome = "retry"
        row.save(update_fields=["status", "sent_at", "provider_message_id", "next_attempt_at", "last_error"])
    if outcome == "retry":
        assert row.next_attempt_at is not None
        schedule_retry(delivery_id=row.pk, run_after=row.next_attempt_at)
    return outcome


def schedule_retry(*, delivery_id: int, run_after: datetime) -> bool:
    """Enqueue a deferred retry when the task backend supports ``run_after``; otherwise the
    periodic sweep (:func:`deliveries_retry_due`) picks the delivery up when it is due."""
    from tongban.notify.tasks import deliver_task

    if not deliver_task.get_backend().supports_defer:
        return False
    deliver_task.using(run_after=run_after).enqueue(delivery_id)
    return True


def deliveries_retry_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue deliveries that are due: retries whose time has come, claims whose worker died,
    queued rows whose task was lost. Run every minute by the scheduler; returns how many.

    With a task backend that supports ``run_after`` the deferred tasks are the normal path and
    this sweep is a safety net: it waits a grace period before acting, so a busy worker is not
    handed the same delivery again every minute."""
    from tongban.notify.tasks import deliver_task

    now = now or _now()
    deferred = deliver_task.get_backend().supports_defer
    grace = SWEEP_GRACE if deferred else timedelta(0)
    lost_after = SWEEP_LOST_QUEUED if deferred else timedelta(minutes=1)
    due = Q(status__in=[DeliveryStatus.FAILED, DeliveryStatus.SENDING], next_attempt_at__lte=now - grace) | Q(
        status=DeliveryStatus.QUEUED, created_at__lte=now - lost_after
    )
    ids = list(
        Delivery.objects.filter(due).order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )
    enqueue_deliveries(ids)
    return len(ids)


# --- reading state ----------------------------------------------------------------------------
def mark_read(*, user: User, notification_id: int) -> Notification:
    note = access_notification(user=user, notification_id=notification_id)
    if note.read_at is None:
        note.read_at = _now()
        note.save(update_fields=["read_at"])
    return note


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=_now())


# --- administration ---------------------------------------------------------------------------
def send_test(*, actor: User, user: User, request: HttpRequest | None = None) -> Notification:
    """The system administrator sends a test message to ``user`` through their channels (audited)."""
    if not actor.is_system_admin:
        raise PermissionDenied("notify.not_system_admin", _("只有系统管理员可以发送测试消息。"))
    if not user.is_active:
        raise TongbanError("notify.user_inactive", _("该用户已停用，不能接收消息。"), field="username")
    with transaction.atomic():
        created = notify(
            users=[user],
            event="notify.test",
            title=_("系统测试消息"),
            body=_("这是系统管理员 %(name)s 发送的测试消息，用于检查消息通道是否畅通，无需处理。")
            % {"name": actor.full_name or actor.username},
            actor=actor,
        )
        note = created[0]
        channels = sorted(note.deliveries.values_list("channel", flat=True))
        audit.record(
            "notify.test_sent",
            actor=actor,
            request=request,
            obj=user,
            new={"notification": note.pk, "channels": channels},
            message=_("发送测试消息"),
        )
    return note
