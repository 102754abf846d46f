"""A forecast of the cycle's final count of successfully introduced creators, shown beside "pace
needed" on the organization's dashboard and coaching page.

The method (the page says it in words):

- Q: creators already counted as introduced in the cycle (`counting_bindings`, the program's rule).
- P: creators recruited in the cycle who have not qualified yet and whose qualification window is
  still open; each is expected to qualify with the organization's own historical rate p.
- R: creators still to be recruited, at the cycle's pace so far (recruited so far / days gone x
  days left); each is expected to qualify with the same rate p.
- p: the organization's qualification rate over its last three monthly cycles whose windows have
  all closed (qualified / recruited), shrunk toward the program's rate over the same months by
  PRIOR_WEIGHT recruits, so that an organization with few recruits is not forecast 0% or 100%.
- Expected = Q + p (P + R). The range is an 80% interval: pending creators qualify or not
  independently (a binomial variance P p (1 - p)) and future qualified recruits arrive as a
  Poisson count (variance R p); expected +/- 1.2816 standard deviations, never below Q.
"""

import datetime
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from creators.introduced import counting_bindings, cycle_of
from creators.models import Binding, BindingSource, QualificationRule

HISTORY_CYCLES = 3
PRIOR_WEIGHT = 5
Z_80 = 1.2816
PROGRAM_RATE_SECONDS = 3600


@dataclass(frozen=True)
class Inputs:
    qualified: int  # Q
    pending: int  # P
    recruited: int  # recruited in the cycle so far
    days_gone: int
    days_left: int
    rate: float  # p


@dataclass(frozen=True)
class TierForecast:
    inputs: Inputs
    future_recruits: float  # R
    expected: float
    low: int
    high: int
    tier: object | None  # the OrgTier the expected count reaches
    low_tier: object | None
    high_tier: object | None

    @property
    def rate_percent(self) -> float:
        return 100 * self.inputs.rate


def project(inputs: Inputs) -> tuple[float, float, int, int]:
    """(R, expected, low, high) from the inputs: the arithmetic of the method, nothing else."""
    pace = inputs.recruited / inputs.days_gone if inputs.days_gone > 0 else 0.0
    future = pace * inputs.days_left
    p = inputs.rate
    expected = inputs.qualified + p * (inputs.pending + future)
    spread = Z_80 * math.sqrt(inputs.pending * p * (1 - p) + future * p)
    low = max(inputs.qualified, math.floor(expected - spread))
    high = max(low, math.ceil(expected + spread))
    return future, expected, low, high


def tier_for(count: float, tiers: list):
    return next((tier for tier in reversed(tiers) if count >= tier.min_introduced), None)


def _months_before(start: datetime.date, n: int) -> list[datetime.date]:
    months = []
    for _ in range(n):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
        months.append(start)
    return months


def _closed_history(bindings, cycle_start: datetime.date, today: datetime.date) -> tuple[int, int]:
    """(qualified, recruited) of `bindings` over the last HISTORY_CYCLES monthly cycles before
    `cycle_start` whose qualification windows have all closed by `today` (looking back at most
    twice as many months)."""
    qualified = recruited = used = 0
    for month in _months_before(cycle_start, 2 * HISTORY_CYCLES):
        start, end = cycle_of(month)
        rule = QualificationRule.objects.in_force(start)
        if rule is None or end + datetime.timedelta(days=rule.window_days) > today:
            continue  # a window may still be open: this cycle's count is not final
        qualified += counting_bindings(bindings, cycle_start=start, cycle_end=end).count()
        recruited += bindings.filter(
            source=BindingSource.RECRUITED, started_on__gte=start, started_on__lt=end
        ).count()
        used += 1
        if used == HISTORY_CYCLES:
            break
    return qualified, recruited


def program_rate(cycle_start: datetime.date, today: datetime.date) -> float:
    """The program's qualification rate over the same closed cycles (cached for an hour)."""
    key = f"growth:program-rate:{cycle_start.isoformat()}:{today.isoformat()}"

    def compute():
        qualified, recruited = _closed_history(Binding.objects.all(), cycle_start, today)
        return qualified / recruited if recruited else 0.5

    return cache.get_or_set(key, compute, PROGRAM_RATE_SECONDS)


def forecast_inputs(organization, cycle_start, cycle_end, today) -> Inputs:
    bindings = Binding.objects.filter(organization=organization)
    in_cycle = bindings.filter(
        source=BindingSource.RECRUITED, started_on__gte=cycle_start, started_on__lt=cycle_end
    )
    counted = counting_bindings(bindings, cycle_start=cycle_start, cycle_end=cycle_end)
    rule = QualificationRule.objects.in_force(cycle_start)
    window = rule.window_days if rule else 0
    pending = (
        in_cycle.exclude(pk__in=counted.values("pk"))
        .filter(started_on__gt=today - datetime.timedelta(days=window))
        .count()
    )
    qualified, recruited = _closed_history(bindings, cycle_start, today)
    prior = program_rate(cycle_start, today)
    rate = (qualified + PRIOR_WEIGHT * prior) / (recruited + PRIOR_WEIGHT)
    return Inputs(
        qualified=counted.count(),
        pending=pending,
        recruited=in_cycle.count(),
        days_gone=max((min(today, cycle_end) - cycle_start).days + 1, 0),
        days_left=max((cycle_end - today).days - 1, 0),
        rate=rate,
    )


def tier_forecast(organization, progress, today: datetime.date | None = None) -> TierForecast:
    """The forecast for the cycle of `progress` (incentives.selectors.TierProgress)."""
    today = today or timezone.localdate()
    inputs = forecast_inputs(organization, progress.cycle.starts_on, progress.cycle.ends_on, today)
    future, expected, low, high = project(inputs)
    return TierForecast(
        inputs=inputs,
        future_recruits=future,
        expected=expected,
        low=low,
        high=high,
        tier=tier_for(expected, progress.tiers),
        low_tier=tier_for(low, progress.tiers),
        high_tier=tier_for(high, progress.tiers),
    )
