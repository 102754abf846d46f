"""What incentives adds to other apps' pages through the core's section registry
(`portal.core.statements`): on the suspension pages, the payouts the suspension holds."""

from django.db.models import Count, Q

from portal.core.money import money_sum
from portal.core.statements import register_section

from .models import Hold, HoldReason, LedgerEntry, PaymentStatus


@register_section(
    "incentives.suspension_holds",
    template="incentives/_suspension_holds.html",
    order=10,
    page="suspension",
)
def suspension_holds(user, organization, suspension) -> dict:
    """The organization's own payouts held for this suspension, by what became of them: still
    held, released (reinstated) or forfeited (an operator's decision). One query."""
    holds = Hold.objects.filter(
        reason=HoldReason.SUSPENSION,
        entry__organization=organization,
        entry__creator__isnull=True,
        entry__in=LedgerEntry.objects.for_user(user).values("pk"),
        placed_at__gte=suspension.suspended_at,
    )
    if suspension.ended_at:
        holds = holds.filter(placed_at__lte=suspension.ended_at)
    forfeited = Q(entry__payment_status=PaymentStatus.FORFEITED)
    held = Q(released_at__isnull=True) & ~forfeited
    released = Q(released_at__isnull=False) & ~forfeited
    figures = holds.aggregate(
        held_count=Count("pk", filter=held),
        held_amount=money_sum("entry__amount", filter=held),
        released_count=Count("pk", filter=released),
        released_amount=money_sum("entry__amount", filter=released),
        forfeited_count=Count("pk", filter=forfeited),
        forfeited_amount=money_sum("entry__amount", filter=forfeited),
    )
    figures["any"] = any(figures[k] for k in ("held_count", "released_count", "forfeited_count"))
    figures["is_open"] = suspension.ended_at is None
    return figures
