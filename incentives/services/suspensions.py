"""An organization's suspension, as the ledger sees it: its unpaid payouts held while it lasts,
released when it is reinstated (those holds only), forfeited when an operator decides so on its
appeal. Organizations does not import incentives: its lifecycle publishes the events
("organization.suspended", "organization.approved" with the reinstate transition,
"organization.suspension_forfeited") and `incentives.listeners` calls these services.

Which entries: the organization's own (its incentives, creator_id empty), positive and not yet in a
payment file. Its creators' entries are theirs, paid to them, and are not held for the
organization's suspension (a risk case holds a creator's entries when the creator is in doubt).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import Hold, HoldReason, LedgerEntry, PaymentStatus
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

from .holds import NOT_EXPORTED, _release, active_holds, entry_forfeit, hold_place, lock_entries


def _unpaid(organization):
    return LedgerEntry.objects.filter(
        organization=organization,
        creator__isnull=True,
        payment_status__in=NOT_EXPORTED,
        amount__gt=0,
    )


@transaction.atomic
def suspension_holds_place(*, actor, organization, note: str) -> int:
    """Hold the organization's unpaid entries for its suspension; returns the entries held."""
    note = (note or "").strip() or _("The organization is suspended.")
    entries = list(_unpaid(organization).order_by("pk").values_list("pk", flat=True))
    if not entries:
        return 0
    return len(hold_place(actor=actor, entries=entries, reason=HoldReason.SUSPENSION, note=note))


def suspension_holds_post(cycle) -> int:
    """Hold the new entries of organizations suspended when a list is posted (called by posting,
    inside its transaction): a suspension holds what is posted while it lasts too. Returns the
    entries held."""
    from organizations.models import OrganizationStatus

    rows = list(
        LedgerEntry.objects.filter(
            cycle=cycle,
            creator__isnull=True,
            amount__gt=0,
            payment_status__in=(PaymentStatus.HELD, PaymentStatus.PENDING),
            organization__status=OrganizationStatus.SUSPENDED,
        )
        .exclude(holds__reason=HoldReason.SUSPENSION, holds__released_at__isnull=True)
        .values_list("pk", "organization__status_reason")
    )
    if not rows:
        return 0
    now = timezone.now()
    Hold.objects.bulk_create(
        Hold(
            entry_id=pk,
            reason=HoldReason.SUSPENSION,
            note=reason or _("The organization is suspended."),
            placed_at=now,
        )
        for pk, reason in rows
    )
    LedgerEntry.objects.filter(
        pk__in=[pk for pk, _reason in rows], payment_status=PaymentStatus.PENDING
    ).update(payment_status=PaymentStatus.HELD)
    return len(rows)


def _suspension_holds(organization):
    return active_holds().filter(
        reason=HoldReason.SUSPENSION, entry__organization=organization, entry__creator__isnull=True
    )


@transaction.atomic
def suspension_holds_release(*, actor, organization, note: str) -> int:
    """End the suspension's holds (and only those): an entry held for another reason too (its
    holding period, a risk case, a missing invoice) stays held. Returns the entries made
    releasable."""
    authorize(actor, "payouts.release")
    note = (note or "").strip() or _("The organization is reinstated.")
    lock_entries(_suspension_holds(organization).values_list("entry_id", flat=True))
    holds = list(_suspension_holds(organization).only("pk", "entry_id"))
    if not holds:
        return 0
    releasable = _release(holds, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="payouts.release_suspension",
        obj=organization,
        organization=organization,
        after={"holds": len(holds), "releasable": releasable},
        reason=note,
    )
    return releasable


@transaction.atomic
def suspension_holds_forfeit(*, actor, organization, note: str) -> int:
    """Forfeit every entry the suspension holds, through the ledger's forfeit (its amount back to
    the pool, the decision's reason as the explanation). Returns the entries forfeited."""
    authorize(actor, "payouts.release")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the entries are forfeited.")})
    entry_ids = sorted(set(_suspension_holds(organization).values_list("entry_id", flat=True)))
    forfeited = 0
    for entry in lock_entries(entry_ids):
        if entry.payment_status == PaymentStatus.HELD:
            entry_forfeit(actor=actor, entry=entry, note=note)
            forfeited += 1
    return forfeited


__all__ = [
    "suspension_holds_forfeit",
    "suspension_holds_place",
    "suspension_holds_post",
    "suspension_holds_release",
]
