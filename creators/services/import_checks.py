"""Staging and checking an import file's rows (the dry run's second half, creators/services/imports.py):
the parsed rows are COPYed into the staging table, then checked set-based against each other and
against the portal (duplicates, unknown creators, bindings of other organizations, overlaps).
Nothing outside the staging tables is written here."""

from django.db import connection
from django.db.models import Count, Max, Min

from creators.models import CreatorImportRow, ImportJob, ImportKind, MetricImportRow

from .import_rows import RowError, parse_metric_row, parse_roster_row

BATCH = 2_000


PREVIOUS_BINDING_ERROR = """'previous_binding|' || COALESCE(CAST((
    SELECT MAX(b.ended_on) FROM creators_creator c JOIN creators_binding b ON b.creator_id = c.id
    WHERE c.platform_account_id = {table}.platform_account_id) AS varchar(10)), '')"""


def _stage_values(job, row_number, values, categories) -> dict:
    parse = parse_roster_row if job.kind == ImportKind.CREATORS else parse_metric_row
    try:
        parsed = parse(values, categories) if job.kind == ImportKind.CREATORS else parse(values)
        parsed["error"] = ""
    except RowError as error:
        parsed = {
            "platform_account_id": values.get("platform_account_id", "")[:64],
            "error": error.code,
        }
    parsed.update(job_id=job.pk, row_number=row_number)
    return parsed


def _stage(model, rows: list[dict]) -> int:
    """Write staged rows: COPY on PostgreSQL, batched INSERTs elsewhere."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        defaults = {f.attname: f.get_default() for f in fields}
        columns = ", ".join(f.column for f in fields)
        with (
            connection.cursor() as cursor,
            # psycopg's own COPY is not behind Django's wrapper: a lost connection must still
            # be Django's OperationalError (which the task retries), and mark the connection bad.
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])
    else:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
    return len(rows)


def _check_roster(job: ImportJob) -> dict:
    """Whole-file and database checks, in SQL over the staged rows."""
    table = CreatorImportRow._meta.db_table
    with connection.cursor() as cursor:
        # The same account twice: later rows point at the first one.
        cursor.execute(
            f"""
            UPDATE {table} SET error = 'duplicate|' || CAST(firsts.first_row AS varchar(12))
            FROM (SELECT platform_account_id, MIN(row_number) AS first_row FROM {table}
                  WHERE job_id = %s AND error = '' GROUP BY platform_account_id
                  HAVING COUNT(*) > 1) AS firsts
            WHERE {table}.job_id = %s AND {table}.error = ''
              AND {table}.platform_account_id = firsts.platform_account_id
              AND {table}.row_number > firsts.first_row
            """,  # noqa: S608 - table names come from our models
            [job.pk, job.pk],
        )
        cursor.execute(
            f"""
            UPDATE {table} SET error = 'bound_elsewhere'
            WHERE job_id = %s AND error = '' AND EXISTS (
                SELECT 1 FROM creators_creator c
                JOIN creators_binding b ON b.creator_id = c.id AND b.ended_on IS NULL
                WHERE c.platform_account_id = {table}.platform_account_id
                  AND b.organization_id <> %s)
            """,  # noqa: S608
            [job.pk, job.organization_id],
        )
        # A creator who left another organization: the new period starts when the last ended.
        cursor.execute(
            f"""
            UPDATE {table} SET error = {PREVIOUS_BINDING_ERROR.format(table=table)}
            WHERE job_id = %s AND error = '' AND EXISTS (
                SELECT 1 FROM creators_creator c JOIN creators_binding b ON b.creator_id = c.id
                WHERE c.platform_account_id = {table}.platform_account_id
                  AND b.ended_on > {table}.started_on)
              AND NOT EXISTS (
                SELECT 1 FROM creators_creator c JOIN creators_binding b ON b.creator_id = c.id
                WHERE c.platform_account_id = {table}.platform_account_id
                  AND b.ended_on IS NULL)
            """,  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"""
            UPDATE {table} SET outcome = CASE
                WHEN EXISTS (SELECT 1 FROM creators_creator c JOIN creators_binding b
                             ON b.creator_id = c.id AND b.ended_on IS NULL
                             WHERE c.platform_account_id = {table}.platform_account_id)
                    THEN 'unchanged'
                WHEN EXISTS (SELECT 1 FROM creators_creator c
                             WHERE c.platform_account_id = {table}.platform_account_id)
                    THEN 'bind'
                ELSE 'create' END
            WHERE job_id = %s AND error = ''
            """,  # noqa: S608
            [job.pk],
        )
    counts = dict(
        CreatorImportRow.objects.filter(job=job, error="")
        .values_list("outcome")
        .annotate(n=Count("id"))
    )
    return {
        "create": counts.get("create", 0),
        "bind": counts.get("bind", 0),
        "unchanged": counts.get("unchanged", 0),
    }


def _check_metrics(job: ImportJob) -> dict:
    table = MetricImportRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET creator_id = (
                SELECT c.id FROM creators_creator c
                WHERE c.platform_account_id = {table}.platform_account_id)
            WHERE job_id = %s AND error = ''
            """,  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET error = 'unknown_creator' "  # noqa: S608
            "WHERE job_id = %s AND error = '' AND creator_id IS NULL",
            [job.pk],
        )
        cursor.execute(
            f"""
            UPDATE {table} SET error = 'duplicate_day|' || CAST(firsts.first_row AS varchar(12))
            FROM (SELECT creator_id, date, MIN(row_number) AS first_row FROM {table}
                  WHERE job_id = %s AND error = '' GROUP BY creator_id, date
                  HAVING COUNT(*) > 1) AS firsts
            WHERE {table}.job_id = %s AND {table}.error = ''
              AND {table}.creator_id = firsts.creator_id AND {table}.date = firsts.date
              AND {table}.row_number > firsts.first_row
            """,  # noqa: S608
            [job.pk, job.pk],
        )
    good = MetricImportRow.objects.filter(job=job, error="")
    span = good.aggregate(
        low=Min("date"), high=Max("date"), creators=Count("creator_id", distinct=True)
    )
    return {
        "days": good.count(),
        "creators": span["creators"],
        "from": span["low"].isoformat() if span["low"] else None,
        "to": span["high"].isoformat() if span["high"] else None,
    }
