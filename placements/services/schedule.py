"""The placements' scheduled work (beat entries in portal/settings.py, tasks in
placements/tasks.py): the weekly fill proposal for every surface and field with free slots next
week, and closing the coupons of ended cycles. Grade grants run `coupons_grant_grades` as it is.

Each is safe to run twice, or twice at once: a fill proposal counts the proposals already waiting
for each day (under the surface's row lock), and a closed coupon is never closed again.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from incentives.models import Cycle
from placements.models import Coupon, InventoryRule, Surface
from portal.accounts.permissions import SYSTEM

from .coupons import coupons_close_cycle
from .scheduling import fill_propose

# Days after a cycle's end before its coupons close by themselves: the content system reports a
# day's impressions the next morning, so the last day's figures arrive before the close.
CLOSE_AFTER_DAYS = 2


def next_week_start(today: datetime.date) -> datetime.date:
    """The Monday after `today`."""
    return today + datetime.timedelta(days=7 - today.weekday())


@transaction.atomic
def fills_propose_next_week(*, actor=SYSTEM, today: datetime.date | None = None) -> int:
    """Propose the best eligible videos for next week's free slots of every active surface and
    every field it has inventory in (pending fill nominations a manager of the field confirms).
    Returns the number proposed; a second run proposes nothing more."""
    today = today or timezone.localdate()
    week_start = next_week_start(today)
    pairs = (
        InventoryRule.objects.filter(
            surface__is_active=True, effective_from__lt=week_start + datetime.timedelta(days=7)
        )
        .values_list("surface_id", "category_id")
        .order_by("surface_id", "category_id")
        .distinct()
    )
    surfaces = {s.pk: s for s in Surface.objects.filter(is_active=True)}
    proposed = 0
    for surface_id, category_id in pairs:
        proposed += fill_propose(
            actor=actor,
            surface=surfaces[surface_id],
            category_id=category_id,
            week_start=week_start,
            as_of=today,
        )
    return proposed


@transaction.atomic
def coupons_close_ended_cycles(*, actor=SYSTEM, today: datetime.date | None = None) -> int:
    """Close the open coupons of every cycle that ended `CLOSE_AFTER_DAYS` ago or more: their
    undelivered impressions go back to the traffic pool. Returns the number of coupons closed."""
    today = today or timezone.localdate()
    cycles = Cycle.objects.filter(
        ends_on__lte=today - datetime.timedelta(days=CLOSE_AFTER_DAYS),
        pk__in=Coupon.objects.filter(closed_at__isnull=True).values("entry__cycle_id"),
    ).order_by("ends_on", "pk")
    return sum(coupons_close_cycle(actor=actor, cycle=cycle, as_of=today) for cycle in cycles)
