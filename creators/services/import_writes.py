"""Writing a checked import (creators/services/imports.py `import_commit`): the staged rows become
creators, bindings and daily metrics in set-based INSERT ... SELECT statements, inside the one
transaction of the commit."""

from django.db import connection
from django.utils import timezone

from creators.models import (
    Binding,
    Creator,
    CreatorImportRow,
    DailyMetric,
    ImportJob,
    MetricImportRow,
)
from portal.core.models import Category

from .consent import consents_open_for_bindings
from .import_checks import PREVIOUS_BINDING_ERROR, _analyze
from .metrics import UPSERT_CONFLICT, recompute_spans


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
        _analyze(Creator._meta.db_table, added=created)
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
        _analyze(Binding._meta.db_table, added=bound)
        # A row the file meant to bind that is not bound to the organization from its day now:
        # a creator bound elsewhere, or another binding of the creator sharing days with this
        # period, made between the check and now. Reported on the row; one anti-join, so the
        # rows that were bound (all of them, normally) cost one index probe each.
        cursor.execute(
            f"""
            UPDATE {table} SET error = CASE
                WHEN EXISTS (
                    SELECT 1 FROM creators_creator c JOIN creators_binding b
                    ON b.creator_id = c.id AND b.ended_on IS NULL
                    WHERE c.platform_account_id = {table}.platform_account_id
                      AND b.organization_id <> %s)
                THEN 'bound_elsewhere'
                ELSE {PREVIOUS_BINDING_ERROR.format(table=table)} END
            WHERE job_id = %s AND error = '' AND outcome IN ('create', 'bind') AND NOT EXISTS (
                SELECT 1 FROM creators_creator c JOIN creators_binding b ON b.creator_id = c.id
                WHERE c.platform_account_id = {table}.platform_account_id
                  AND b.organization_id = %s AND b.ended_on IS NULL
                  AND b.started_on = {table}.started_on)
            """,  # noqa: S608
            [job.organization_id, job.pk, job.organization_id],
        )
        late = cursor.rowcount
    # Every creator bound by the file is asked for their consent (the organization sends the
    # links from its "waiting for consent" list).
    staged = CreatorImportRow.objects.filter(
        job=job, error="", outcome__in=["create", "bind"]
    ).values("platform_account_id")
    asked = consents_open_for_bindings(
        actor=job.created_by,
        bindings=Binding.objects.filter(
            organization_id=job.organization_id,
            ended_on__isnull=True,
            creator__platform_account_id__in=staged,
        ),
    )
    return {"created": created, "bound": bound, "late_conflicts": late, "consents_asked": asked}


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
                    WHERE c.platform_account_id IN (
                        SELECT platform_account_id FROM {table} WHERE job_id = %s AND error = '')
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
            SELECT c.id, s.date, s.plays, s.valid_plays, s.valid_plays, s.new_followers,
                   s.videos_published, s.original_videos, s.gmv, s.orders, s.commission,
                   s.interactions, 'none', '', %s
            FROM {table} s JOIN {Creator._meta.db_table} c
                 ON c.platform_account_id = s.platform_account_id
            WHERE s.job_id = %s AND s.error = ''
            ORDER BY c.id, s.date
            """  # noqa: S608
            + UPSERT_CONFLICT,
            [now, job.pk],
        )
        written = cursor.rowcount
    _analyze(DailyMetric._meta.db_table, added=written)  # the flags' plan depends on it
    recompute_spans(
        f"SELECT c.id AS creator_id, MIN(s.date) AS low, MAX(s.date) AS high "  # noqa: S608
        f"FROM {table} s JOIN {Creator._meta.db_table} c "
        "ON c.platform_account_id = s.platform_account_id "
        "WHERE s.job_id = %s AND s.error = '' GROUP BY c.id",
        [job.pk],
    )
    return {"written": written}
