"""Read side of payout trust: why an entry is held and what releases it, in the reader's
language; an organization's totals by state; the corrections on a statement."""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from incentives.models import (
    PUBLISHED_STATUSES,
    CarryReason,
    Cycle,
    Estimate,
    Hold,
    HoldReason,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    PaymentStatus,
)
from portal.core.money import money_sum

ZERO = Decimal(0)


def what_releases(hold: Hold, *, invoice_sent: bool = False) -> str:
    """What ends `hold`, in the reader's language (`invoice_sent`: an invoice for the entry's
    cycle awaits verification)."""
    if hold.reason == HoldReason.PERIOD:
        return _("Released on %(day)s, when the holding period is over.") % {
            "day": date_format(hold.releases_on, "Y-m-d")
        }
    if hold.reason == HoldReason.RISK:
        return _(
            "Released when the program team closes the risk review; you may send them documents "
            "that explain the case."
        )
    if hold.reason == HoldReason.INVOICE:
        if invoice_sent:
            return _("Your invoice awaits verification; the amount is released once it is.")
        return _(
            "Released once your invoice for this cycle's cash is verified: send it from the "
            "statement."
        )
    if hold.reason == HoldReason.SUSPENSION:
        return _(
            "Released if the organization is reinstated; it may appeal the suspension once, "
            "before the deadline its suspension page shows."
        )
    return _("Released by the program team's decision.")


def carry_text(entry: LedgerEntry, minimum: Decimal | None = None) -> str:
    if entry.carry_reason == CarryReason.MINIMUM:
        if minimum:
            return _(
                "Carried over to the next payment: the payee's releasable cash is below the "
                "minimum payout of %(minimum)s CNY."
            ) % {"minimum": f"{minimum:,.2f}"}
        return _("Carried over to the next payment: below the minimum payout.")
    if entry.carry_reason == CarryReason.NOT_POSITIVE:
        return _(
            "Carried over to the next payment: corrections take back at least as much as is "
            "releasable, and a payment is never negative."
        )
    return ""


def explain_holds(entries) -> list:
    """Sets `.why_held` (a list of (reason label, what releases it, note)) and `.carried` on each
    entry (None skipped), with one query for the page."""
    entries = [e for e in entries if e is not None]
    holds: dict[int, list] = {}
    held = {e.pk: e for e in entries if e.payment_status == PaymentStatus.HELD}
    if held:
        active = list(
            Hold.objects.filter(entry_id__in=list(held), released_at=None).order_by(
                "placed_at", "pk"
            )
        )
        sent = _invoices_awaiting(
            [held[h.entry_id] for h in active if h.reason == HoldReason.INVOICE]
        )
        for hold in active:
            entry = held[hold.entry_id]
            waiting = (entry.organization_id, entry.cycle_id) in sent
            label = (
                _("Invoice awaiting verification")
                if hold.reason == HoldReason.INVOICE and waiting
                else hold.get_reason_display()
            )
            holds.setdefault(hold.entry_id, []).append(
                (label, what_releases(hold, invoice_sent=waiting), hold.note)
            )
    for entry in entries:
        entry.why_held = holds.get(entry.pk, [])
        entry.carried = (
            carry_text(entry, entry.rule_version.minimum_payout if entry.rule_version else None)
            if entry.payment_status in (PaymentStatus.PENDING, PaymentStatus.FAILED)
            and entry.carry_reason
            else ""
        )
    return entries


def _invoices_awaiting(entries) -> set:
    """(organization, cycle) pairs among `entries` with an invoice awaiting verification."""
    if not entries:
        return set()
    return set(
        Invoice.objects.filter(
            status=InvoiceStatus.AWAITING,
            organization_id__in={e.organization_id for e in entries},
            cycle_id__in={e.cycle_id for e in entries},
        ).values_list("organization_id", "cycle_id")
    )


STATES = (
    PaymentStatus.HELD,
    PaymentStatus.PENDING,
    PaymentStatus.EXPORTED,
    PaymentStatus.PAID,
    PaymentStatus.FAILED,
    PaymentStatus.FORFEITED,
)


def state_totals(entries) -> dict:
    """Count and sum per state of `entries` (a queryset), and how many releasable ones were
    carried over; `posted` is the sum of all of them."""
    rows = entries.values("payment_status").order_by().annotate(n=Count("id"), total=money_sum())
    out = {state: {"n": 0, "total": ZERO} for state in STATES}
    for row in rows:
        out[row["payment_status"]] = {"n": row["n"], "total": row["total"]}
    carried = entries.filter(
        payment_status__in=(PaymentStatus.PENDING, PaymentStatus.FAILED)
    ).exclude(carry_reason="")
    out["carried"] = carried.aggregate(n=Count("id"), total=money_sum())
    out["posted"] = sum((value["total"] for key, value in out.items() if key in STATES), ZERO)
    labels = dict(PaymentStatus.choices)
    out["labels"] = [(state, labels[state]) for state in STATES]
    # The bar: each state's share of the positive amounts (corrections net inside a state).
    positive = sum((max(out[s]["total"], ZERO) for s in STATES), ZERO)
    bar, x = [], Decimal(0)
    for state in STATES:
        total = out[state]["total"]
        if positive and total > 0:
            width = (total * 100 / positive).quantize(Decimal("0.01"))
            bar.append(
                {"key": state, "label": labels[state], "total": total, "x": x, "width": width}
            )
            x += width
    out["bar"] = bar
    return out


def organization_estimate(organization, program=None) -> dict | None:
    """The running cycle's "estimated so far" for an organization (its own and its creators'
    amounts, per pool), with the cycle and when it was computed; None without an estimate."""
    rows = Estimate.objects.filter(organization=organization)
    if program is not None:
        rows = rows.filter(cycle__program=program)
    latest = rows.order_by("-cycle__starts_on").values("cycle_id", "computed_at").first()
    if latest is None:
        return None
    rows = rows.filter(cycle_id=latest["cycle_id"])
    totals = {
        (row["own"], row["pool"]): row["total"]
        for row in rows.annotate(own=Q(creator__isnull=True))
        .values("own", "pool")
        .order_by()
        .annotate(total=money_sum())
    }
    cycle = Cycle.objects.select_related("program").get(pk=latest["cycle_id"])
    own = totals.get((True, "cash"), ZERO)
    creators = totals.get((False, "cash"), ZERO)
    return {
        "cycle": cycle,
        "computed_at": latest["computed_at"],
        "own_cash": own,
        "creators_cash": creators,
        "cash": own + creators,
        "traffic": totals.get((True, "traffic"), ZERO) + totals.get((False, "traffic"), ZERO),
        "creators": rows.exclude(creator=None).values("creator_id").distinct().count(),
    }


def organization_entries(organization, program=None):
    """An organization's entries (its own and its creators') on published lists."""
    entries = LedgerEntry.objects.filter(
        organization=organization, cycle__reward_list__status__in=PUBLISHED_STATUSES
    )
    if program is not None:
        entries = entries.filter(cycle__program=program)
    return entries


def statement_corrections(cycle, organization, user) -> list:
    """Correcting entries of a cycle for the organization and its creators that `user` may see
    (a creator's only where they share their earnings with the organization): each with the
    entry it corrects, and why it is held (`explain_holds`)."""
    return explain_holds(
        list(
            LedgerEntry.objects.for_user(user)
            .filter(cycle=cycle, organization=organization)
            .filter(Q(corrects__isnull=False))
            .select_related("corrects__cycle", "creator", "rule_version")
            .order_by("pk")
        )
    )


__all__ = [
    "carry_text",
    "explain_holds",
    "organization_entries",
    "organization_estimate",
    "state_totals",
    "statement_corrections",
    "what_releases",
]
