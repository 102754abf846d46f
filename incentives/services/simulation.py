"""What a cycle would pay under a rule version, without keeping anything.

The simulation runs the real computation (the same SQL as settlement) on a scratch copy of the
cycle inside a savepoint, reads the totals and rolls everything back. So a draft is judged by
exactly what settling with it would do.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from incentives.models import Cycle, OrgTier, PoolKind, RewardLine, RewardList, RuleVersion
from portal.core.models import Category
from portal.core.money import money_sum

from .computation import compute_lines

SCRATCH_NUMBER = 32767  # a cycle number no program reaches; the row never outlives the savepoint


@dataclass
class Simulation:
    version: RuleVersion
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    by_category: dict[str, Decimal] = field(default_factory=dict)
    by_tier: dict[int, tuple[int, Decimal]] = field(default_factory=dict)  # level: (orgs, total)
    by_pool: dict[str, Decimal] = field(default_factory=dict)
    lines: int = 0


class _Rollback(Exception):
    pass


def computed_then_rolled_back(cycle: Cycle, version: RuleVersion, read: Callable) -> None:
    """Compute `cycle` under `version` on a scratch copy inside a savepoint, call `read(lines)`
    with the scratch list's lines, then roll everything back (the simulator's and the nightly
    estimate's one path to the real computation)."""
    try:
        with transaction.atomic():
            scratch = Cycle.objects.create(
                program=cycle.program,
                number=SCRATCH_NUMBER,
                starts_on=cycle.starts_on,
                ends_on=cycle.ends_on,
            )
            reward_list = RewardList.objects.create(cycle=scratch, rule_version=version)
            compute_lines(reward_list.pk, cycle, version)
            read(RewardLine.objects.filter(reward_list=reward_list))
            raise _Rollback
    except _Rollback:
        pass


def simulate(cycle: Cycle, version: RuleVersion) -> Simulation:
    """The totals `cycle` would produce under `version` (per kind, creative field, tier, pool)."""
    result = Simulation(version=version)
    computed_then_rolled_back(cycle, version, lambda lines: _read(result, lines))
    return result


def _read(result: Simulation, lines) -> None:
    total = money_sum()
    for row in lines.values("kind").order_by("kind").annotate(total=total):
        result.by_kind[row["kind"]] = row["total"]
    for row in lines.values("pool").order_by("pool").annotate(total=total):
        result.by_pool[row["pool"]] = row["total"]
    categories = defaultdict(Decimal)
    for row in (
        lines.exclude(creator=None)
        .values("creator__primary_category")
        .order_by()
        .annotate(total=total)
    ):
        categories[row["creator__primary_category"]] += row["total"]
    names = {c.pk: c.name for c in Category.objects.filter(pk__in=list(categories))}
    result.by_category = {
        names.get(key, "—"): amount
        for key, amount in sorted(categories.items(), key=lambda item: -item[1])
    }
    tiers = list(
        lines.filter(kind="org_tier")
        .values("rule_id")
        .order_by()
        .annotate(n=Count("id"), total=total)
    )
    levels = OrgTier.objects.in_bulk([row["rule_id"] for row in tiers])
    for row in tiers:
        tier = levels.get(row["rule_id"])
        if tier is not None:
            result.by_tier[tier.level] = (row["n"], row["total"])
    result.by_tier = dict(sorted(result.by_tier.items()))
    result.lines = lines.count()
    for kind in PoolKind.values:
        result.by_pool.setdefault(kind, Decimal(0))
