"""/api/v1/exchange/: the data exchange's administration (system administrator only) — push
targets (read, test the connection, push now), the delivery log (with every attempt), requeueing
a failed batch, the integration clients (scoped tokens) and the scope table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tongban.api.common import Id, caller, errors
from tongban.core.errors import NotFound
from tongban.exchange import push
from tongban.exchange import selectors as sel
from tongban.exchange.models import DeliveryStatus, ExchangeDelivery, ExchangeTarget, PushKind
from tongban.exchange.scopes import scope_labels, scope_table
from tongban.identity.models import User

router = Router(tags=["数据交换"])

MAX_LIMIT = 100
KindIn = Literal["", "approval_cases", "disclosure_stats"]
StatusIn = Literal["", "pending", "retrying", "sent", "failed"]


def _admin(request: HttpRequest) -> User:
    user = caller(request)
    push.require_system_admin(user)
    return user


class WatermarkOut(Schema):
    kind: str
    changed_at: datetime | None
    sequence: int
    last_success_at: datetime | None


class TargetOut(Schema):
    id: int
    name: str
    url: str
    enabled: bool
    push_cases: bool
    push_disclosure: bool
    batch_size: int
    max_attempts: int
    timeout_seconds: int
    auth_header_name: str
    last_test_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str
    watermarks: list[WatermarkOut]


class TestOut(Schema):
    ok: bool
    http_status: int | None
    duration_ms: int
    error: str


class PushOut(Schema):
    sent: int
    failed: int
    waiting: int
    skipped: bool


class DeliveryOut(Schema):
    id: int
    target_id: int
    target: str
    kind: str
    batch_id: str
    sequence: int
    record_count: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    manual: bool
    created_at: datetime
    sent_at: datetime | None


class AttemptOut(Schema):
    number: int
    at: datetime
    http_status: int | None
    ok: bool
    duration_ms: int
    response_excerpt: str
    error: str


class DeliveryDetailOut(DeliveryOut):
    attempts_log: list[AttemptOut]
    body: dict[str, Any]


class DeliveryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DeliveryOut]


class ClientOut(Schema):
    id: int
    name: str
    username: str
    prefix: str
    scopes: list[str]
    rate_per_minute: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ScopeOut(Schema):
    scope: str
    label: str
    prefixes: list[str]


def _target_out(target: ExchangeTarget) -> dict[str, Any]:
    marks = sel.watermarks([target.pk]).get(target.pk, [])
    return {
        **{f: getattr(target, f) for f in push.TARGET_FIELDS},
        "id": target.pk,
        "last_test_at": target.last_test_at,
        "last_test_ok": target.last_test_ok,
        "last_test_message": target.last_test_message,
        "watermarks": [
            {
                "kind": w.kind,
                "changed_at": w.changed_at,
                "sequence": w.sequence,
                "last_success_at": w.last_success_at,
            }
            for w in marks
        ],
    }


def _delivery_out(d: ExchangeDelivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "target_id": d.target_id,
        "target": d.target.name,
        "kind": d.kind,
        "batch_id": d.batch_id,
        "sequence": d.sequence,
        "record_count": d.record_count,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_error": d.last_error,
        "manual": d.manual,
        "created_at": d.created_at,
        "sent_at": d.sent_at,
    }


def _get_target(target_id: int) -> ExchangeTarget:
    target = ExchangeTarget.objects.filter(pk=target_id).first()
    if target is None:
        raise NotFound("exchange.target_not_found", _("推送目标不存在。"))
    return target


def _get_delivery(delivery_id: int) -> ExchangeDelivery:
    delivery = ExchangeDelivery.objects.select_related("target").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("exchange.delivery_not_found", _("推送记录不存在。"))
    return delivery


@router.get("/targets", response={200: list[TargetOut], **errors(403)}, summary="推送目标")
def list_targets(request: HttpRequest) -> list[dict[str, Any]]:
    _admin(request)
    return [_target_out(t) for t in sel.targets()]


@router.get(
    "/targets/{target_id}", response={200: TargetOut, **errors(403, 404, 422)}, summary="推送目标详情"
)
def get_target(request: HttpRequest, target_id: Id) -> dict[str, Any]:
    _admin(request)
    return _target_out(_get_target(target_id))


@router.post(
    "/targets/{target_id}/test",
    response={200: TestOut, **errors(403, 404, 422)},
    summary="测试连接（发送签名的 ping）",
)
def test_target(request: HttpRequest, target_id: Id) -> dict[str, Any]:
    user = _admin(request)
    result = push.target_test(actor=user, target=_get_target(target_id), request=request)
    return {
        "ok": result.ok,
        "http_status": result.status,
        "duration_ms": result.duration_ms,
        "error": result.error,
    }


@router.post(
    "/targets/{target_id}/push", response={200: PushOut, **errors(400, 403, 404, 422)}, summary="立即推送"
)
def push_target(request: HttpRequest, target_id: Id) -> dict[str, Any]:
    user = _admin(request)
    result = push.push_now(actor=user, target=_get_target(target_id), request=request)
    return {
        "sent": result.sent,
        "failed": result.failed,
        "waiting": result.waiting,
        "skipped": result.skipped,
    }


@router.get("/deliveries", response={200: DeliveryPage, **errors(403, 422)}, summary="推送记录")
def list_deliveries(
    request: HttpRequest,
    target_id: int | None = Query(None, ge=1, le=2_147_483_647),
    kind: KindIn = "",
    status: StatusIn = "",
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    _admin(request)
    qs = sel.deliveries(target_id=target_id, kind=kind, status=status)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_delivery_out(d) for d in qs[offset : offset + limit]],
    }


@router.get(
    "/deliveries/{delivery_id}",
    response={200: DeliveryDetailOut, **errors(403, 404, 422)},
    summary="推送记录详情",
)
def get_delivery(request: HttpRequest, delivery_id: Id) -> dict[str, Any]:
    _admin(request)
    d = _get_delivery(delivery_id)
    try:
        body = json.loads(d.body)
    except ValueError:
        body = {}
    return {
        **_delivery_out(d),
        "body": body if isinstance(body, dict) else {},
        "attempts_log": [
            {
                "number": a.number,
                "at": a.at,
                "http_status": a.http_status,
                "ok": a.ok,
                "duration_ms": a.duration_ms,
                "response_excerpt": a.response_excerpt,
                "error": a.error,
            }
            for a in sel.attempts(d)
        ],
    }


@router.post(
    "/deliveries/{delivery_id}/requeue",
    response={200: DeliveryOut, **errors(400, 403, 404, 422)},
    summary="重新投递失败的批次",
)
def requeue_delivery(request: HttpRequest, delivery_id: Id) -> dict[str, Any]:
    user = _admin(request)
    d = push.delivery_requeue(actor=user, delivery=_get_delivery(delivery_id), request=request)
    return _delivery_out(d)


@router.get("/clients", response={200: list[ClientOut], **errors(403)}, summary="集成客户端（接口令牌）")
def list_clients(request: HttpRequest) -> list[dict[str, Any]]:
    _admin(request)
    return [
        {
            "id": t.pk,
            "name": t.name,
            "username": t.user.username,
            "prefix": t.prefix,
            "scopes": list(t.scopes or []),
            "rate_per_minute": t.rate_per_minute,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in sel.tokens()[:500]
    ]


@router.get("/scopes", response={200: list[ScopeOut], **errors(403)}, summary="授权范围及其接口路径")
def list_scopes(request: HttpRequest) -> list[dict[str, Any]]:
    _admin(request)
    labels = scope_labels()
    return [{"scope": s, "label": labels.get(s, ""), "prefixes": list(p)} for s, p in scope_table().items()]


# keep the enums' values and the Literal types in step (checked by the tests)
KIND_VALUES = tuple(PushKind.values)
STATUS_VALUES = tuple(DeliveryStatus.values)
