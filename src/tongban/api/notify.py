"""Notification endpoints: the caller's own notifications only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from tongban.api.common import Id, Offset, errors
from tongban.api.common import caller as _caller
from tongban.core.errors import NotFound
from tongban.notify import selectors, services

router = Router(tags=["消息通知"])

MAX_LIMIT = 100


class NotificationOut(Schema):
    id: int
    event: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None
    is_read: bool

    @staticmethod
    def resolve_is_read(obj: Any) -> bool:
        return obj.read_at is not None


class NotificationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NotificationOut]


class UnreadCount(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int


class PreferenceOut(Schema):
    code: str
    label: str
    channels: dict[str, bool]


@router.get("", response={200: NotificationPage, **errors(422)}, summary="我的消息（未读在前，分页）")
def list_notifications(
    request: HttpRequest, unread: bool = False, limit: int = 20, offset: Offset = 0
) -> dict[str, Any]:
    user = _caller(request)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = selectors.notifications_for(user=user, unread_only=unread)
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


@router.get("/unread-count", response={200: UnreadCount, **errors()}, summary="未读消息数")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(user=_caller(request))}


@router.get(
    "/preferences", response={200: list[PreferenceOut], **errors()}, summary="我的接收方式（事件 × 渠道）"
)
def preferences(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's own choice per event and channel (the defaults where not changed), as on the
    page 消息 › 接收方式; changing them stays on the page."""
    rows = selectors.preference_matrix(user=_caller(request))
    return [{"code": r.code, "label": str(r.label), "channels": r.channels} for r in rows]


@router.post("/read-all", response={200: ReadAllOut, **errors()}, summary="全部标为已读")
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.mark_all_read(user=_caller(request))}


@router.post(
    "/{notification_id}/read", response={200: NotificationOut, **errors(404, 422)}, summary="标为已读"
)
def read_one(request: HttpRequest, notification_id: Id) -> Any:
    user = _caller(request)
    try:
        return services.mark_read(user=user, notification_id=notification_id)
    except NotFound as exc:
        raise HttpError(404, str(exc)) from exc
