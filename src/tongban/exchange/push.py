"""Pushing batches to the targets: collect what changed since the watermark, freeze it into a
delivery with a stable batch id, send it signed, retry with exponential backoff, log every attempt.

One stream per (target, kind), strictly in order: while a batch of a stream is unsent (pending,
retrying or failed) no newer batch of that stream is made, so the receiver never sees a gap.
A batch that failed ``max_attempts`` times stops its stream and the system administrators are
notified; "重新投递" (:func:`delivery_requeue`) puts it back in the queue."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import TongbanError
from tongban.core.lease import lease_acquire, lease_release
from tongban.exchange import payloads
from tongban.exchange.models import (
    DeliveryAttempt,
    DeliveryStatus,
    ExchangeDelivery,
    ExchangeTarget,
    PushKind,
    Watermark,
)
from tongban.identity.models import AdminRole, User

SIGNATURE_HEADER = "X-Tongban-Signature"
BATCH_HEADER = "X-Tongban-Batch-Id"
KIND_HEADER = "X-Tongban-Kind"
MAX_BATCHES_PER_RUN = 20
MAX_DISCLOSURE_ROWS = 2000
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.FAILED)
USER_AGENT = "Tongban-Exchange/1"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact request body under the shared secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def backoff_seconds(attempts: int) -> int:
    """Wait after the ``attempts``-th failure: base × 2^(attempts−1), at most an hour."""
    base = int(getattr(settings, "TONGBAN_EXCHANGE_RETRY_SECONDS", 60))
    return int(min(3600, base * 2 ** max(0, attempts - 1)))


def envelope(*, target: ExchangeTarget, kind: str, batch_id: str, sequence: int, records: list[Any]) -> str:
    body = {
        "schema": payloads.SCHEMA_ID,
        "batch_id": batch_id,
        "kind": kind,
        "sequence": sequence,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "source": {"system": "tongban", "target": target.name},
        "count": len(records),
        "records": records,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- making batches --------------------------------------------------------------------------


def watermark(target: ExchangeTarget, kind: str) -> Watermark:
    wm, _created = Watermark.objects.get_or_create(target=target, kind=kind)
    return wm


def make_batch(target: ExchangeTarget, kind: str, *, manual: bool = False) -> ExchangeDelivery | None:
    """Freeze the next batch of ``kind`` after the watermark, or None when nothing changed."""
    wm = watermark(target, kind)
    if kind == PushKind.CASES:
        cases = list(payloads.changed_cases(wm.changed_at, wm.last_id, max(1, target.batch_size)))
        if not cases:
            return None
        records: list[Any] = [payloads.case_record(c) for c in cases]
        end_at, end_id = cases[-1].updated_at, cases[-1].pk
    elif kind == PushKind.DISCLOSURE:
        rows = payloads.changed_disclosure(wm.changed_at, wm.last_id, MAX_DISCLOSURE_ROWS)
        if not rows:
            return None
        records = [
            r
            for county, month in payloads.months_touched(rows)
            for r in payloads.disclosure_month(county, month)
        ]
        end_at, end_id = rows[-1][1], rows[-1][0]
    else:  # pragma: no cover - PushKind is closed
        raise ValueError(kind)
    with transaction.atomic():
        wm = Watermark.objects.select_for_update().get(pk=wm.pk)
        sequence = wm.sequence + 1
        batch_id = f"tb-{kind}-{target.pk}-{sequence}-{uuid.uuid4().hex[:12]}"
        delivery = ExchangeDelivery.objects.create(
            target=target,
            kind=kind,
            batch_id=batch_id,
            sequence=sequence,
            body=envelope(target=target, kind=kind, batch_id=batch_id, sequence=sequence, records=records),
            record_count=len(records),
            wm_changed_at=end_at,
            wm_last_id=end_id,
            manual=manual,
        )
        wm.sequence = sequence
        wm.save(update_fields=["sequence"])
    return delivery


# --- sending ---------------------------------------------------------------------------------


@dataclass
class HttpResult:
    status: int | None
    excerpt: str
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(target: ExchangeTarget, body: bytes, headers: dict[str, str]) -> HttpResult:
    """POST ``body`` to the target's URL with the signature and the extra header."""
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(target.secret, body),
        **headers,
    }
    if target.auth_header_name and target.auth_header_value:
        all_headers[target.auth_header_name] = target.auth_header_value
    request = urllib.request.Request(target.url, data=body, headers=all_headers, method="POST")  # noqa: S310
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=target.timeout_seconds or 10) as response:  # noqa: S310
            text = response.read(2000).decode("utf-8", "replace")
            status = response.status
        return HttpResult(status, text[:500], int((time.monotonic() - start) * 1000))
    except urllib.error.HTTPError as exc:
        text = exc.read(2000).decode("utf-8", "replace") if exc.fp is not None else ""
        return HttpResult(exc.code, text[:500], int((time.monotonic() - start) * 1000), f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return HttpResult(None, "", int((time.monotonic() - start) * 1000), str(reason)[:300])


def _admins() -> list[User]:
    return list(User.objects.filter(admin_role=AdminRole.SYSTEM, is_active=True))


def attempt(delivery: ExchangeDelivery, *, now: datetime | None = None) -> bool:
    """Send the delivery once; log the attempt; move the watermark on success, schedule the
    retry (or give up and notify) on failure. True when delivered."""
    now = now or timezone.now()
    target = delivery.target
    body = delivery.body.encode("utf-8")
    result = post(target, body, {BATCH_HEADER: delivery.batch_id, KIND_HEADER: delivery.kind})
    with transaction.atomic():
        delivery = ExchangeDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.attempts += 1
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=DeliveryAttempt.objects.filter(delivery=delivery).count() + 1,
            at=now,
            http_status=result.status,
            ok=result.ok,
            duration_ms=result.duration_ms,
            response_excerpt=result.excerpt,
            error=result.error,
        )
        if result.ok:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
            Watermark.objects.filter(target=target, kind=delivery.kind).update(
                changed_at=delivery.wm_changed_at, last_id=delivery.wm_last_id, last_success_at=now
            )
        else:
            delivery.last_error = (result.error or f"HTTP {result.status}")[:300]
            if delivery.attempts >= max(1, target.max_attempts):
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                _notify_failed(delivery)
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        delivery.save()
    return result.ok


def _notify_failed(delivery: ExchangeDelivery) -> None:
    from tongban.notify.services import notify

    notify(
        users=_admins(),
        event="exchange.push_failed",
        title=_("数据推送失败：%(target)s") % {"target": delivery.target.name},
        body=_(
            "批次 %(batch)s（%(kind)s）尝试 %(n)s 次仍未送达，最近错误：%(error)s。已暂停该类数据的推送，请检查后重新投递。"
        )
        % {
            "batch": delivery.batch_id,
            "kind": delivery.get_kind_display(),
            "n": delivery.attempts,
            "error": delivery.last_error,
        },
        url=f"/exchange/deliveries/{delivery.pk}/",
        dedupe_key=f"exchange.failed.{delivery.pk}.{delivery.attempts}",
    )


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    skipped: bool = False
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"sent={self.sent} failed={self.failed} waiting={self.waiting}" + (
            " skipped" if self.skipped else ""
        )


def run_target(target: ExchangeTarget, *, now: datetime | None = None, force: bool = False) -> RunResult:
    """Process one target: due retries first, then new batches, each stream in order. ``force``
    ("推送" now) ignores the backoff wait of retrying batches (not the stop of a failed one)."""
    now = now or timezone.now()
    result = RunResult()
    holder = uuid.uuid4().hex
    lease = f"exchange.push.{target.pk}"
    if not lease_acquire(holder=holder, seconds=600, name=lease, now=timezone.now()):
        result.skipped = True
        return result
    try:
        for kind in target.kinds():
            for _i in range(MAX_BATCHES_PER_RUN):
                delivery = (
                    ExchangeDelivery.objects.select_related("target")
                    .filter(target=target, kind=kind, status__in=OPEN_STATUSES)
                    .order_by("sequence")
                    .first()
                )
                if delivery is None:
                    delivery = make_batch(target, kind, manual=force)
                    if delivery is None:
                        break
                if delivery.status == DeliveryStatus.FAILED:
                    result.failed += 1
                    break
                if not force and delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                    result.waiting += 1
                    break
                if attempt(delivery, now=now):
                    result.sent += 1
                else:
                    result.failed += 1
                    break
    finally:
        lease_release(holder=holder, name=lease)
    return result


def run_all(*, now: datetime | None = None) -> str:
    """The scheduled job (every 5 minutes): every enabled target."""
    parts = []
    for target in ExchangeTarget.objects.filter(enabled=True).order_by("id"):
        parts.append(f"{target.pk}:{run_target(target, now=now)}")
    return "; ".join(parts) or "no targets"


# --- administration (system administrator) ---------------------------------------------------


def require_system_admin(actor: User) -> None:
    from tongban.core.errors import PermissionDenied

    if not (actor.is_active and actor.admin_role == AdminRole.SYSTEM):
        raise PermissionDenied("exchange.forbidden", _("只有系统管理员可以管理数据交换。"))


TARGET_FIELDS = (
    "name",
    "url",
    "auth_header_name",
    "enabled",
    "push_cases",
    "push_disclosure",
    "batch_size",
    "max_attempts",
    "timeout_seconds",
)


def _target_state(target: ExchangeTarget) -> dict[str, Any]:
    state = {f: getattr(target, f) for f in TARGET_FIELDS}
    state["secret_set"] = bool(target.secret)
    return state


def _check_target(data: dict[str, Any]) -> None:
    url = str(data.get("url", ""))
    if not url.startswith(("http://", "https://")):
        raise TongbanError("exchange.url_invalid", _("接收地址须以 http:// 或 https:// 开头。"), field="url")
    if len(str(data.get("secret", ""))) < 16:
        raise TongbanError("exchange.secret_short", _("签名密钥至少 16 个字符。"), field="secret")
    if not 1 <= int(data.get("batch_size", 200)) <= 1000:
        raise TongbanError("exchange.batch_size", _("每批条数应在 1 到 1000 之间。"), field="batch_size")
    if not 1 <= int(data.get("max_attempts", 6)) <= 20:
        raise TongbanError(
            "exchange.max_attempts", _("最多尝试次数应在 1 到 20 之间。"), field="max_attempts"
        )
    if not 1 <= int(data.get("timeout_seconds", 10)) <= 60:
        raise TongbanError("exchange.timeout", _("超时应在 1 到 60 秒之间。"), field="timeout_seconds")
    name = str(data.get("auth_header_name", ""))
    if name and not all(ch.isalnum() or ch == "-" for ch in name):
        raise TongbanError(
            "exchange.header_invalid", _("附加请求头名称只能含字母、数字和连字符。"), field="auth_header_name"
        )


def target_save(
    *,
    actor: User,
    data: dict[str, Any],
    target: ExchangeTarget | None = None,
    request: HttpRequest | None = None,
) -> ExchangeTarget:
    """Create or update a target. ``data`` holds the model's fields; an empty ``secret`` on update
    keeps the stored one."""
    require_system_admin(actor)
    data = dict(data)
    if target is not None and not data.get("secret"):
        data["secret"] = target.secret
    _check_target(data)
    name = str(data.get("name", "")).strip()
    if not name:
        raise TongbanError("exchange.name_required", _("请填写名称。"), field="name")
    clash = ExchangeTarget.objects.filter(name=name)
    if target is not None:
        clash = clash.exclude(pk=target.pk)
    if clash.exists():
        raise TongbanError("exchange.name_taken", _("已有同名的推送目标。"), field="name")
    with transaction.atomic():
        old = _target_state(target) if target is not None else None
        if target is None:
            target = ExchangeTarget(created_by=actor)
        for f in (*TARGET_FIELDS, "secret", "auth_header_value"):
            if f in data:
                setattr(target, f, data[f])
        target.name = name
        target.save()
        audit.record(
            "exchange.target_saved",
            actor=actor,
            request=request,
            obj=target,
            old=old,
            new=_target_state(target),
        )
    return target


def target_delete(*, actor: User, target: ExchangeTarget, request: HttpRequest | None = None) -> None:
    require_system_admin(actor)
    with transaction.atomic():
        audit.record(
            "exchange.target_deleted", actor=actor, request=request, obj=target, old=_target_state(target)
        )
        target.delete()


def target_test(*, actor: User, target: ExchangeTarget, request: HttpRequest | None = None) -> HttpResult:
    """Send a signed ``ping`` (no records) and remember the answer on the target."""
    require_system_admin(actor)
    batch_id = f"tb-ping-{target.pk}-0-{uuid.uuid4().hex[:12]}"
    body = envelope(target=target, kind="ping", batch_id=batch_id, sequence=0, records=[]).encode("utf-8")
    result = post(target, body, {BATCH_HEADER: batch_id, KIND_HEADER: "ping"})
    with transaction.atomic():
        target.last_test_at = timezone.now()
        target.last_test_ok = result.ok
        target.last_test_message = (
            f"HTTP {result.status} · {result.duration_ms} ms" if result.status is not None else result.error
        )[:300]
        target.save(update_fields=["last_test_at", "last_test_ok", "last_test_message"])
        audit.record(
            "exchange.target_tested",
            actor=actor,
            request=request,
            obj=target,
            new={"ok": result.ok, "status": result.status},
            success=result.ok,
        )
    return result


def push_now(*, actor: User, target: ExchangeTarget, request: HttpRequest | None = None) -> RunResult:
    require_system_admin(actor)
    if not target.enabled:
        raise TongbanError("exchange.target_disabled", _("该推送目标未启用，请先启用。"))
    result = run_target(target, force=True)
    audit.record("exchange.push_now", actor=actor, request=request, obj=target, new={"result": str(result)})
    return result


def delivery_requeue(
    *, actor: User, delivery: ExchangeDelivery, request: HttpRequest | None = None
) -> ExchangeDelivery:
    """Put a failed batch back in the queue (same batch id, attempts counted afresh)."""
    require_system_admin(actor)
    if delivery.status != DeliveryStatus.FAILED:
        raise TongbanError("exchange.not_failed", _("只有失败的批次可以重新投递。"))
    with transaction.atomic():
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record("exchange.delivery_requeued", actor=actor, request=request, obj=delivery)
    return delivery
