"""Leadership by a database lease: one row per role (``scheduler``); whoever holds an unexpired
lease acts, the others stand by. Taking and renewing the lease is one conditional UPDATE
(``WHERE name = … AND (holder = me OR expires_at < now)``), atomic on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tongban.core.models import SchedulerLease


def lease_acquire(*, holder: str, seconds: int, name: str = "scheduler", now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; True when ``holder`` now holds it."""
    now = now or timezone.now()
    if not SchedulerLease.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(name=name, holder="", expires_at=now - timedelta(seconds=1))
        except IntegrityError:
            pass  # another process created it first
    updated = (
        SchedulerLease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return updated == 1


def lease_release(*, holder: str, name: str = "scheduler") -> None:
    """Give the lease up at once (on shutdown) so a standby takes over without waiting."""
    SchedulerLease.objects.filter(name=name, holder=holder).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def lease_holder(*, name: str = "scheduler", now: datetime | None = None) -> str | None:
    now = now or timezone.now()
    lease = SchedulerLease.objects.filter(name=name, expires_at__gte=now).first()
    return lease.holder if lease else None
