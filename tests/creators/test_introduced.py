"""Successfully introduced: recruited in the cycle, qualified within the window (edge dates)."""

import datetime
import random

import pytest

from creators.introduced import (
    counting_bindings,
    counting_bindings_sql,
    cycle_of,
    introduced_status,
)
from creators.models import Binding, BindingSource, DailyMetric, PlayFlag, QualificationRule
from tests.creators.factories import BindingFactory

# The seeded rule: 3 original videos and 100,000 valid plays within 30 days.
NOV = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 12, 20)  # every November window has closed


def metric(creator, day, videos=0, plays=0, flag=PlayFlag.NONE):
    DailyMetric.objects.create(
        creator=creator,
        date=day,
        original_videos=videos,
        videos_published=videos,
        plays=plays,
        valid_plays=plays,
        counted_valid_plays=0 if flag in (PlayFlag.OPEN, PlayFlag.CONFIRMED) else plays,
        flag=flag,
    )


def bound(organization, started_on, source=BindingSource.RECRUITED):
    return BindingFactory(organization=organization, started_on=started_on, source=source)


def status(binding, today=TODAY):
    return introduced_status(binding, cycle_start=NOV, today=today)


def test_cycles_are_calendar_months():
    assert cycle_of(datetime.date(2026, 11, 30)) == (NOV, datetime.date(2026, 12, 1))
    assert cycle_of(datetime.date(2026, 12, 31)) == (
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    )


def test_qualified_within_the_window_counts_and_says_why(organization):
    binding = bound(organization, NOV)
    metric(binding.creator, NOV, videos=2, plays=60_000)
    metric(
        binding.creator, NOV + datetime.timedelta(days=29), videos=1, plays=40_000
    )  # last window day
    result = status(binding)
    assert result.counts
    assert "3 original videos" in result.reason and "100,000 valid plays" in result.reason


def test_the_day_after_the_window_does_not_count(organization):
    binding = bound(organization, NOV)
    metric(binding.creator, NOV, videos=3, plays=99_999)
    metric(binding.creator, NOV + datetime.timedelta(days=30), plays=10_000)
    result = status(binding)
    assert not result.counts and result.window_end == datetime.date(2026, 11, 30)
    assert "Does not count" in result.reason


def test_a_binding_from_the_last_day_of_the_previous_month_is_outside_the_cycle(organization):
    binding = bound(organization, datetime.date(2026, 10, 31))
    metric(binding.creator, NOV, videos=5, plays=500_000)
    assert "outside this cycle" in status(binding).reason


def test_the_last_day_of_the_cycle_is_inside(organization):
    binding = bound(organization, datetime.date(2026, 11, 30))
    metric(binding.creator, datetime.date(2026, 12, 5), videos=3, plays=100_000)
    assert status(binding).counts


def test_transferred_creators_never_count(organization):
    binding = bound(organization, NOV, source=BindingSource.TRANSFERRED)
    metric(binding.creator, NOV, videos=9, plays=900_000)
    assert "Transferred" in status(binding).reason


def test_flagged_plays_do_not_help(organization):
    binding = bound(organization, NOV)
    metric(binding.creator, NOV, videos=3, plays=50_000)
    metric(binding.creator, NOV + datetime.timedelta(days=1), plays=900_000, flag=PlayFlag.OPEN)
    assert not status(binding).counts


def test_an_open_window_is_pending_with_the_days_left(organization):
    binding = bound(organization, datetime.date(2026, 11, 20))
    metric(binding.creator, datetime.date(2026, 11, 20), videos=1, plays=5_000)
    result = status(binding, today=datetime.date(2026, 11, 25))
    assert result.pending and not result.counts
    assert "25 days left" in result.reason


def test_a_cycle_uses_the_rule_in_force_on_its_first_day(organization):
    QualificationRule.objects.create(
        name="strict",
        min_original_videos=10,
        min_valid_plays=1,
        window_days=30,
        valid_from=datetime.date(2026, 11, 15),
    )
    binding = bound(organization, datetime.date(2026, 11, 20))
    metric(binding.creator, datetime.date(2026, 11, 21), videos=3, plays=100_000)
    assert status(binding).counts  # November started under the standard rule
    december = bound(organization, datetime.date(2026, 12, 2))
    metric(december.creator, datetime.date(2026, 12, 3), videos=3, plays=100_000)
    assert not introduced_status(
        december, cycle_start=datetime.date(2026, 12, 1), today=TODAY
    ).counts


def random_binding(rng, organization, *, plays):
    """A binding starting around November with up to 8 random metric days around its start."""
    start = NOV + datetime.timedelta(days=rng.randint(-5, 29))
    binding = bound(
        organization,
        start,
        source=rng.choice([BindingSource.RECRUITED] * 4 + [BindingSource.TRANSFERRED]),
    )
    for offset in rng.sample(range(-3, 40), rng.randint(0, 8)):
        metric(
            binding.creator,
            start + datetime.timedelta(days=offset),
            videos=rng.randint(0, 2),
            plays=rng.choice(plays),
            flag=rng.choice([PlayFlag.NONE] * 5 + [PlayFlag.OPEN]),
        )
    return binding, start


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_filter_agrees_with_the_explanation_on_random_data(organization, seed):
    rng = random.Random(seed)
    for _ in range(25):
        random_binding(rng, organization, plays=[0, 5_000, 30_000, 80_000])
    in_sql = set(
        counting_bindings(Binding.objects.all(), cycle_start=NOV).values_list("pk", flat=True)
    )
    in_python = {b.pk for b in Binding.objects.all() if status(b).counts}
    assert in_sql == in_python


def counted_by_the_set_based_sql(**window):
    from django.db import connection

    sql, params = counting_bindings_sql(Binding.objects.all(), **window)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_set_based_count_agrees_with_the_queryset_on_random_data(organization, seed):
    """Settlement counts introduced creators with joins (counting_bindings_sql): the same bindings
    as counting_bindings, portal videos (from a first video inside, before or after the window,
    declared original or not, rejected as a copy) and reported figures mixed."""
    from django.utils import timezone

    from content.models import Originality, Video
    from tests.content.factories import make_videos, row

    rng = random.Random(seed)
    for _ in range(20):
        binding, start = random_binding(
            rng, organization, plays=[0, 5_000, 30_000, 80_000, 100_000]
        )
        if rng.random() < 0.5:
            rows = [
                row(
                    binding.creator,
                    published_at=timezone.make_aware(
                        datetime.datetime.combine(
                            start + datetime.timedelta(days=offset), datetime.time(12)
                        )
                    ),
                    declared_original=rng.random() < 0.8,
                )
                for offset in rng.sample(range(-10, 40), rng.randint(1, 4))
                # the content system refuses videos published in the future
                if start + datetime.timedelta(days=offset) < timezone.localdate()
            ]
            videos = make_videos(*rows) if rows else []
            copies = [video.pk for video in videos if rng.random() < 0.25]
            Video.objects.filter(pk__in=copies).update(originality=Originality.COPY)
    expected = set(
        counting_bindings(Binding.objects.all(), cycle_start=NOV).values_list("pk", flat=True)
    )
    assert expected, "some bindings count"
    assert counted_by_the_set_based_sql(cycle_start=NOV) == expected
    assert counted_by_the_set_based_sql(
        cycle_start=NOV, cycle_end=datetime.date(2026, 11, 15)
    ) == set(
        counting_bindings(
            Binding.objects.all(), cycle_start=NOV, cycle_end=datetime.date(2026, 11, 15)
        ).values_list("pk", flat=True)
    )


def test_the_set_based_count_is_empty_without_a_rule(organization):
    QualificationRule.objects.all().delete()
    binding = bound(organization, NOV)
    metric(binding.creator, NOV, videos=5, plays=500_000)
    assert counted_by_the_set_based_sql(cycle_start=NOV) == set()
