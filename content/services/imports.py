"""Videos and video figures from CSV or XLSX files, through the portal's import machinery.

The job is a `creators.ImportJob` (kinds "videos" and "video_days"); the file is read by
`portal.core.tabular.read_table`, every row checked and staged (COPY on PostgreSQL) with progress
saved after each batch: the dry run, which writes nothing else. Checks that need the whole file or
the database run as SQL over the staged rows. On confirmation the rows are written in one
transaction by the same set-based upserts as the API (`videos_upsert`, `video_metrics_upsert`).
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content import parsing
from content.models import ContentType, VideoImportRow, VideoMetricImportRow
from creators.models import Creator, ImportJob, ImportKind, ImportStatus
from creators.services.import_checks import _stage
from creators.services.import_rows import ACCOUNT_ID
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.kit import error_text
from portal.core.models import Category
from portal.core.queue import enqueue
from portal.core.tabular import Column, TableError, read_table

from .ingest import VideoMetricRow, VideoRow, video_metrics_upsert, videos_upsert

KINDS = (ImportKind.VIDEOS, ImportKind.VIDEO_DAYS)
MAX_ROWS = 1_000_000
MAX_BYTES = 300 * 1024 * 1024
BATCH = 2_000
WRITE_CHUNK = 5_000

VIDEO_COLUMNS = [
    Column("video_id", ("视频ID", "video id")),
    Column("platform_account_id", ("平台账号ID", "platform account id", "account id")),
    Column("category", ("创作领域", "creative field", "category")),
    Column("content_type", ("内容类型", "content type", "type")),
    Column("title", ("标题", "title")),
    Column("duration", ("时长（秒）", "duration (seconds)", "duration")),
    Column("published_at", ("发布时间", "published at", "published")),
    Column("declared_original", ("声明原创", "declared original"), required=False),
    Column("products", ("商品", "products", "skus"), required=False),
    Column("fingerprint", ("关键帧指纹", "key-frame hashes", "fingerprint"), required=False),
]
VIDEO_DAY_COLUMNS = [
    Column("video_id", ("视频ID", "video id")),
    Column("date", ("日期", "date")),
    Column("plays", ("播放量", "plays")),
    Column("valid_plays", ("有效播放量", "valid plays")),
    Column("completion_rate", ("完播率", "completion rate"), required=False),
    Column("interactions", ("互动数", "interactions"), required=False),
    Column("gmv", ("成交额", "GMV", "attributed GMV"), required=False),
]


def columns_for(kind: str) -> list[Column]:
    return VIDEO_COLUMNS if kind == ImportKind.VIDEOS else VIDEO_DAY_COLUMNS


@transaction.atomic
def content_import_create(*, actor, kind: str, upload) -> ImportJob:
    authorize(actor, "content.import")
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose videos or video figures.")})
    if upload.size > MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES >> 20}}
        )
    job = ImportJob(kind=kind, file_name=upload.name[:200], created_by=actor)
    job.file.save(f"{kind}.upload", upload, save=False)
    job.save()
    enqueue("content.tasks.validate_content_import", job_id=job.pk)
    return job


def _lookup(model, fields=("code", "name_zh", "name_en")) -> dict[str, int]:
    found = {}
    for row in model.objects.filter(is_active=True).values("pk", *fields):
        for name in fields:
            found[str(row[name]).strip().lower()] = row["pk"]
    return found


def parse_video_row(values, categories, types) -> dict:
    if not parsing.VIDEO_ID.match(values["video_id"]):
        raise parsing.RowError("video_id")
    if not ACCOUNT_ID.fullmatch(values["platform_account_id"]):
        raise parsing.RowError("account")
    category = categories.get(values["category"].lower())
    if category is None:
        raise parsing.RowError("category", values["category"])
    content_type = types.get(values["content_type"].lower())
    if content_type is None:
        raise parsing.RowError("type", values["content_type"])
    if not values["title"] or len(values["title"]) > 200:
        raise parsing.RowError("title")
    return {
        "video_id": values["video_id"],
        "platform_account_id": values["platform_account_id"],
        "category_id": category,
        "content_type_id": content_type,
        "title": values["title"],
        "duration_seconds": parsing.whole(values["duration"], code="duration", maximum=86_400),
        "published_at": parsing.moment(values["published_at"]),
        "declared_original": parsing.flag(values.get("declared_original", "")),
        "skus": "\n".join(
            f"{p.sku_id}|{p.name}|{p.category_name}"
            for p in parsing.products(values.get("products", ""))
        ),
        "fingerprint": " ".join(
            format(v & (2**64 - 1), "016x") for v in parsing.frames(values.get("fingerprint", ""))
        ),
    }


def parse_video_day_row(values) -> dict:
    if not parsing.VIDEO_ID.match(values["video_id"]):
        raise parsing.RowError("video_id")
    row = {
        "video_id": values["video_id"],
        "date": parsing.day(values["date"]),
        "plays": parsing.whole(values["plays"]),
        "valid_plays": parsing.whole(values["valid_plays"]),
        "completion_rate": parsing.share(values.get("completion_rate", "")),
        "interactions": parsing.whole(values.get("interactions", "")),
        "gmv": parsing.money(values.get("gmv", "")),
    }
    if row["valid_plays"] > row["plays"]:
        raise parsing.RowError("valid_plays")
    return row


def content_import_validate(*, job_id: int) -> ImportJob | None:
    """The dry run: parse, check and stage every row, saving progress as it goes."""
    claimed = ImportJob.objects.filter(
        pk=job_id, kind__in=KINDS, status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING]
    ).update(status=ImportStatus.VALIDATING, processed_rows=0, error_rows=0, failure="")
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    videos = job.kind == ImportKind.VIDEOS
    staging = VideoImportRow if videos else VideoMetricImportRow
    staging.objects.filter(job=job).delete()
    categories, types = (_lookup(Category), _lookup(ContentType)) if videos else ({}, {})
    done, batch = 0, []
    try:
        with job.file.open("rb") as handle:
            for number, values in read_table(
                handle, columns_for(job.kind), max_rows=MAX_ROWS, max_bytes=MAX_BYTES
            ):
                try:
                    parsed = (
                        parse_video_row(values, categories, types)
                        if videos
                        else parse_video_day_row(values)
                    )
                    parsed["error"] = ""
                except parsing.RowError as error:
                    parsed = {"video_id": values.get("video_id", "")[:64], "error": error.code}
                batch.append({**parsed, "job_id": job.pk, "row_number": number})
                if len(batch) >= BATCH:
                    done += _stage(staging, batch)
                    batch = []
                    ImportJob.objects.filter(pk=job.pk).update(
                        processed_rows=done, total_rows=max(job.total_rows, done + BATCH)
                    )
        done += _stage(staging, batch)
    except TableError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, failure=error_text(error), finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job.pk)
    summary = _check_videos(job) if videos else _check_days(job)
    errors = staging.objects.filter(job=job).exclude(error="").count()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATED,
        processed_rows=done,
        total_rows=done,
        error_rows=errors,
        summary=summary,
    )
    return ImportJob.objects.get(pk=job.pk)


def _duplicates(cursor, table: str, job_id: int, key: str, code: str) -> None:
    cursor.execute(
        f"""
        UPDATE {table} SET error = '{code}|' || CAST(firsts.first_row AS varchar(12))
        FROM (SELECT {key}, MIN(row_number) AS first_row FROM {table}
              WHERE job_id = %s AND error = '' GROUP BY {key} HAVING COUNT(*) > 1) AS firsts
        WHERE {table}.job_id = %s AND {table}.error = ''
          AND {" AND ".join(f"{table}.{k} = firsts.{k}" for k in key.split(", "))}
          AND {table}.row_number > firsts.first_row
        """,  # noqa: S608 - names from our models
        [job_id, job_id],
    )


def _check_videos(job: ImportJob) -> dict:
    table = VideoImportRow._meta.db_table
    with connection.cursor() as cursor:
        _duplicates(cursor, table, job.pk, "video_id", "duplicate")
        cursor.execute(
            f"""UPDATE {table} SET creator_id = (SELECT c.id FROM {Creator._meta.db_table} c
                WHERE c.platform_account_id = {table}.platform_account_id)
                WHERE job_id = %s AND error = ''""",  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET error = 'unknown_creator' "  # noqa: S608
            "WHERE job_id = %s AND error = '' AND creator_id IS NULL",
            [job.pk],
        )
        cursor.execute(
            f"""UPDATE {table} SET error = 'other_creator' WHERE job_id = %s AND error = ''
                AND EXISTS (SELECT 1 FROM content_video v WHERE v.video_id = {table}.video_id
                            AND v.creator_id <> {table}.creator_id)""",  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"""SELECT COUNT(*) FROM {table} s WHERE s.job_id = %s AND s.error = ''
                AND EXISTS (SELECT 1 FROM content_video v WHERE v.video_id = s.video_id)""",  # noqa: S608
            [job.pk],
        )
        existing = cursor.fetchone()[0]
    good = VideoImportRow.objects.filter(job=job, error="").count()
    return {"videos": good, "new": good - existing, "updated": existing}


def _check_days(job: ImportJob) -> dict:
    table = VideoMetricImportRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET video_pk = (SELECT v.id FROM content_video v
                WHERE v.video_id = {table}.video_id) WHERE job_id = %s AND error = ''""",  # noqa: S608
            [job.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET error = 'unknown_video' "  # noqa: S608
            "WHERE job_id = %s AND error = '' AND video_pk IS NULL",
            [job.pk],
        )
        cursor.execute(
            f"""UPDATE {table} SET error = 'before_publication' WHERE job_id = %s AND error = ''
                AND date < (SELECT v.published_on FROM content_video v
                            WHERE v.id = {table}.video_pk)""",  # noqa: S608
            [job.pk],
        )
        _duplicates(cursor, table, job.pk, "video_pk, date", "duplicate_day")
    good = VideoMetricImportRow.objects.filter(job=job, error="")
    return {"days": good.count(), "videos": good.values("video_pk").distinct().count()}


@transaction.atomic
def content_import_confirm(*, actor, job: ImportJob, skip_errors: bool) -> ImportJob:
    authorize(actor, "content.import")
    if job.error_rows and not skip_errors:
        raise ValidationError(
            _("Fix the rows with errors and upload the file again, or choose to skip them.")
        )
    claimed = ImportJob.objects.filter(
        pk=job.pk, kind__in=KINDS, status=ImportStatus.VALIDATED
    ).update(status=ImportStatus.IMPORTING, skip_errors=skip_errors)
    if not claimed:
        raise ValidationError(_("This file is not waiting for confirmation."))
    enqueue("content.tasks.commit_content_import", job_id=job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def content_import_discard(*, actor, job: ImportJob) -> None:
    authorize(actor, "content.import")
    ImportJob.objects.filter(
        pk=job.pk, kind__in=KINDS, status__in=[ImportStatus.VALIDATED, ImportStatus.FAILED]
    ).update(status=ImportStatus.DISCARDED, finished_at=timezone.now())
    VideoImportRow.objects.filter(job=job).delete()
    VideoMetricImportRow.objects.filter(job=job).delete()


def _video_rows(job, categories, types):
    for row in (
        VideoImportRow.objects.filter(job=job, error="")
        .order_by("row_number")
        .iterator(chunk_size=WRITE_CHUNK)
    ):
        yield VideoRow(
            video_id=row.video_id,
            platform_account_id=row.platform_account_id,
            category=categories[row.category_id],
            content_type=types[row.content_type_id],
            title=row.title,
            duration_seconds=row.duration_seconds,
            published_at=row.published_at,
            declared_original=row.declared_original,
            products=parsing.products(row.skus),
            frames=parsing.frames(row.fingerprint),
        )


def _day_rows(job):
    for row in (
        VideoMetricImportRow.objects.filter(job=job, error="")
        .order_by("row_number")
        .iterator(chunk_size=WRITE_CHUNK)
    ):
        yield VideoMetricRow(
            video_id=row.video_id,
            date=row.date,
            plays=row.plays,
            valid_plays=row.valid_plays,
            completion_rate=row.completion_rate,
            interactions=row.interactions,
            gmv=row.gmv,
        )


def content_import_commit(*, job_id: int) -> ImportJob | None:
    """Write the checked rows in one transaction, in chunks of set-based upserts."""
    job = ImportJob.objects.filter(pk=job_id, kind__in=KINDS, status=ImportStatus.IMPORTING).first()
    if job is None:
        return None
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.IMPORTING:
            return locked
        if job.kind == ImportKind.VIDEOS:
            categories = dict(Category.objects.values_list("pk", "code"))
            types = dict(ContentType.objects.values_list("pk", "code"))
            rows, upsert = _video_rows(job, categories, types), videos_upsert
        else:
            rows, upsert = _day_rows(job), video_metrics_upsert
        written = 0
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= WRITE_CHUNK:
                written += _write(upsert, job, chunk)
                chunk = []
        written += _write(upsert, job, chunk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            summary={**job.summary, "written": written},
            finished_at=timezone.now(),
        )
        audit_record(
            actor=job.created_by,
            action="content.import",
            after={"job": job.pk, "file": job.file_name, "kind": job.kind, "written": written},
        )
    return ImportJob.objects.get(pk=job.pk)


def _write(upsert, job, chunk) -> int:
    if not chunk:
        return 0
    result = upsert(actor=job.created_by, rows=chunk, source=f"import {job.pk}")
    return result["received"] - result["rejected"]
