"""Make the audit log append-only in the database itself (GB/T 22239-2019 8.1.4.3 d: audit
records are protected against unexpected deletion, modification or overwriting).

Triggers refuse UPDATE and DELETE on core_auditrecord, so neither the application nor a stray
query can alter the log; only a database administrator who drops the trigger can, and then
``manage.py audit_verify`` names the first broken record.

SQLite: the DELETE trigger consults ``tongban_audit_guard()``, a function every Tongban
connection registers (tongban.core.dbguard); it answers 0 only while ``manage.py flush`` wipes
the whole database (test teardown, reinstall). Outside Tongban the function does not exist, so the
trigger fails closed. PostgreSQL: row triggers; TRUNCATE (flush) needs the TRUNCATE privilege,
which production revokes from the application role."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'core_auditrecord is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       WHEN tongban_audit_guard()
       BEGIN SELECT RAISE(ABORT, 'core_auditrecord is append-only: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'core_auditrecord is append-only: % refused', TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END;
       $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
       FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"no append-only audit trigger for database vendor {schema_editor.connection.vendor!r}"
            )
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_calendar_heartbeat_lease")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
