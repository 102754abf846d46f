"""Make the audit log append-only in the database too, not only in the model.

PostgreSQL refuses UPDATE and DELETE of an audit row. SQLite refuses UPDATE; DELETE stays possible
there because Django's test flush empties tables with DELETE (PostgreSQL's flush uses TRUNCATE, which
row triggers do not see).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_entry_no_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE refused)');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_entry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, params=None)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
