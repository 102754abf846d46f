"""The plain path of a metrics batch reads well-formed rows exactly as MetricBatchSerializer does,
and leaves everything else to it (issue #17)."""

import datetime

import pytest
from django.utils import timezone

from creators.api.serializers import MetricBatchSerializer, plain_metric_rows

ROW = {
    "platform_account_id": "dy_1001",
    "date": "2026-11-02",
    "plays": 1200,
    "valid_plays": 1000,
    "new_followers": -3,
    "videos_published": 1,
    "original_videos": 1,
    "gmv": "12.5",
    "orders": 2,
    "commission": "0.25",
    "interactions": 40,
}


def by_serializer(data):
    batch = MetricBatchSerializer(data=data)
    assert batch.is_valid(), batch.errors
    return [dict(row) for row in batch.validated_data["rows"]]


@pytest.mark.parametrize(
    "row",
    [
        ROW,
        {"platform_account_id": "a", "date": "2026-01-31", "plays": 0, "valid_plays": 0},
        {**ROW, "gmv": "99999999999", "extra": "ignored"},
    ],
)
def test_well_formed_rows_read_as_the_serializer_reads_them(row):
    plain = plain_metric_rows({"rows": [row]})
    assert plain == by_serializer({"rows": [row]})
    assert [sorted(r) for r in plain] == [sorted(r) for r in by_serializer({"rows": [row]})]


tomorrow = str(timezone.localdate() + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    "change",
    [
        {"plays": "1200"},  # a digit string: the serializer accepts it
        {"gmv": 12.5},  # a JSON number for an amount: the serializer accepts it
        {"platform_account_id": " dy_1001 "},  # the serializer trims it
        {"plays": True},
        {"plays": -1},
        {"plays": 10**13},
        {"gmv": "-1"},
        {"gmv": "1.005"},
        {"gmv": "1e3"},
        {"date": tomorrow},
        {"date": "1999-12-31"},
        {"date": "2026-02-30"},
        {"date": "20261102"},
        {"platform_account_id": ""},
        {"platform_account_id": "x" * 65},
        {"platform_account_id": "a\x00b"},
        {"valid_plays": None},
    ],
)
def test_anything_else_goes_to_the_serializer(change):
    assert plain_metric_rows({"rows": [ROW, {**ROW, **change}]}) is None


def test_a_missing_required_figure_or_a_bad_batch_goes_to_the_serializer():
    row = dict(ROW)
    del row["plays"]
    assert plain_metric_rows({"rows": [row]}) is None
    assert plain_metric_rows({"rows": []}) is None
    assert plain_metric_rows({"rows": [ROW] * 5001}) is None
    assert plain_metric_rows({"rows": "no"}) is None
    assert plain_metric_rows([ROW]) is None
