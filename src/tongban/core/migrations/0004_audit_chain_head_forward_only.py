"""The audit chain's head row only moves forward, one record at a time, and is never deleted
(GB/T 22239-2019 8.1.4.3 d). Without this, deleting the newest records together with the head row
would leave a chain that still verifies. As in 0003, the SQLite delete trigger lets a whole-database
flush through (tongban_audit_guard), and PostgreSQL's TRUNCATE is governed by privileges."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
       WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
       BEGIN SELECT RAISE(ABORT, 'core_auditchainhead only moves forward by one'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
       WHEN tongban_audit_guard()
       BEGIN SELECT RAISE(ABORT, 'core_auditchainhead: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete;",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_auditchainhead_forward_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'core_auditchainhead: DELETE refused'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
           RAISE EXCEPTION 'core_auditchainhead only moves forward by one'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END;
       $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE OR DELETE ON core_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION core_auditchainhead_forward_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead;",
    "DROP FUNCTION IF EXISTS core_auditchainhead_forward_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"no audit chain-head trigger for database vendor {schema_editor.connection.vendor!r}"
            )
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only_triggers")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
