"""Roster search by name on PostgreSQL: the pg_trgm extension and a trigram index on the name as
the search compares it (`display_name__icontains` is `UPPER(display_name) LIKE UPPER('%…%')`), so
a search of a million creators reads the index instead of every row; with the account id's unique
index the search's `name OR account id` is a BitmapOr of two index scans. SQLite (development,
tests) has neither and keeps scanning, which is fine at its sizes."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS creator_name_trgm_idx ON creators_creator "
    "USING gin (UPPER(display_name) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS creator_name_trgm_idx"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("creators", "0007_import_kinds_for_videos")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
