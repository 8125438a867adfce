"""The audit log: append-only, hash-chained, verifiable.

Every security event in every domain goes through :func:`record`. Verification walks the chain
(:func:`verify`), and ``manage.py audit_verify`` exits non-zero naming the first broken record."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tongban.core import audit_units
from tongban.core.models import AuditChainHead, AuditRecord

GENESIS = "0" * 64


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the audit log and the lockout (django-axes) record it.

    Behind ``settings.TONGBAN_PROXY_COUNT`` trusted reverse proxies, each of which appends the
    address it saw to X-Forwarded-For, the client is the entry that many places from the right;
    anything further left was written by the client and is not trusted. Without proxies it is
    REMOTE_ADDR."""
    if request is None:
        return None
    proxies = int(getattr(settings, "TONGBAN_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))


def canonical(
    *,
    seq: int,
    at: datetime,
    event: str,
    actor_id: int | None,
    actor_name: str,
    ip: str | None,
    unit_id: int | None,
    object_type: str,
    object_id: str,
    object_repr: str,
    old: Any,
    new: Any,
    message: str,
    success: bool,
) -> str:
    """The text that is hashed: every field, in a fixed order, in a stable JSON form."""
    return json.dumps(
        [
            seq,
            at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            event,
            actor_id,
            actor_name,
            ip,
            unit_id,
            object_type,
            object_id,
            object_repr,
            old,
            new,
            message,
            success,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def chain_hash(prev_hash: str, text: str) -> str:
    """HMAC-SHA256 keyed with ``settings.TONGBAN_AUDIT_KEY``, which lives outside the database:
    someone who can write to the database but not read the key cannot rebuild a valid chain
    after changing a record."""
    return hmac.new(_chain_key(), (prev_hash + text).encode("utf-8"), hashlib.sha256).hexdigest()


def _chain_key() -> bytes:
    key = settings.TONGBAN_AUDIT_KEY
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def record(
    event: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    unit_id: int | None = None,
    old: Any = None,
    new: Any = None,
    message: str = "",
    success: bool = True,
    actor_name: str = "",
) -> AuditRecord:
    """Append one record. Runs in the caller's transaction (a rolled-back change leaves no record
    of itself); call it outside a failing transaction for refused attempts (e.g. a failed login)."""
    user = getattr(request, "user", None) if request is not None else None
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    if unit_id is None and actor is not None:
        unit_id = audit_units.actor_unit(getattr(actor, "pk", None))
    fields: dict[str, Any] = {
        "event": event,
        "actor_id": getattr(actor, "pk", None),
        "actor_name": actor_name or (getattr(actor, "username", "") if actor is not None else ""),
        "ip": client_ip(request),
        "unit_id": unit_id,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:255],
        "old": _jsonable(old),
        "new": _jsonable(new),
        "message": message,
        "success": success,
    }
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        seq = head.seq + 1
        at = timezone.now()
        digest = chain_hash(head.hash, canonical(seq=seq, at=at, **fields))
        rec = AuditRecord.objects.create(seq=seq, at=at, prev_hash=head.hash, hash=digest, **fields)
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
    return rec


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def _iter_records(batch: int = 2000) -> Iterator[AuditRecord]:
    last = 0
    while True:
        chunk = list(AuditRecord.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify() -> VerifyResult:
    """Walk the chain from the first record; report the first record that does not fit."""
    prev_hash = GENESIS
    expected_seq: int | None = None
    checked = 0
    for rec in _iter_records():
        if expected_seq is None:
            expected_seq = rec.seq
            prev_hash = rec.prev_hash if rec.seq != 1 else GENESIS
            if rec.seq != 1:
                return VerifyResult(
                    False, checked, rec.seq, f"记录 #{rec.seq} 之前的记录缺失（日志应从 #1 开始）"
                )
        if rec.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"记录 #{expected_seq} 缺失（被删除）")
        if rec.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, rec.seq, f"记录 #{rec.seq} 的前序哈希不符（前一条被改动或删除）"
            )
        text = canonical(
            seq=rec.seq,
            at=rec.at,
            event=rec.event,
            actor_id=rec.actor_id,
            actor_name=rec.actor_name,
            ip=rec.ip,
            unit_id=rec.unit_id,
            object_type=rec.object_type,
            object_id=rec.object_id,
            object_repr=rec.object_repr,
            old=rec.old,
            new=rec.new,
            message=rec.message,
            success=rec.success,
        )
        if chain_hash(prev_hash, text) != rec.hash:
            return VerifyResult(False, checked, rec.seq, f"记录 #{rec.seq} 的内容与哈希不符（被改动）")
        prev_hash = rec.hash
        expected_seq = rec.seq + 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None and checked:
        return VerifyResult(False, checked, expected_seq, "链头记录缺失（最新的记录可能已被删除）")
    if head is not None and head.seq != (expected_seq - 1 if expected_seq else 0):
        return VerifyResult(False, checked, (expected_seq or 1), "链尾记录缺失（最新的记录被删除）")
    return VerifyResult(True, checked)
