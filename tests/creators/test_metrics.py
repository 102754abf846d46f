"""Daily metrics: re-sent days replace, abnormal plays are flagged and excluded, reviews stick."""

import datetime
from decimal import Decimal

import pytest

from creators.models import DailyMetric, PlayFlag
from creators.services.metrics import MetricRow, metric_flag_review, metrics_upsert
from portal.audit.models import AuditEntry
from tests.creators.factories import CreatorFactory

DAY = datetime.date(2026, 11, 1)


def day(n):
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def creator(db):
    return CreatorFactory(platform_account_id="u000000000042")


def steady(creator, days=6, plays=10_000):
    return [
        MetricRow(creator.platform_account_id, day(n), plays=plays, valid_plays=plays - 100)
        for n in range(days)
    ]


def test_rows_are_written_and_a_resent_day_replaces_the_old_figures(operator, creator):
    result = metrics_upsert(actor=operator, rows=steady(creator, days=3))
    assert (result["written"], result["rejected"]) == (3, 0)
    metrics_upsert(
        actor=operator,
        rows=[
            MetricRow(
                creator.platform_account_id,
                day(1),
                plays=12_000,
                valid_plays=11_000,
                gmv=Decimal("88.50"),
            )
        ],
    )
    row = DailyMetric.objects.get(creator=creator, date=day(1))
    assert (row.plays, row.valid_plays, row.gmv) == (12_000, 11_000, Decimal("88.50"))
    assert DailyMetric.objects.filter(creator=creator).count() == 3


def test_sending_the_same_day_twice_changes_nothing(operator, creator):
    metrics_upsert(actor=operator, rows=steady(creator))
    before = list(DailyMetric.objects.values("date", "plays", "counted_valid_plays", "flag"))
    metrics_upsert(actor=operator, rows=steady(creator))
    assert (
        list(DailyMetric.objects.values("date", "plays", "counted_valid_plays", "flag")) == before
    )


def test_unknown_accounts_and_impossible_figures_are_reported_by_position(operator, creator):
    result = metrics_upsert(
        actor=operator,
        rows=[
            MetricRow("nobody", DAY, plays=1),
            MetricRow(creator.platform_account_id, DAY, videos_published=1, original_videos=2),
            MetricRow(creator.platform_account_id, DAY, plays=5, valid_plays=9),
            MetricRow(creator.platform_account_id, day(1), plays=5, valid_plays=5),
        ],
    )
    assert set(result["errors"]) == {0, 1, 2}
    assert result["written"] == 1


def test_a_day_far_above_the_recent_average_is_flagged_and_its_valid_plays_do_not_count(
    operator, creator
):
    metrics_upsert(
        actor=operator,
        rows=[
            *steady(creator),
            MetricRow(creator.platform_account_id, day(6), plays=400_000, valid_plays=390_000),
        ],
    )
    spike = DailyMetric.objects.get(creator=creator, date=day(6))
    assert spike.flag == PlayFlag.OPEN
    assert spike.flag_baseline == 10_000
    assert spike.counted_valid_plays == 0
    creator.refresh_from_db()
    assert creator.valid_plays_30d == 6 * 9_900
    assert creator.plays_30d == 6 * 10_000 + 400_000
    assert creator.metrics_through == day(6)


def test_a_small_creators_spike_below_the_minimum_is_not_flagged(operator, creator):
    rows = [
        *steady(creator, plays=100),
        MetricRow(creator.platform_account_id, day(6), plays=20_000, valid_plays=20_000),
    ]
    metrics_upsert(actor=operator, rows=rows)
    assert DailyMetric.objects.get(date=day(6)).flag == PlayFlag.NONE


def test_without_enough_history_nothing_is_flagged(operator, creator):
    rows = [
        *steady(creator, days=2),
        MetricRow(creator.platform_account_id, day(2), plays=900_000, valid_plays=900_000),
    ]
    metrics_upsert(actor=operator, rows=rows)
    assert DailyMetric.objects.get(date=day(2)).flag == PlayFlag.NONE


def test_a_dismissed_flag_counts_again_and_survives_the_same_figures_sent_again(operator, creator):
    rows = [
        *steady(creator),
        MetricRow(creator.platform_account_id, day(6), plays=400_000, valid_plays=390_000),
    ]
    metrics_upsert(actor=operator, rows=rows)
    spike = DailyMetric.objects.get(date=day(6))
    metric_flag_review(
        actor=operator, metric=spike, decision=PlayFlag.DISMISSED, note="直播带货当日，数据真实"
    )
    spike.refresh_from_db()
    assert (spike.flag, spike.counted_valid_plays) == (PlayFlag.DISMISSED, 390_000)
    assert AuditEntry.objects.filter(action="metrics.flag_dismissed").exists()

    metrics_upsert(actor=operator, rows=rows)
    spike.refresh_from_db()
    assert spike.flag == PlayFlag.DISMISSED

    changed = [
        *steady(creator),
        MetricRow(creator.platform_account_id, day(6), plays=500_000, valid_plays=480_000),
    ]
    metrics_upsert(actor=operator, rows=changed)
    spike.refresh_from_db()
    assert spike.flag == PlayFlag.OPEN  # new figures are checked again


def test_a_flag_closes_when_the_history_that_made_it_abnormal_is_corrected(operator, creator):
    rows = [
        *steady(creator),
        MetricRow(creator.platform_account_id, day(6), plays=400_000, valid_plays=390_000),
    ]
    metrics_upsert(actor=operator, rows=rows)
    corrected = [
        MetricRow(creator.platform_account_id, day(n), plays=300_000, valid_plays=300_000)
        for n in range(6)
    ]
    metrics_upsert(actor=operator, rows=corrected)
    spike = DailyMetric.objects.get(date=day(6))
    assert (spike.flag, spike.counted_valid_plays) == (PlayFlag.NONE, 390_000)


def test_dismissing_needs_a_note_and_only_staff_review(operator, owner, creator):
    from django.core.exceptions import PermissionDenied, ValidationError

    metrics_upsert(
        actor=operator,
        rows=[
            *steady(creator),
            MetricRow(creator.platform_account_id, day(6), plays=400_000, valid_plays=1),
        ],
    )
    spike = DailyMetric.objects.get(date=day(6))
    with pytest.raises(ValidationError):
        metric_flag_review(actor=operator, metric=spike, decision=PlayFlag.DISMISSED)
    with pytest.raises(PermissionDenied):
        metric_flag_review(actor=owner, metric=spike, decision=PlayFlag.CONFIRMED)


def test_organizations_cannot_write_metrics(owner, creator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        metrics_upsert(actor=owner, rows=steady(creator))
