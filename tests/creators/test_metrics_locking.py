"""Concurrent metric batches that share creators must not deadlock: the load test's partners sent
overlapping 100-row batches at once and PostgreSQL answered "deadlock detected" (500). Each batch
now locks its creators' rows in id order before writing any metric row, and writes in (creator,
day) order, so overlapping batches queue behind each other."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from creators.models import DailyMetric, ImportKind
from creators.services import import_confirm, import_create
from creators.services.metrics import MetricRow, metrics_upsert
from tests.creators.factories import CreatorFactory

pytestmark = pytest.mark.postgres  # SQLite has no row locks (it locks the whole file)


def test_a_batch_locks_its_creators_in_id_order_before_writing(operator):
    creators = [CreatorFactory() for _ in range(3)]
    day = datetime.date(2026, 11, 2)
    rows = [  # the partner's order: not the creators' id order
        MetricRow(platform_account_id=c.platform_account_id, date=day, plays=10, valid_plays=5)
        for c in reversed(creators)
    ]

    with CaptureQueriesContext(connection) as queries:
        metrics_upsert(actor=operator, rows=rows)

    statements = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if "FOR UPDATE" in sql)
    write = next(i for i, sql in enumerate(statements) if "INSERT INTO creators_dailymetric" in sql)
    assert lock < write
    assert "ORDER BY id FOR UPDATE" in statements[lock]
    # The rows are COPYed into a temporary table and upserted from it in (creator, day) order.
    assert "FROM metric_batch ORDER BY creator_id, date" in statements[write]
    assert sorted(DailyMetric.objects.values_list("creator_id", flat=True)) == sorted(
        c.pk for c in creators
    )


def test_a_metrics_file_locks_its_creators_in_id_order_before_writing_and_writes_in_that_order(
    operator, django_capture_on_commit_callbacks
):
    """The import's commit takes the same order as a batch, so the two queue instead of
    deadlocking (the load test's metric POSTs still answered 500 while a file was imported)."""
    creators = [CreatorFactory() for _ in range(3)]
    lines = [f"{c.platform_account_id},2026-11-02,10,5" for c in reversed(creators)]
    text = "平台账号ID,日期,播放量,有效播放量\n" + "\n".join(lines) + "\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_create(
            actor=operator,
            kind=ImportKind.METRICS,
            upload=SimpleUploadedFile("m.csv", text.encode()),
        )
    job.refresh_from_db()

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        import_confirm(actor=operator, job=job, skip_errors=False)

    statements = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if "ORDER BY c.id FOR UPDATE" in sql)
    write = next(i for i, sql in enumerate(statements) if "INSERT INTO creators_dailymetric" in sql)
    assert lock < write
    assert "ORDER BY c.id, s.date" in statements[write]
    assert DailyMetric.objects.count() == 3
