"""Bulk imports of creator rosters and metrics files.

1. `import_create` stores the upload and queues the check (a Celery task).
2. `import_validate` (the task) parses the file, checks every row and stages the rows: COPY into the
   staging table on PostgreSQL, batched inserts elsewhere, progress saved after every batch. Checks
   that need the whole file or the database (duplicates, creators bound elsewhere, unknown
   accounts) run as SQL over the staged rows. Nothing outside the staging table is written: this
   is the dry run. A worker killed here simply starts the check again.
3. `import_commit` (after the person confirms) writes everything in ONE transaction with set-based
   INSERT ... SELECT statements: all or nothing, and importing the same file again changes nothing.

Row errors are stored as codes and rendered in the reader's language (`row_error_message`).
"""

import logging
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creators.models import (
    Creator,
    CreatorImportRow,
    ImportJob,
    ImportKind,
    ImportStatus,
    MetricImportRow,
)
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.models import Category
from portal.core.queue import enqueue
from portal.core.tabular import TableError, read_table

from .import_rows import (
    METRIC_COLUMNS,
    ROSTER_COLUMNS,
    RowError,
    parse_metric_row,
    parse_roster_row,
    row_error_message,
)
from .metrics import UPSERT_CONFLICT, recompute

__all__ = [
    "METRIC_COLUMNS",
    "ROSTER_COLUMNS",
    "RowError",
    "import_commit",
    "import_confirm",
    "import_create",
    "import_discard",
    "import_fail",
    "import_validate",
    "parse_metric_row",
    "parse_roster_row",
    "row_error_message",
]
logger = logging.getLogger(__name__)

ROSTER_MAX_ROWS = 100_000
ROSTER_MAX_BYTES = 30 * 1024 * 1024
METRICS_MAX_ROWS = 1_000_000
METRICS_MAX_BYTES = 200 * 1024 * 1024
BATCH = 2_000


# The row error of a roster row whose start falls inside an earlier binding of its creator, with
# the day that binding ended: the earliest day the new one may start.
PREVIOUS_BINDING_ERROR = """'previous_binding|' || COALESCE(CAST((
    SELECT MAX(b.ended_on) FROM creators_creator c JOIN creators_binding b ON b.creator_id = c.id
    WHERE c.platform_account_id = {table}.platform_account_id) AS varchar(10)), '')"""


def _categories() -> dict[str, int]:
    lookup = {}
    for category in Category.objects.filter(is_active=True):
        for key in (category.code, category.name_zh, category.name_en):
            lookup[key.strip().lower()] = category.pk
    return lookup


# --- the job ------------------------------------------------------------------------------------


@transaction.atomic
def import_create(*, actor, kind: str, upload, organization=None) -> ImportJob:
    """Store an uploaded file and queue its check. Nothing is imported yet."""
    if kind == ImportKind.CREATORS:
        authorize(actor, "creator.import", organization)
        limit = ROSTER_MAX_BYTES
    else:
        authorize(actor, "metrics.import")
        limit = METRICS_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": limit // 1024 // 1024}}
        )
    job = ImportJob(
        kind=kind,
        organization=organization,
        file_name=upload.name[:200],
        created_by=actor,
    )
    job.file.save(f"{kind}.upload", upload, save=False)
    job.save()
    enqueue("creators.tasks.validate_import", job_id=job.pk)
    return job


def _rows(job: ImportJob) -> Iterator[tuple[int, dict[str, str]]]:
    columns, max_rows, max_bytes = (
        (ROSTER_COLUMNS, ROSTER_MAX_ROWS, ROSTER_MAX_BYTES)
        if job.kind == ImportKind.CREATORS
        else (METRIC_COLUMNS, METRICS_MAX_ROWS, METRICS_MAX_BYTES)
    )
    with job.file.open("rb") as handle:
        yield from read_table(handle, columns, max_rows=max_rows, max_bytes=max_bytes)


class _Discarded(Exception):
    """The person discarded the job while it was being checked."""


def import_validate(*, job_id: int) -> ImportJob | None:
    """The dry run: parse, check and stage every row, saving progress as it goes. A problem with
    the file as a whole ends the job as failed with the reason; anything unexpected propagates
    to the task, which retries or ends the job as failed (`import_fail`)."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING]
    ).update(status=ImportStatus.VALIDATING, processed_rows=0, error_rows=0, failure="")
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    staging = CreatorImportRow if job.kind == ImportKind.CREATORS else MetricImportRow
    staging.objects.filter(job=job).delete()  # a restarted check starts clean
    validating = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING)
    try:
        with translation.override(job.created_by.language):
            validating.update(total_rows=_estimated_rows(job))
            categories = _categories() if job.kind == ImportKind.CREATORS else {}
            batch, done = [], 0
            for row_number, values in _rows(job):
                batch.append(_stage_values(job, row_number, values, categories))
                if len(batch) >= BATCH:
                    done += _stage(staging, batch)
                    batch = []
                    if not validating.update(processed_rows=done):
                        raise _Discarded
            done += _stage(staging, batch)
    except TableError as error:
        with translation.override(job.created_by.language):
            failure = " ".join(str(message) for message in error.messages)
        validating.update(status=ImportStatus.FAILED, failure=failure, finished_at=timezone.now())
        return ImportJob.objects.get(pk=job.pk)
    except _Discarded:
        staging.objects.filter(job=job).delete()
        return ImportJob.objects.get(pk=job.pk)
    summary = _check_roster(job) if job.kind == ImportKind.CREATORS else _check_metrics(job)
    errors = staging.objects.filter(job=job).exclude(error="").count()
    checked = validating.update(
        status=ImportStatus.VALIDATED,
        processed_rows=done,
        total_rows=done,
        error_rows=errors,
        summary=summary,
    )
    if not checked:  # discarded after the last batch
        staging.objects.filter(job=job).delete()
    return ImportJob.objects.get(pk=job.pk)


FAILURES = {
    "time_limit": gettext_lazy(
        "Checking this file took too long and was stopped. Split it into smaller files, or save "
        "it as CSV, and upload it again."
    ),
    "unreadable": gettext_lazy(
        "The file could not be read to the end. Upload it again; if this happens again, save it "
        "as CSV."
    ),
    "unexpected": gettext_lazy(
        "The file could not be processed because of an error on our side; nothing was imported. "
        "Discard it and upload it again, or contact the program operators."
    ),
}


def import_fail(*, job_id: int, reason: str) -> bool:
    """End a job that cannot finish (its task failed for good) as failed, with the reason in its
    uploader's language, so that the page stops waiting and the job can be discarded. Staged rows
    are removed; a commit that failed has rolled back, so nothing was imported."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return False
    with translation.override(job.created_by.language):
        failure = str(FAILURES.get(reason, FAILURES["unexpected"]))
    with transaction.atomic():
        ended = ImportJob.objects.filter(
            pk=job_id,
            status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING],
        ).update(status=ImportStatus.FAILED, failure=failure, finished_at=timezone.now())
        if ended:
            CreatorImportRow.objects.filter(job_id=job_id).delete()
            MetricImportRow.objects.filter(job_id=job_id).delete()
    return bool(ended)


def _estimated_rows(job: ImportJob) -> int:
    """How many rows to expect, for the progress bar: the line count of a CSV (a quoted line
    break may make it a little high), or a count of the rows of a workbook."""
    with job.file.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if head != b"PK\x03\x04":
            return max(
                0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1
            )
    return sum(1 for _row in _rows(job))


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


@transaction.atomic
def import_confirm(*, actor, job: ImportJob, skip_errors: bool) -> ImportJob:
    """The person saw the dry run and wants the rows written: queue the commit."""
    if job.kind == ImportKind.CREATORS:
        authorize(actor, "creator.import", job.organization)
    else:
        authorize(actor, "metrics.import")
    if job.error_rows and not skip_errors:
        raise ValidationError(
            _("Fix the rows with errors and upload the file again, or choose to skip them.")
        )
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.IMPORTING, skip_errors=skip_errors
    )
    if not claimed:
        raise ValidationError(_("This file is not waiting for confirmation."))
    enqueue("creators.tasks.commit_import", job_id=job.pk)
    job.refresh_from_db()
    return job


DISCARDABLE = (
    ImportStatus.QUEUED,
    ImportStatus.VALIDATING,
    ImportStatus.VALIDATED,
    ImportStatus.FAILED,
)


@transaction.atomic
def import_discard(*, actor, job: ImportJob) -> bool:
    """Drop a job that is waiting, being checked, checked or failed: nothing is imported. A check
    still running notices at its next batch and stops. Returns False when the job was already
    imported, being imported, or discarded."""
    if job.kind == ImportKind.CREATORS:
        authorize(actor, "creator.import", job.organization)
    else:
        authorize(actor, "metrics.import")
    discarded = ImportJob.objects.filter(pk=job.pk, status__in=DISCARDABLE).update(
        status=ImportStatus.DISCARDED, finished_at=timezone.now()
    )
    if discarded:
        CreatorImportRow.objects.filter(job=job).delete()
        MetricImportRow.objects.filter(job=job).delete()
    return bool(discarded)


def import_commit(*, job_id: int) -> ImportJob | None:
    """Write the checked rows in one transaction, set-based. Safe to run twice."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).first()
    if job is None:
        return None
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.IMPORTING:
            return locked
        if job.kind == ImportKind.CREATORS:
            result = _commit_roster(job)
            action = "creators.import"
        else:
            result = _commit_metrics(job)
            action = "metrics.import"
        summary = {**job.summary, **result}
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, summary=summary, finished_at=timezone.now()
        )
        audit_record(
            actor=job.created_by,
            action=action,
            obj=job.organization,
            organization=job.organization,
            after={"job": job.pk, "file": job.file_name, **result},
        )
    return ImportJob.objects.get(pk=job.pk)


def _commit_roster(job: ImportJob) -> dict:
    table = CreatorImportRow._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO creators_creator
                (platform_account_id, display_name, primary_category_id, follower_count,
                 real_name_verified, stage, avatar, plays_30d, valid_plays_30d, gmv_30d,
                 created_at, updated_at)
            SELECT platform_account_id, display_name, category_id, COALESCE(follower_count, 0),
                   real_name_verified, 'none', '', 0, 0, 0, %s, %s
            FROM {table} WHERE job_id = %s AND error = '' AND outcome = 'create'
            ON CONFLICT (platform_account_id) DO NOTHING
            """,  # noqa: S608
            [now, now, job.pk],
        )
        created = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO creators_creator_secondary_categories (creator_id, category_id)
            SELECT c.id, cat.id FROM {table} s
            JOIN creators_creator c ON c.platform_account_id = s.platform_account_id
            JOIN {Category._meta.db_table} cat
              ON (',' || s.secondary_category_ids || ',') LIKE ('%%,' || CAST(cat.id AS varchar(12)) || ',%%')
            WHERE s.job_id = %s AND s.error = '' AND s.outcome = 'create'
              AND s.secondary_category_ids <> ''
            ON CONFLICT DO NOTHING
            """,  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO creators_binding
                (creator_id, organization_id, source, started_on, end_reason, created_by_id,
                 created_at)
            SELECT c.id, %s, s.source, s.started_on, '', %s, %s FROM {table} s
            JOIN creators_creator c ON c.platform_account_id = s.platform_account_id
            WHERE s.job_id = %s AND s.error = '' AND s.outcome IN ('create', 'bind')
              AND NOT EXISTS (SELECT 1 FROM creators_binding b
                              WHERE b.creator_id = c.id
                                AND (b.ended_on IS NULL OR b.ended_on > s.started_on))
            ON CONFLICT DO NOTHING
            """,  # noqa: S608
            [job.organization_id, job.created_by_id, now, job.pk],
        )
        bound = cursor.rowcount
        # A creator bound elsewhere between the check and now was not bound: report it.
        cursor.execute(
            f"""
            UPDATE {table} SET error = 'bound_elsewhere'
            WHERE job_id = %s AND error = '' AND outcome IN ('create', 'bind') AND EXISTS (
                SELECT 1 FROM creators_creator c JOIN creators_binding b
                ON b.creator_id = c.id AND b.ended_on IS NULL
                WHERE c.platform_account_id = {table}.platform_account_id
                  AND b.organization_id <> %s)
            """,  # noqa: S608
            [job.pk, job.organization_id],
        )
        late = cursor.rowcount
        # Another binding of the creator, made since the check, shares days with this period.
        cursor.execute(
            f"""
            UPDATE {table} SET error = {PREVIOUS_BINDING_ERROR.format(table=table)}
            WHERE job_id = %s AND error = '' AND outcome IN ('create', 'bind') AND NOT EXISTS (
                SELECT 1 FROM creators_creator c JOIN creators_binding b ON b.creator_id = c.id
                WHERE c.platform_account_id = {table}.platform_account_id
                  AND b.organization_id = %s AND b.ended_on IS NULL
                  AND b.started_on = {table}.started_on)
            """,  # noqa: S608
            [job.pk, job.organization_id],
        )
        late += cursor.rowcount
    return {"created": created, "bound": bound, "late_conflicts": late}


def _commit_metrics(job: ImportJob) -> dict:
    table = MetricImportRow._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The same order as a metrics batch from the API (`metrics_upsert`): the creators'
            # rows locked in id order before any metric row is written, then the rows written in
            # (creator, day) order, so an import and overlapping batches queue behind each other
            # instead of deadlocking (the load test's metric POSTs answered 500 during imports).
            cursor.execute(
                f"""
                SELECT count(*) FROM (
                    SELECT c.id FROM {Creator._meta.db_table} c
                    WHERE c.id IN (SELECT creator_id FROM {table} WHERE job_id = %s AND error = '')
                    ORDER BY c.id FOR UPDATE OF c
                ) locked
                """,  # noqa: S608
                [job.pk],
            )
        cursor.execute(
            f"""
            INSERT INTO creators_dailymetric
                (creator_id, date, plays, valid_plays, counted_valid_plays, new_followers,
                 videos_published, original_videos, gmv, orders, commission, interactions, flag,
                 flag_review_note, received_at)
            SELECT creator_id, date, plays, valid_plays, valid_plays, new_followers,
                   videos_published, original_videos, gmv, orders, commission, interactions,
                   'none', '', %s
            FROM {table} WHERE job_id = %s AND error = ''
            ORDER BY creator_id, date
            """  # noqa: S608
            + UPSERT_CONFLICT,
            [now, job.pk],
        )
        written = cursor.rowcount
    spans = (
        MetricImportRow.objects.filter(job=job, error="")
        .values("creator_id")
        .annotate(low=Min("date"), high=Max("date"))
    )
    recompute({row["creator_id"]: (row["low"], row["high"]) for row in spans})
    return {"written": written}
