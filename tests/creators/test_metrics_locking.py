"""Concurrent metric batches that share creators must not deadlock: the load test's partners sent
overlapping 100-row batches at once and PostgreSQL answered "deadlock detected" (500). Each batch
now locks its creators' rows in id order before writing any metric row, and writes in (creator,
day) order, so overlapping batches queue behind each other."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from creators.services.metrics import MetricRow, metrics_upsert
from tests.creators.factories import CreatorFactory


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
    assert "ORDER BY 1 ASC FOR UPDATE" in statements[lock]  # by id
    written = statements[write]
    ids = sorted(c.pk for c in creators)
    positions = [written.index(f"({pk}, ") for pk in ids]
    assert positions == sorted(positions), "rows written in creator order"
