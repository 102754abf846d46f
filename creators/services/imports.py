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

import datetime
import functools
import re
import time
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import (
    BindingSource,
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
from portal.core.tabular import Column, TableError, read_table

from .metrics import UPSERT_CONFLICT, recompute

ROSTER_MAX_ROWS = 100_000
ROSTER_MAX_BYTES = 30 * 1024 * 1024
METRICS_MAX_ROWS = 1_000_000
METRICS_MAX_BYTES = 200 * 1024 * 1024
BATCH = 2_000

ROSTER_COLUMNS = [
    Column("platform_account_id", ("平台账号ID", "账号ID", "platform account id", "account id")),
    Column("display_name", ("昵称", "达人昵称", "display name", "name")),
    Column("primary_category", ("主类目", "主创作领域", "primary category", "category")),
    Column("secondary_categories", ("其他类目", "secondary categories"), required=False),
    Column("follower_count", ("粉丝数", "followers", "follower count"), required=False),
    Column("real_name_verified", ("实名认证", "real-name verified", "verified"), required=False),
    Column("started_on", ("绑定日期", "start date", "bound on"), required=False),
    Column("source", ("来源", "source"), required=False),
]
METRIC_COLUMNS = [
    Column("platform_account_id", ("平台账号ID", "账号ID", "platform account id", "account id")),
    Column("date", ("日期", "date")),
    Column("plays", ("播放量", "plays")),
    Column("valid_plays", ("有效播放量", "valid plays")),
    Column("new_followers", ("新增粉丝", "new followers"), required=False),
    Column("videos_published", ("发布视频数", "videos published"), required=False),
    Column("original_videos", ("原创视频数", "original videos"), required=False),
    Column("gmv", ("成交额", "GMV"), required=False),
    Column("orders", ("订单数", "orders"), required=False),
    Column("commission", ("佣金", "commission"), required=False),
    Column("interactions", ("互动数", "interactions"), required=False),
]
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.\-]{4,64}$")
TRUE = {"1", "true", "yes", "y", "是", "已认证", "已实名", "√"}
FALSE = {"", "0", "false", "no", "n", "否", "未认证", "未实名"}
SOURCES = {
    "": BindingSource.RECRUITED,
    "recruited": BindingSource.RECRUITED,
    "new": BindingSource.RECRUITED,
    "新招募": BindingSource.RECRUITED,
    "招募": BindingSource.RECRUITED,
    "transferred": BindingSource.TRANSFERRED,
    "transfer": BindingSource.TRANSFERRED,
    "转入": BindingSource.TRANSFERRED,
}


class RowError(Exception):
    def __init__(self, code: str, param: str = ""):
        super().__init__(code)
        self.code = f"{code}|{param}" if param else code


def row_error_message(code: str) -> str:
    """The reader's-language sentence for a stored row error code."""
    name, _sep, param = code.partition("|")
    messages = {
        "account": _("The platform account id must be 4 to 64 letters, digits, “_”, “-” or “.”."),
        "name": _("Enter the creator's display name (at most 100 characters)."),
        "category": _(
            "Unknown category “%(value)s”; use a name from the template's category list."
        ),
        "number": _("“%(value)s” is not a whole number of at least 0."),
        "money": _("“%(value)s” is not an amount in CNY with at most two decimals."),
        "bool": _("“%(value)s” is not yes or no."),
        "date": _("“%(value)s” is not a date such as 2026-11-03."),
        "future": _("The date %(value)s is in the future."),
        "source": _("Unknown source “%(value)s”; use recruited or transferred."),
        "duplicate": _("The same account appears earlier in the file, on row %(value)s."),
        "bound_elsewhere": _(
            "This creator is bound to another organization. Request a transfer or open a "
            "dispute from Claim a creator."
        ),
        "unknown_creator": _("No creator has this platform account id."),
        "originals": _("Original videos cannot exceed videos published."),
        "valid_plays": _("Valid plays cannot exceed plays."),
        "duplicate_day": _(
            "The same account and date appear earlier in the file, on row %(value)s."
        ),
    }
    return messages.get(name, name) % {"value": param}


# --- parsing one row (shape only) ---------------------------------------------------------------


def _categories() -> dict[str, int]:
    lookup = {}
    for category in Category.objects.filter(is_active=True):
        for key in (category.code, category.name_zh, category.name_en):
            lookup[key.strip().lower()] = category.pk
    return lookup


def _whole(text: str, *, negative=False) -> int:
    if text.isdigit():  # the common case, a million times per metrics file
        return int(text)
    cleaned = text.replace(",", "").replace(" ", "")
    if cleaned == "":
        return 0
    try:
        value = int(Decimal(cleaned))
        if Decimal(cleaned) != value or (value < 0 and not negative):
            raise ValueError
    except (InvalidOperation, ValueError):
        raise RowError("number", text) from None
    return value


def _money(text: str) -> Decimal:
    if text.isdigit():
        return Decimal(text)
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    if cleaned == "":
        return Decimal("0")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError("money", text) from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise RowError("money", text)
    return value


def _date(text: str, *, default: datetime.date | None = None) -> datetime.date | None:
    if text == "":
        if default is None:
            raise RowError("date", text)
        return default
    try:
        value = datetime.date.fromisoformat(text)  # the common case
    except ValueError:
        value = _loose_date(text)
    if value > _today():
        raise RowError("future", value.isoformat())
    return value


def _today() -> datetime.date:
    # Asked once per row of files with a million rows: remember the answer for a minute.
    return _today_in_minute(int(time.time() // 60))


@functools.lru_cache(maxsize=1)
def _today_in_minute(_minute: int) -> datetime.date:
    return timezone.localdate()


def _loose_date(text: str) -> datetime.date:
    """2026/11/3, 2026.11.03, 2026年11月3日, with or without a time after it."""
    cleaned = text.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    cleaned = cleaned.replace("日", "").split(" ")[0].split("T")[0]
    try:
        year, month, day = (int(part) for part in cleaned.split("-"))
        return datetime.date(year, month, day)
    except ValueError:
        raise RowError("date", text) from None


def parse_roster_row(values: dict[str, str], categories: dict[str, int]) -> dict:
    account = values["platform_account_id"]
    if not ACCOUNT_ID.match(account):
        raise RowError("account")
    name = values["display_name"]
    if not name or len(name) > 100:
        raise RowError("name")
    category = categories.get(values["primary_category"].lower())
    if category is None:
        raise RowError("category", values["primary_category"])
    secondary = []
    for item in re.split(r"[;；,，、/|]", values.get("secondary_categories", "")):
        if item.strip():
            found = categories.get(item.strip().lower())
            if found is None:
                raise RowError("category", item.strip())
            if found != category:
                secondary.append(found)
    verified = values.get("real_name_verified", "").lower()
    if verified not in TRUE | FALSE:
        raise RowError("bool", values["real_name_verified"])
    source = SOURCES.get(values.get("source", "").lower())
    if source is None:
        raise RowError("source", values["source"])
    return {
        "platform_account_id": account,
        "display_name": name,
        "category_id": category,
        "secondary_category_ids": ",".join(str(pk) for pk in sorted(set(secondary))),
        "follower_count": _whole(values.get("follower_count", "")),
        "real_name_verified": verified in TRUE,
        "started_on": _date(values.get("started_on", ""), default=timezone.localdate()),
        "source": source,
    }


def parse_metric_row(values: dict[str, str]) -> dict:
    account = values["platform_account_id"]
    if not ACCOUNT_ID.match(account):
        raise RowError("account")
    row = {
        "platform_account_id": account,
        "date": _date(values["date"]),
        "plays": _whole(values["plays"]),
        "valid_plays": _whole(values["valid_plays"]),
        "new_followers": _whole(values.get("new_followers", ""), negative=True),
        "videos_published": _whole(values.get("videos_published", "")),
        "original_videos": _whole(values.get("original_videos", "")),
        "gmv": _money(values.get("gmv", "")),
        "orders": _whole(values.get("orders", "")),
        "commission": _money(values.get("commission", "")),
        "interactions": _whole(values.get("interactions", "")),
    }
    if row["original_videos"] > row["videos_published"]:
        raise RowError("originals")
    if row["valid_plays"] > row["plays"]:
        raise RowError("valid_plays")
    return row


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
    from creators.tasks import validate_import

    enqueue(validate_import, job_id=job.pk)
    return job


def _rows(job: ImportJob) -> Iterator[tuple[int, dict[str, str]]]:
    columns, max_rows, max_bytes = (
        (ROSTER_COLUMNS, ROSTER_MAX_ROWS, ROSTER_MAX_BYTES)
        if job.kind == ImportKind.CREATORS
        else (METRIC_COLUMNS, METRICS_MAX_ROWS, METRICS_MAX_BYTES)
    )
    with job.file.open("rb") as handle:
        yield from read_table(handle, columns, max_rows=max_rows, max_bytes=max_bytes)


def import_validate(job_id: int) -> ImportJob | None:
    """The dry run: parse, check and stage every row, saving progress as it goes."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING]
    ).update(status=ImportStatus.VALIDATING, processed_rows=0, error_rows=0, failure="")
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    staging = CreatorImportRow if job.kind == ImportKind.CREATORS else MetricImportRow
    staging.objects.filter(job=job).delete()  # a restarted check starts clean
    try:
        ImportJob.objects.filter(pk=job.pk).update(total_rows=_estimated_rows(job))
        categories = _categories() if job.kind == ImportKind.CREATORS else {}
        batch, done = [], 0
        for row_number, values in _rows(job):
            batch.append(_stage_values(job, row_number, values, categories))
            if len(batch) >= BATCH:
                done += _stage(staging, batch)
                batch = []
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)
        done += _stage(staging, batch)
    except TableError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, failure=" ".join(error.messages), finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job.pk)
    summary = _check_roster(job) if job.kind == ImportKind.CREATORS else _check_metrics(job)
    errors = staging.objects.filter(job=job).exclude(error="").count()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATED,
        processed_rows=done,
        total_rows=done,
        error_rows=errors,
        summary=summary,
    )
    return ImportJob.objects.get(pk=job.pk)


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
    from creators.tasks import commit_import

    enqueue(commit_import, job_id=job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def import_discard(*, actor, job: ImportJob) -> None:
    if job.kind == ImportKind.CREATORS:
        authorize(actor, "creator.import", job.organization)
    else:
        authorize(actor, "metrics.import")
    ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.VALIDATED, ImportStatus.FAILED]
    ).update(status=ImportStatus.DISCARDED, finished_at=timezone.now())
    CreatorImportRow.objects.filter(job=job).delete()
    MetricImportRow.objects.filter(job=job).delete()


def import_commit(job_id: int) -> ImportJob | None:
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
            JOIN core_category cat
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
                              WHERE b.creator_id = c.id AND b.ended_on IS NULL)
            ON CONFLICT (creator_id) WHERE ended_on IS NULL DO NOTHING
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
    return {"created": created, "bound": bound, "late_conflicts": late}


def _commit_metrics(job: ImportJob) -> dict:
    table = MetricImportRow._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
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
