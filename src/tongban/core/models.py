"""Core models: the audit log, the working-day calendar overrides and process heartbeats."""

from __future__ import annotations

from django.db import models


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
