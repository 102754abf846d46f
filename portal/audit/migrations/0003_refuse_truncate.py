"""The audit log refuses TRUNCATE too (PostgreSQL): a statement-level trigger, since TRUNCATE fires
no row triggers. Row triggers (0002) already refuse UPDATE and DELETE.

Django's test runner empties the tables of the test database with TRUNCATE between tests; the test
settings set `portal.allow_audit_truncate = on` on that database only (tests/conftest.py). Anyone
who can change that setting or drop the trigger owns the table anyway: the guard is against
mistakes and against an application account that does not own the schema.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_entry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('portal.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_no_truncate();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_no_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forward, reverse)]
