"""Holds: why an entry waits, what releases it, and the decisions that end a hold.

Posting a list holds the entries of every kind with a holding period (rule data of the list's
version) until the period's last day has passed: one `Hold` per entry, written set-based. Other
holds (a risk case, a missing invoice, a suspension, an operator's review) are placed on entries
not yet exported. An entry's state follows its holds under its row lock: held while it has an
active hold, releasable (`pending`) once the last one is released. The export takes releasable
entries only and locks them first, so a release and an export at the same time can never put a
held entry in a payment file.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import (
    Cycle,
    Hold,
    HoldingPeriod,
    HoldReason,
    LedgerEntry,
    PaymentStatus,
    RuleVersion,
)
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core.money import to_fen
from portal.core.rights import granted_values

from .review import commit_to_pools, lock_pools

# Entries not yet in a payment file: a hold may still be placed on them.
NOT_EXPORTED = (PaymentStatus.HELD, PaymentStatus.PENDING, PaymentStatus.FAILED)


def active_holds():
    return Hold.objects.filter(released_at__isnull=True)


def _has_active_hold():
    return Exists(active_holds().filter(entry=OuterRef("pk")))


_HOLD_PERIOD = """
INSERT INTO incentives_hold (entry_id, reason, releases_on, note, placed_at, release_note)
SELECT id, %s, %s, '', %s, '' FROM incentives_ledgerentry
WHERE cycle_id = %s AND kind = %s AND payment_status = %s AND amount > 0
"""


def _hold_sql(these: bool, organizations: list[int]) -> str:
    """The entries of the organizations named (a shortened period), or of every other beneficiary
    (plain IN lists, so the embedded SQLite of `make run` runs it as PostgreSQL does)."""
    marks = ", ".join(["%s"] * len(organizations))
    if these:
        return _HOLD_PERIOD + f"AND organization_id IN ({marks})"
    if organizations:
        return _HOLD_PERIOD + f"AND (organization_id IS NULL OR organization_id NOT IN ({marks}))"
    return _HOLD_PERIOD


def holds_post_periods(
    cycle: Cycle, version: RuleVersion, today: datetime.date | None = None
) -> int:
    """Hold the cycle's new releasable entries of every kind with a holding period that has not
    passed (called by posting, inside its transaction). Returns the entries held.

    An organization whose growth level grants days off the holding period (the right
    "holding_days_less", read through `portal.core.rights` on the posting day) has the entries on
    its statement, its creators' included, released that many days sooner."""
    today = today or timezone.localdate()
    now = timezone.now()
    days_off = granted_values("holding_days_less", today)
    held = 0
    for period in HoldingPeriod.objects.filter(version=version, days__gt=0).order_by("kind"):
        shortened: dict[int, list[int]] = {}
        for organization, off in days_off.items():
            if off > 0:
                shortened.setdefault(min(off, period.days), []).append(organization)
        everyone_shortened = [o for organizations in shortened.values() for o in organizations]
        groups = [
            (period.days, False, everyone_shortened),
            *(
                (period.days - off, True, organizations)
                for off, organizations in sorted(shortened.items())
            ),
        ]
        for days, these, organizations in groups:
            releases_on = cycle.ends_on + datetime.timedelta(days=days)
            if releases_on <= today:
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    _hold_sql(these, organizations),
                    [
                        HoldReason.PERIOD,
                        releases_on,
                        now,
                        cycle.pk,
                        period.kind,
                        PaymentStatus.PENDING,
                        *organizations,
                    ],
                )
                held += cursor.rowcount
    if held:
        LedgerEntry.objects.filter(cycle=cycle, payment_status=PaymentStatus.PENDING).filter(
            _has_active_hold()
        ).update(payment_status=PaymentStatus.HELD)
    return held


def lock_entries(entries) -> list[LedgerEntry]:
    """The entries' rows, locked in id order (the export locks in the same order)."""
    return list(
        LedgerEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=[e.pk if isinstance(e, LedgerEntry) else e for e in entries])
        .order_by("pk")
    )


@transaction.atomic
def hold_place(
    *,
    actor,
    entries,
    reason: str,
    note: str,
    releases_on: datetime.date | None = None,
) -> list[Hold]:
    """Hold entries not yet exported for `reason` (one active hold per entry and reason).
    Entries already exported, paid or forfeited are left alone and not returned."""
    authorize(actor, "payouts.hold")
    if reason not in HoldReason.values or reason == HoldReason.PERIOD:
        raise ValidationError({"reason": _("Choose why the entries are held.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why; the organization reads it.")})
    locked = [e for e in lock_entries(entries) if e.payment_status in NOT_EXPORTED]
    already = set(
        active_holds()
        .filter(entry__in=[e.pk for e in locked], reason=reason)
        .values_list("entry_id", flat=True)
    )
    now = timezone.now()
    holds = Hold.objects.bulk_create(
        Hold(
            entry=entry,
            reason=reason,
            releases_on=releases_on,
            note=note.strip(),
            placed_at=now,
            placed_by=None if actor is SYSTEM else actor,
        )
        for entry in locked
        if entry.pk not in already
    )
    LedgerEntry.objects.filter(
        pk__in=[h.entry_id for h in holds], payment_status__in=NOT_EXPORTED
    ).update(payment_status=PaymentStatus.HELD)
    if holds:
        audit_record(
            actor=actor,
            action="payouts.hold",
            obj=locked[0].cycle,
            after={"reason": reason, "entries": [h.entry_id for h in holds][:200]},
            reason=note.strip(),
        )
    return holds


def _release(holds: list[Hold], *, actor, note: str) -> int:
    """Release `holds` (rows already locked through their entries) and make every entry left
    without an active hold releasable. Returns the entries made releasable."""
    Hold.objects.filter(pk__in=[h.pk for h in holds], released_at__isnull=True).update(
        released_at=timezone.now(),
        released_by=None if actor is SYSTEM else actor,
        release_note=note,
    )
    return (
        LedgerEntry.objects.filter(
            pk__in={h.entry_id for h in holds}, payment_status=PaymentStatus.HELD
        )
        .exclude(_has_active_hold())
        .update(payment_status=PaymentStatus.PENDING)
    )


@transaction.atomic
def hold_release(*, actor, hold: Hold, note: str) -> Hold:
    """An operator's decision ending one hold; the entry is releasable when no other hold is left
    (a holding period releases itself on its day, or early by decision)."""
    authorize(actor, "payouts.release")
    if not note.strip():
        raise ValidationError({"note": _("Say why the hold is released.")})
    lock_entries([hold.entry_id])
    hold = Hold.objects.select_related("entry__cycle").get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError(_("This hold was already released."))
    _release([hold], actor=actor, note=note.strip())
    hold.refresh_from_db()
    audit_record(
        actor=actor,
        action="payouts.release",
        obj=hold.entry.cycle,
        organization=hold.entry.organization,
        before={"entry": hold.entry_id, "reason": hold.reason},
        after={"status": LedgerEntry.objects.get(pk=hold.entry_id).payment_status},
        reason=note.strip(),
    )
    return hold


@transaction.atomic
def holds_release_due(*, actor=SYSTEM, today: datetime.date | None = None) -> int:
    """Release every holding period whose day has come (nightly, and on demand). Set-based:
    the due entries are locked in id order, their period holds released in one statement."""
    authorize(actor, "payouts.release")
    today = today or timezone.localdate()
    due = active_holds().filter(reason=HoldReason.PERIOD, releases_on__lte=today)
    entry_ids = list(
        LedgerEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=due.values("entry_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not entry_ids:
        return 0
    holds = list(due.filter(entry_id__in=entry_ids).only("pk", "entry_id"))
    released = _release(holds, actor=actor, note=_("The holding period is over."))
    audit_record(
        actor=actor,
        action="payouts.release_due",
        obj=None,
        after={"holds": len(holds), "releasable": released, "day": today},
    )
    return released


@transaction.atomic
def entry_forfeit(*, actor, entry: LedgerEntry, note: str) -> LedgerEntry:
    """A held entry is not paid: its holds end with the decision and its amount returns to the
    pool. Only a held, positive entry (a clawback is never forfeited: it is recovered)."""
    authorize(actor, "payouts.release")
    if not note.strip():
        raise ValidationError({"note": _("Say why the entry is forfeited.")})
    (entry,) = lock_entries([entry])
    if entry.payment_status != PaymentStatus.HELD:
        raise ValidationError(_("Only a held entry can be forfeited."))
    if to_fen(entry.amount) <= 0:
        raise ValidationError(_("A correction is recovered, never forfeited."))
    pools = lock_pools(entry.cycle.program)
    # Corrections of the entry not yet in a payment file go with it: nothing is left to take
    # back from an amount that is not paid.
    corrections = lock_entries(
        entry.corrections.filter(payment_status__in=NOT_EXPORTED).values_list("pk", flat=True)
    )
    returned = to_fen(entry.amount) + sum(to_fen(c.amount) for c in corrections)
    holds = list(active_holds().filter(entry=entry))
    Hold.objects.filter(pk__in=[h.pk for h in holds]).update(
        released_at=timezone.now(),
        released_by=None if actor is SYSTEM else actor,
        release_note=note.strip(),
    )
    LedgerEntry.objects.filter(pk=entry.pk, payment_status=PaymentStatus.HELD).update(
        payment_status=PaymentStatus.FORFEITED
    )
    LedgerEntry.objects.filter(pk__in=[c.pk for c in corrections]).update(
        payment_status=PaymentStatus.FORFEITED
    )
    commit_to_pools(pools, {entry.pool.kind: -returned})
    audit_record(
        actor=actor,
        action="payouts.forfeit",
        obj=entry.cycle,
        organization=entry.organization,
        before={"entry": entry.pk, "status": PaymentStatus.HELD},
        after={"status": PaymentStatus.FORFEITED, "amount": entry.amount},
        reason=note.strip(),
    )
    entry.refresh_from_db()
    return entry


__all__ = [
    "entry_forfeit",
    "hold_place",
    "hold_release",
    "holds_post_periods",
    "holds_release_due",
]
