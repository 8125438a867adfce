"""Notification reads, already filtered for the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.notify import events
from tongban.notify.models import ChannelPreference, Delivery, Notification


def access_notification(*, user: User, notification_id: int) -> Notification:
    """The user's own notification; anyone else's is 'not found' (the two are not told apart)."""
    note = Notification.objects.filter(pk=notification_id, user_id=user.pk).first()
    if note is None:
        raise NotFound("notify.not_found", _("消息不存在。"))
    return note


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    qs = Notification.objects.filter(user_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def unread_count(*, user: Any) -> int:
    """One COUNT query, memoised on the user object for the request (the bell and the nav badge
    both ask)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, "_notify_unread", None)
    if cached is None:
        cached = Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
        user._notify_unread = cached
    return int(cached)


@dataclass(frozen=True)
class PreferenceRow:
    code: str
    label: Any
    channels: dict[str, bool]


def preference_matrix(*, user: User) -> list[PreferenceRow]:
    """Every registered event × channel with the user's effective choice."""
    overrides: dict[tuple[str, str], bool] = {
        (p.event, p.channel): p.enabled for p in ChannelPreference.objects.filter(user_id=user.pk)
    }
    rows = []
    for event in events.all_events():
        rows.append(
            PreferenceRow(
                code=event.code,
                label=event.label,
                channels={
                    c: overrides.get((event.code, c), c in event.default_channels) for c in events.CHANNELS
                },
            )
        )
    return rows


def deliveries_for_admin(
    *,
    actor: User,
    status: str = "",
    channel: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Delivery]:
    """The delivery log, for the system administrator only."""
    if not actor.is_system_admin:
        raise PermissionDenied("notify.not_system_admin", _("只有系统管理员可以查看投递记录。"))
    qs = Delivery.objects.select_related("notification", "notification__user").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max), tz))
    return qs
