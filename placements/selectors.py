"""Reads shown to people and to the feed."""

import datetime
from decimal import Decimal

from placements.models import BoostFactor, PlacementRule

ONE = Decimal("1.00")


def boost_table(day: datetime.date, cache: dict) -> tuple[int | None, dict]:
    """The rule in force on `day` and its boost factors by (grade, originality)."""
    rules = cache.setdefault("rules", list(PlacementRule.objects.order_by("-effective_from")))
    rule = next((r for r in rules if r.effective_from <= day), None)
    if rule is None:
        return None, {}
    factors = cache.setdefault("factors", {})
    if rule.pk not in factors:
        factors[rule.pk] = {
            (b.grade, b.originality): b.factor for b in BoostFactor.objects.filter(rule=rule)
        }
    return rule.pk, factors[rule.pk]


def boost_for(video, day: datetime.date, cache: dict) -> tuple[Decimal, int | None]:
    rule_id, table = boost_table(day, cache)
    return table.get((video.grade, video.originality), ONE), rule_id


def with_boosts(placements):
    """Annotate each placement with `boost_factor` and `boost_rule` (two queries a page)."""
    placements = list(placements)
    cache: dict = {}
    for placement in placements:
        placement.boost_factor, placement.boost_rule = boost_for(
            placement.video, placement.day, cache
        )
    return placements
