"""The audit log is append-only in the database and its hash chain finds any alteration a DBA makes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tongban.core import audit
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _records(n: int = 5) -> None:
    for i in range(n):
        audit.record("test.event", actor_name="tester", message=f"m{i}", new={"i": i})


def _dba_disables_trigger() -> None:
    """What a database administrator could do by hand (the application never does this)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")
            cursor.execute("DROP TRIGGER core_auditrecord_no_delete")
        else:
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only")


def _audit_verify() -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_application_cannot_update_or_delete_records():
    _records(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(seq=2).update(message="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(seq=2).delete()
    rec = AuditRecord.objects.get(seq=2)
    with pytest.raises(DatabaseError), transaction.atomic():
        rec.message = "changed"
        rec.save()
    assert AuditRecord.objects.count() == 3
    assert AuditRecord.objects.get(seq=2).message == "m1"
    assert audit.verify().ok


def test_audit_verify_intact_log_exits_zero():
    _records(4)
    code, out = _audit_verify()
    assert code == 0
    assert "已校验 4 条记录" in out


def test_audit_verify_names_altered_record():
    _records(5)
    _dba_disables_trigger()
    AuditRecord.objects.filter(seq=3).update(message="changed")
    code, out = _audit_verify()
    assert code == 1
    assert "第一条损坏记录：#3" in out


def test_audit_verify_names_deleted_record():
    _records(5)
    _dba_disables_trigger()
    AuditRecord.objects.filter(seq=2).delete()
    code, out = _audit_verify()
    assert code == 1
    assert "第一条损坏记录：#2" in out


def test_audit_verify_finds_deleted_newest_record():
    _records(3)
    _dba_disables_trigger()
    AuditRecord.objects.filter(seq=3).delete()
    code, out = _audit_verify()
    assert code == 1
    assert "第一条损坏记录：#3" in out


def test_audit_verify_finds_altered_old_value():
    _records(3)
    _dba_disables_trigger()
    AuditRecord.objects.filter(seq=1).update(new={"i": 99})
    code, out = _audit_verify()
    assert code == 1
    assert "#1" in out


def test_flush_can_still_empty_the_whole_database(transactional_db):
    # Test teardown and reinstall use `manage.py flush`; it passes the SQLite delete trigger.
    _records(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditRecord.objects.count() == 0
    _records(1)
    with pytest.raises(DatabaseError):
        AuditRecord.objects.all().delete()


def _dba_disables_head_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditchainhead_forward_only")
            cursor.execute("DROP TRIGGER core_auditchainhead_no_delete")
        else:
            cursor.execute("ALTER TABLE core_auditchainhead DISABLE TRIGGER core_auditchainhead_forward_only")


def test_a_chain_rebuilt_without_the_key_does_not_verify():
    """Someone with write access to the database but not to TONGBAN_AUDIT_KEY changes a record
    and recomputes every hash after it with plain SHA-256: the HMAC chain still catches it."""
    import hashlib

    _records(4)
    _dba_disables_trigger()
    _dba_disables_head_trigger()
    prev = audit.GENESIS
    for rec in AuditRecord.objects.order_by("seq"):
        if rec.seq == 2:
            rec.message = "rewritten"
        text = audit.canonical(
            seq=rec.seq, at=rec.at, event=rec.event, actor_id=rec.actor_id, actor_name=rec.actor_name,
            ip=rec.ip, unit_id=rec.unit_id, object_type=rec.object_type, object_id=rec.object_id,
            object_repr=rec.object_repr, old=rec.old, new=rec.new, message=rec.message, success=rec.success,
        )  # fmt: skip
        rec.prev_hash, rec.hash = prev, hashlib.sha256((prev + text).encode()).hexdigest()
        AuditRecord.objects.filter(pk=rec.pk).update(
            message=rec.message, prev_hash=rec.prev_hash, hash=rec.hash
        )
        prev = rec.hash
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == 1


def test_the_chain_head_only_moves_forward_and_cannot_be_deleted():
    from tongban.core.models import AuditChainHead

    _records(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(id=1).update(seq=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(id=1).delete()
    assert AuditChainHead.objects.get(id=1).seq == 3
    assert audit.verify().ok


def test_deleting_the_newest_records_and_the_head_is_found():
    from tongban.core.models import AuditChainHead

    _records(4)
    _dba_disables_trigger()
    _dba_disables_head_trigger()
    AuditRecord.objects.filter(seq=4).delete()
    AuditChainHead.objects.filter(id=1).delete()
    result = audit.verify()
    assert not result.ok and "链头" in result.reason


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_insert_or_replace_cannot_overwrite_a_record():
    _records(2)
    rec = AuditRecord.objects.get(seq=2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO core_auditrecord (id, seq, at, event, actor_name, object_type, object_id,"
            " object_repr, message, success, prev_hash, hash) SELECT id, seq, at, event, actor_name, object_type,"
            " object_id, object_repr, 'replaced', success, prev_hash, hash FROM core_auditrecord WHERE id = %s",
            [rec.pk],
        )
    assert AuditRecord.objects.get(seq=2).message == rec.message


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.5", "10.0.0.5"),  # no proxy: a client-written header is ignored
        (1, "6.6.6.6, 203.0.113.7", "127.0.0.1", "203.0.113.7"),  # nginx appended the real client
        (1, "", "127.0.0.1", "127.0.0.1"),
        (1, "not-an-ip", "127.0.0.1", "127.0.0.1"),
        (2, "203.0.113.7, 10.0.0.2", "127.0.0.1", "203.0.113.7"),
    ],
)
def test_client_ip_behind_trusted_proxies(settings, rf, proxies, forwarded, remote, expected):
    settings.TONGBAN_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert audit.client_ip(request) == expected
