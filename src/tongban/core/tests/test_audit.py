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
