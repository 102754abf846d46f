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
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creators.models import (
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

from .import_checks import BATCH, _check_metrics, _check_roster, _stage, _stage_values
from .import_rows import (
    METRIC_COLUMNS,
    ROSTER_COLUMNS,
    RowError,
    parse_metric_row,
    parse_roster_row,
    row_error_message,
)
from .import_writes import _commit_metrics, _commit_roster

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


# The row error of a roster row whose start falls inside an earlier binding of its creator, with
# the day that binding ended: the earliest day the new one may start.


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
