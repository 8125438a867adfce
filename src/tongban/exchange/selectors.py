"""Reads of the data exchange pages and API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tongban.exchange.models import DeliveryAttempt, ExchangeDelivery, ExchangeTarget, Watermark
from tongban.identity.models import ApiToken, User


def is_exchange_admin(user: Any) -> bool:
    """Navigation and pages: the system administrator only (no query)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and getattr(user, "admin_role", "") == "system"
        and bool(getattr(user, "is_active", False))
    )


def tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "created_by").order_by("revoked_at", "-created_at", "-id")


def integration_account(username: str) -> User | None:
    return User.objects.filter(username=username.strip()).first()


def targets() -> QuerySet[ExchangeTarget]:
    return ExchangeTarget.objects.order_by("name", "id")


def watermarks(target_ids: list[int]) -> dict[int, list[Watermark]]:
    out: dict[int, list[Watermark]] = {}
    for wm in Watermark.objects.filter(target_id__in=target_ids).order_by("kind"):
        out.setdefault(wm.target_id, []).append(wm)
    return out


def deliveries(
    *,
    target_id: int | None = None,
    kind: str = "",
    status: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ExchangeDelivery]:
    qs = ExchangeDelivery.objects.select_related("target").defer("body")
    if target_id:
        qs = qs.filter(target_id=target_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs.order_by("-created_at", "-id")


def attempts(delivery: ExchangeDelivery) -> list[DeliveryAttempt]:
    return list(delivery.attempt_rows.order_by("number"))
