"""Core models: the audit log, the working-day calendar overrides and process heartbeats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditRecord(models.Model):
    """One security event, appended and never changed (GB/T 22239-2019 8.1.4.3: audit records are
    protected against modification and deletion and kept at least six months).

    Records form a hash chain: ``hash = sha256(prev_hash + canonical(record))``. Altering or deleting
    any row breaks the chain from that row on; ``manage.py audit_verify`` finds the first break.
    The actor is kept by id *and* name so the record survives the account."""

    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(db_index=True, editable=False)
    event = models.CharField(max_length=64, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    unit_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    success = models.BooleanField(default=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["event", "at"]), models.Index(fields=["actor_id", "at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.actor_name}"


class AuditChainHead(models.Model):
    """A single row locked (SELECT … FOR UPDATE) while a record is appended, so concurrent writers
    on PostgreSQL cannot fork the chain. SQLite serialises writers by itself."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class CalendarOverride(models.Model):
    """An administrator's correction to the working-day calendar: an extra holiday or an extra
    working day (调休) on one date. Years chinesecalendar does not know are entered here."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日")
        WORKDAY = "workday", _("工作日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"


class CalendarStamp(models.Model):
    """One row whose ``version`` is bumped on every override change, so every process (web,
    worker, scheduler) notices and rebuilds its in-memory calendar."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"calendar v{self.version}"


class Heartbeat(models.Model):
    """The last sign of life of a background process (``worker``, ``scheduler``)."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()
    info = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.at.isoformat()}"


class SchedulerLease(models.Model):
    """Leadership of the periodic-job scheduler: whoever holds an unexpired lease enqueues jobs;
    others stand by. Taken and renewed with a conditional UPDATE (works on SQLite and PostgreSQL)."""

    name = models.CharField(max_length=64, unique=True, default="scheduler")
    holder = models.CharField(max_length=128, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder} until {self.expires_at.isoformat()}"
