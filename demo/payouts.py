"""The demo's payout trust, through the same services as real money: the settled month's commission
is held for the returns window (its release date on every statement), a refund the partner reported
takes commission back from a creator of the demo owner's organization, and a risk review holds one
organization's entries with the reason it reads."""

import datetime

from incentives.models import HoldReason, LedgerEntry, LineKind, PaymentStatus
from incentives.services.clawbacks import refund_record
from incentives.services.holds import hold_place
from portal.accounts.permissions import SYSTEM


def demo_payouts(*, operators: list, today: datetime.date, showcase=None) -> dict:
    """Returns counts of what was made."""
    operator = operators[0]
    commission = LedgerEntry.objects.filter(kind=LineKind.COMMISSION, corrects=None).order_by("pk")
    if showcase is not None:
        commission = commission.filter(organization=showcase)
    refunded = commission.select_related("cycle").first()
    corrections = []
    if refunded is not None:
        day = refunded.cycle.starts_on + datetime.timedelta(days=3)
        _refund, corrections = refund_record(
            actor=SYSTEM, creator=refunded.creator, day=day, amount=refunded.amount * 10
        )
    suspect = (
        LedgerEntry.objects.filter(
            payment_status__in=(PaymentStatus.HELD, PaymentStatus.PENDING, PaymentStatus.FAILED),
        )
        .exclude(organization=showcase)
        .order_by("pk")
        .first()
    )
    holds = []
    if suspect is not None:
        holds = hold_place(
            actor=operator,
            entries=[suspect],
            reason=HoldReason.RISK,
            note="同一实名身份关联多个达人账号，正在核查",
        )
    return {
        "held": LedgerEntry.objects.filter(payment_status=PaymentStatus.HELD).count(),
        "corrections": len(corrections),
        "risk_holds": len(holds),
    }
