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


def _analyze(table: str, added: int | None = None) -> None:
    """Fresh statistics for a table that just received a file's rows (PostgreSQL). Planned on
    stale ones (an empty table, say), the checks' and the commit's joins ran as nested loops over
    every row for every row: a first 10,000-row roster took over ten minutes to check, and the
    flags of a first 100,000-row metrics file more than three. With `added`, only when the rows
    are a fifth or more of what the statistics know (ANALYZE samples 30,000 rows; it sees the
    rows of its own transaction)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if added is not None:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            known = max(cursor.fetchone()[0], 0)
            if added * 5 < known:
                return
        cursor.execute(f"ANALYZE {table}")


def _check_roster(job: ImportJob) -> dict:
    """Whole-file and database checks, in SQL over the staged rows: one statement that joins the
    file's rows to their creators and bindings once (hash joins) and decides each row's error and
    outcome, in the order of precedence the checks have always had: a repeated account (later
    rows point at the first one), a creator bound to another organization, a start inside an
    earlier binding of a creator bound nowhere now (the new period starts when the last ended);
    then what committing the row does (create, bind or nothing)."""
    table = CreatorImportRow._meta.db_table
    _analyze(table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH staged AS (
                SELECT id, platform_account_id, row_number, started_on,
                       MIN(row_number) OVER (PARTITION BY platform_account_id) AS first_row
                FROM {table} WHERE job_id = %(job)s AND error = ''
            ),
            facts AS (
                SELECT s.id, s.row_number, s.first_row, MAX(c.id) AS creator_id,
                       MAX(CASE WHEN b.id IS NOT NULL AND b.ended_on IS NULL THEN 1 ELSE 0 END)
                           AS active,
                       MAX(CASE WHEN b.ended_on IS NULL AND b.organization_id <> %(org)s
                                THEN 1 ELSE 0 END) AS elsewhere,
                       MAX(CASE WHEN b.ended_on > s.started_on THEN 1 ELSE 0 END) AS overlapping,
                       MAX(b.ended_on) AS last_end
                FROM staged s
                LEFT JOIN creators_creator c ON c.platform_account_id = s.platform_account_id
                LEFT JOIN creators_binding b ON b.creator_id = c.id
                GROUP BY s.id, s.row_number, s.first_row
            ),
            verdict AS (
                SELECT id, active, creator_id, CASE
                    WHEN row_number > first_row
                        THEN 'duplicate|' || CAST(first_row AS varchar(12))
                    WHEN elsewhere = 1 THEN 'bound_elsewhere'
                    WHEN overlapping = 1 AND active = 0
                        THEN 'previous_binding|' || COALESCE(CAST(last_end AS varchar(10)), '')
                    ELSE '' END AS error
                FROM facts
            )
            UPDATE {table} SET error = verdict.error, outcome = CASE
                WHEN verdict.error <> '' THEN {table}.outcome
                WHEN verdict.active = 1 THEN 'unchanged'
                WHEN verdict.creator_id IS NOT NULL THEN 'bind'
                ELSE 'create' END
            FROM verdict WHERE {table}.id = verdict.id
            """,  # noqa: S608 - table names come from our models
            {"job": job.pk, "org": job.organization_id},
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
    """Unknown accounts and repeated (account, day) pairs, in SQL over the staged rows. Only the
    rows in error are updated: the creators are found again by a join when the rows are written,
    so a million-row file is not rewritten here to note each row's creator (one account is one
    creator, so a repeated account and day is a repeated creator and day)."""
    table = MetricImportRow._meta.db_table
    _analyze(table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET error = 'unknown_creator'
            WHERE job_id = %s AND error = '' AND NOT EXISTS (
                SELECT 1 FROM creators_creator c
                WHERE c.platform_account_id = {table}.platform_account_id)
            """,  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"""
            UPDATE {table} SET error = 'duplicate_day|' || CAST(repeated.first_row AS varchar(12))
            FROM (SELECT id, row_number, MIN(row_number) OVER (
                      PARTITION BY platform_account_id, date) AS first_row
                  FROM {table} WHERE job_id = %s AND error = '') AS repeated
            WHERE {table}.id = repeated.id AND repeated.row_number > repeated.first_row
            """,  # noqa: S608
            [job.pk],
        )
    good = MetricImportRow.objects.filter(job=job, error="")
    span = good.aggregate(
        days=Count("id"),
        low=Min("date"),
        high=Max("date"),
        creators=Count("platform_account_id", distinct=True),
    )
    return {
        "days": span["days"],
        "creators": span["creators"],
        "from": span["low"].isoformat() if span["low"] else None,
        "to": span["high"].isoformat() if span["high"] else None,
    }
