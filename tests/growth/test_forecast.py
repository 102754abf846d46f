"""The tier forecast: its inputs read from the database as the method says, its error against the
final count of past cycles on generated history, and its place beside "pace needed" on the
dashboard and the coaching page."""

import datetime
import random
import statistics
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from creators.models import BindingSource, DailyMetric, QualificationRule
from growth.forecast import PRIOR_WEIGHT, Inputs, forecast_inputs, project
from tests.creators.factories import BindingFactory
from tests.incentives.test_computation import setup_cycle

D = datetime.date
NOV, DEC = D(2026, 11, 1), D(2026, 12, 1)
TODAY = D(2026, 11, 15)


def recruit(organization, started_on, *, qualifies_on=None):
    binding = BindingFactory(
        organization=organization, started_on=started_on, source=BindingSource.RECRUITED
    )
    if qualifies_on is not None:
        DailyMetric.objects.create(
            creator=binding.creator,
            date=qualifies_on,
            plays=5000,
            valid_plays=5000,
            counted_valid_plays=5000,
            videos_published=1,
            original_videos=1,
        )
    return binding


def test_the_inputs_follow_the_method(organization, other_organization):
    cache.clear()
    QualificationRule.objects.create(
        name="t",
        min_original_videos=1,
        min_valid_plays=1000,
        window_days=10,
        valid_from=D(2026, 6, 1),
    )
    recruit(organization, D(2026, 11, 3), qualifies_on=D(2026, 11, 5))  # counts
    recruit(organization, D(2026, 11, 12))  # pending: window open until 11-21
    recruit(organization, D(2026, 11, 1))  # window closed on 11-10 without qualifying
    BindingFactory(organization=organization, started_on=D(2026, 11, 4), source="transferred")
    # history: October 2 of 4 qualified; the other organization 0 of 1 (the program: 2 of 5)
    for day, qualifies in ((2, 4), (9, None), (20, 22), (25, None)):
        recruit(
            organization,
            D(2026, 10, day),
            qualifies_on=D(2026, 10, qualifies) if qualifies else None,
        )
    recruit(other_organization, D(2026, 10, 7))
    inputs = forecast_inputs(organization, NOV, DEC, TODAY)
    program = 2 / 5
    assert inputs == Inputs(
        qualified=1,
        pending=1,
        recruited=3,
        days_gone=15,
        days_left=15,
        rate=(2 + PRIOR_WEIGHT * program) / (4 + PRIOR_WEIGHT),
    )


def test_the_range_never_falls_below_what_already_counts():
    future, expected, low, high = project(
        Inputs(qualified=7, pending=0, recruited=7, days_gone=30, days_left=0, rate=0.9)
    )
    assert (future, expected, low, high) == (0, 7, 7, 7)


def simulate_cycle(rng, *, rate, recruits_per_day, days=30, window=10):
    """(recruit day, qualification day or None) of one cycle's recruits."""
    recruits = []
    for day in range(days):
        for _ in range(_poisson(rng, recruits_per_day)):
            qualifies = rng.random() < rate
            recruits.append((day, day + rng.randrange(window) if qualifies else None))
    return recruits


def _poisson(rng, mean):
    # Knuth's method: fine for the small daily means used here
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def test_the_forecast_error_on_generated_history(capsys):
    """For 400 organization-cycles the forecast made on day 15 is checked against the cycle's
    final count. Each organization has its own qualification rate and recruiting pace; its rate
    is estimated from three earlier simulated cycles, as the portal does from closed cycles."""
    rng = random.Random(19)
    days, window, today = 30, 10, 14  # day index 14: the 15th
    errors, naive_errors, covered, finals = [], [], 0, []
    cases = []
    for _ in range(400):
        rate, pace = rng.uniform(0.15, 0.85), rng.uniform(0.1, 1.5)
        history = [simulate_cycle(rng, rate=rate, recruits_per_day=pace) for _ in range(3)]
        cases.append((rate, pace, history, simulate_cycle(rng, rate=rate, recruits_per_day=pace)))
    all_recruits = sum(len(c) for case in cases for c in case[2])
    all_qualified = sum(1 for case in cases for c in case[2] for r in c if r[1] is not None)
    prior = all_qualified / all_recruits
    for _rate, _pace, history, cycle in cases:
        recruited = sum(len(c) for c in history)
        qualified = sum(1 for c in history for _d, q in c if q is not None)
        so_far = [(d, q) for d, q in cycle if d <= today]
        inputs = Inputs(
            qualified=sum(1 for _d, q in so_far if q is not None and q <= today),
            pending=sum(
                1 for d, q in so_far if (q is None or q > today) and d + window - 1 >= today + 1
            ),
            recruited=len(so_far),
            days_gone=today + 1,
            days_left=days - today - 1,
            rate=(qualified + PRIOR_WEIGHT * prior) / (recruited + PRIOR_WEIGHT),
        )
        _future, expected, low, high = project(inputs)
        final = sum(1 for _d, q in cycle if q is not None)
        finals.append(final)
        errors.append(abs(expected - final))
        naive_errors.append(abs(inputs.qualified * days / (today + 1) - final))
        covered += low <= final <= high
    mae, naive = statistics.mean(errors), statistics.mean(naive_errors)
    coverage = covered / len(cases)
    with capsys.disabled():
        print(
            f"\ntier forecast on generated history: {len(cases)} cycles, mean final count "
            f"{statistics.mean(finals):.1f}; mean absolute error {mae:.2f} "
            f"(linear extrapolation of the count so far: {naive:.2f}); "
            f"80% range held the final count in {coverage:.0%} of cycles"
        )
    assert mae < 0.75 * naive
    assert 0.7 <= coverage <= 0.95


@pytest.fixture
def program_cycle(operator, organization, beauty):
    return setup_cycle(operator, organization, beauty)[0]


def test_the_dashboard_and_the_coaching_page_show_the_forecast(
    client, operator, owner, program_cycle, monkeypatch
):
    cycle = program_cycle
    from incentives.models import OrgTier
    from incentives.services import program_set_status

    version = cycle.program.rule_versions.get()
    OrgTier.objects.create(version=version, level=2, min_introduced=5, amount=Decimal(20000))
    program_set_status(actor=operator, program=cycle.program, status="active")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2026, 11, 24))
    client.force_login(owner)
    page = client.get(reverse("core:dashboard"), headers={"Accept-Language": "en"})
    assert b"Forecast for the cycle" in page.content and b"How this is forecast" in page.content
    client.force_login(operator)
    coaching = client.get(
        reverse("coaching:organization", args=[owner.membership.organization_id]),
        headers={"Accept-Language": "en"},
    )
    assert b"Forecast for the cycle" in coaching.content
