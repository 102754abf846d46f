"""Hypothesis over every numeric and date field of import files (issue 13): a value the column
cannot hold is a row error, never another exception, and nothing is written; a value it can
hold comes back exactly."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creators.limits import DAY_LIMITS, amount_limits, is_amount, whole_limits
from creators.models import DailyMetric, ImportKind, ImportStatus
from creators.services import import_confirm, import_create
from creators.services.import_rows import (
    METRIC_COLUMNS,
    RowError,
    parse_metric_row,
    parse_roster_row,
)
from tests import strategies

NUMBERS = list(DAY_LIMITS)
BASE = {
    "platform_account_id": "u100000000001",
    "date": "2026-11-01",
    "plays": "10",
    "valid_plays": "0",
    "new_followers": "",
    "videos_published": "",
    "original_videos": "",
    "gmv": "",
    "orders": "",
    "commission": "",
    "interactions": "",
}
GOOD_DAY, BAD_DAY = datetime.date(2026, 11, 1), datetime.date(2026, 11, 2)
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def bad_value(field):
    if is_amount(field):
        _digits, places, high = amount_limits(field)
        return strategies.bad_amount(places, high)
    return strategies.bad_whole(*whole_limits(field))


bad_cells = st.sampled_from(NUMBERS).flatmap(lambda f: st.tuples(st.just(f), bad_value(f)))


@given(cell=bad_cells)
@FAST
def test_a_number_the_column_cannot_hold_is_a_row_error(cell):
    field, text = cell
    with pytest.raises(RowError):
        parse_metric_row({**BASE, field: text})


def good_row():
    def amount(field):
        _digits, places, high = amount_limits(field)
        return strategies.good_amount(places, high)

    figures = {
        f: amount(f) if is_amount(f) else strategies.good_whole(*whole_limits(f)) for f in NUMBERS
    }
    return st.fixed_dictionaries(figures).filter(
        lambda r: r["valid_plays"] <= r["plays"] and r["original_videos"] <= r["videos_published"]
    )


@given(row=good_row(), thousands=st.booleans())
@FAST
def test_a_number_the_column_holds_comes_back_exactly(row, thousands):
    text = {f: (f"{v:,}" if thousands and not is_amount(f) else str(v)) for f, v in row.items()}
    parsed = parse_metric_row({**BASE, **text})
    assert {f: parsed[f] for f in NUMBERS} == row


@given(text=strategies.bad_dates(timezone.localdate()))
@FAST
def test_a_date_out_of_range_or_no_date_is_a_row_error(text):
    with pytest.raises(RowError):
        parse_metric_row({**BASE, "date": text})


@given(text=strategies.bad_whole(*whole_limits("follower_count")))
@FAST
def test_roster_followers_out_of_range_are_a_row_error(text):
    values = {
        "platform_account_id": "u100000000001",
        "display_name": "甲",
        "primary_category": "beauty",
        "follower_count": text,
    }
    with pytest.raises(RowError):
        parse_roster_row(values, {"beauty": 1})


@given(text=strategies.bad_dates(timezone.localdate()))
@FAST
def test_roster_start_dates_out_of_range_are_a_row_error(text):
    values = {
        "platform_account_id": "u100000000001",
        "display_name": "甲",
        "primary_category": "beauty",
        "started_on": text,
    }
    with pytest.raises(RowError):
        parse_roster_row(values, {"beauty": 1})


# --- through the whole job ----------------------------------------------------------------------


def metrics_file(*rows) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.headers[0] for column in METRIC_COLUMNS])
    for row in rows:
        writer.writerow([row[column.field] for column in METRIC_COLUMNS])
    return SimpleUploadedFile("metrics.csv", out.getvalue().encode())


@pytest.fixture
def known_creator(db):
    from tests.creators.factories import CreatorFactory

    return CreatorFactory(platform_account_id=BASE["platform_account_id"])


@given(cell=bad_cells)
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_a_file_with_a_bad_number_is_checked_and_only_the_good_row_imported(
    operator, known_creator, django_capture_on_commit_callbacks, cell
):
    field, text = cell
    bad_day = {**BASE, "date": "2026-11-02", field: text}
    with django_capture_on_commit_callbacks(execute=True):
        job = import_create(
            actor=operator, kind=ImportKind.METRICS, upload=metrics_file(BASE, bad_day)
        )
    job.refresh_from_db()
    assert (job.status, job.error_rows) == (ImportStatus.VALIDATED, 1), job.failure
    assert not DailyMetric.objects.filter(date=BAD_DAY).exists()
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(actor=operator, job=job, skip_errors=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.failure
    assert DailyMetric.objects.filter(date=GOOD_DAY).exists()
    assert not DailyMetric.objects.filter(date=BAD_DAY).exists()
