"""The periods of one creator's bindings never overlap, in the database too.

A binding covers the days [started_on, ended_on): the day it ended belongs to the binding that
starts that day, if any. On PostgreSQL an exclusion constraint over (creator, daterange) refuses a
binding that shares a day with another binding of the same creator; it needs the btree_gist
extension (trusted since PostgreSQL 13, so the database owner may create it). SQLite has no
exclusion constraints: there the services' checks (`BindingQuerySet.overlapping`) are the guard.

Bindings that already overlap stop the migration with their ids, rather than being changed
silently: end or correct them (they are the trace of the bug this migration closes), then
migrate again.
"""

from django.db import migrations

CONSTRAINT = "binding_periods_never_overlap"
OVERLAPS = """
SELECT a.id, b.id, a.creator_id FROM creators_binding a
JOIN creators_binding b ON b.creator_id = a.creator_id AND b.id > a.id
WHERE daterange(a.started_on, a.ended_on, '[)') && daterange(b.started_on, b.ended_on, '[)')
ORDER BY a.creator_id, a.id LIMIT 20
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        overlapping = cursor.fetchall()
    if overlapping:
        pairs = ", ".join(f"{a} and {b} (creator {creator})" for a, b, creator in overlapping)
        raise RuntimeError(
            f"These bindings share days with another binding of the same creator: {pairs}. "
            "End or correct them so that each day belongs to one binding, then migrate again."
        )
    schema_editor.execute(
        f"ALTER TABLE creators_binding ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(creator_id WITH =, daterange(started_on, ended_on, '[)') WITH &&)"
    )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The extension stays: other objects of the database may use it.
        schema_editor.execute(f"ALTER TABLE creators_binding DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("creators", "0005_interactions_defaults")]

    operations = [migrations.RunPython(forward, reverse)]
