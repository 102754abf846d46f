"""Invoices (发票): the organization's cash above the program's threshold waits for one.

Posting a list holds each organization's own cash entries of the cycle (not its creators', who
are paid as persons) when their total is above the rule version's `invoice_above`: one hold per
entry, reason "invoice", written set-based. The organization uploads the invoice with its number
and amount (the held total, to the fen); an operator verifies it, which ends the invoice holds
(the entries are releasable once no other hold is left), or rejects it with a reason the
organization reads, and the organization uploads a corrected one.
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import (
    Cycle,
    HoldReason,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    PaymentStatus,
    PoolKind,
    RuleVersion,
)
from organizations.models import OrgRole
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core.money import money_sum, to_fen
from portal.core.notifications import notify
from portal.core.uploads import clean_document

from .holds import _release, active_holds, lock_entries


def invoice_holds_post(cycle: Cycle, version: RuleVersion) -> int:
    """Hold the organizations' own cash entries of `cycle` whose total per organization is above
    the version's threshold (called by posting, inside its transaction). Returns the entries
    held."""
    if version.invoice_above is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
WITH own AS (
    SELECT e.id, e.organization_id, sum(e.amount) OVER (PARTITION BY e.organization_id) AS total
    FROM incentives_ledgerentry e JOIN incentives_pool p ON p.id = e.pool_id
    WHERE e.cycle_id = %(cycle)s AND e.creator_id IS NULL AND p.kind = %(cash)s
      AND e.amount > 0 AND e.payment_status IN ('held', 'pending')
)
INSERT INTO incentives_hold (entry_id, reason, releases_on, note, placed_at, release_note)
SELECT id, %(reason)s, NULL, '', %(now)s, '' FROM own WHERE total > %(above)s
""",
            {
                "cycle": cycle.pk,
                "cash": PoolKind.CASH,
                "reason": HoldReason.INVOICE,
                "now": timezone.now(),
                "above": to_fen(version.invoice_above),
            },
        )
        held = cursor.rowcount
    if held:
        LedgerEntry.objects.filter(
            cycle=cycle,
            payment_status=PaymentStatus.PENDING,
            holds__reason=HoldReason.INVOICE,
            holds__released_at=None,
        ).update(payment_status=PaymentStatus.HELD)
    return held


def invoice_entries(organization, cycle):
    """The organization's entries of the cycle waiting for an invoice."""
    return LedgerEntry.objects.filter(
        cycle=cycle,
        organization=organization,
        creator=None,
        pk__in=active_holds().filter(reason=HoldReason.INVOICE).values("entry_id"),
    )


def invoice_due(organization, cycle):
    """The amount the organization's invoice for the cycle must state (None: none is asked)."""
    entries = invoice_entries(organization, cycle)
    if not entries.exists():
        return None
    return entries.aggregate(total=money_sum())["total"]


def _owners(organization):
    return [
        m.user
        for m in organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
    ]


@transaction.atomic
def invoice_upload(*, actor, organization, cycle: Cycle, number: str, amount, upload) -> Invoice:
    """The organization's invoice for its held cash of `cycle`. Its amount must be that cash to
    the fen; one invoice awaits verification at a time."""
    authorize(actor, "payouts.invoice", organization)
    errors = {}
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Enter the invoice number.")
    entries = lock_entries(invoice_entries(organization, cycle).values_list("pk", flat=True))
    due = sum(to_fen(e.amount) for e in entries)
    if not entries:
        raise ValidationError(_("No payout of this cycle is waiting for an invoice."))
    if amount is None or to_fen(amount) != due:
        errors["amount"] = _(
            "The invoice must state the held amount of %(due)s CNY; it states %(amount)s CNY."
        ) % {
            "due": f"{due / 100:,.2f}",
            "amount": "—" if amount is None else f"{amount:,.2f}",
        }
    if Invoice.objects.filter(
        organization=organization,
        cycle=cycle,
        status__in=(InvoiceStatus.AWAITING, InvoiceStatus.VERIFIED),
    ).exists():
        errors["file"] = _("An invoice for this cycle is already awaiting verification.")
    try:
        clean = clean_document(upload)
    except ValidationError as error:
        errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    invoice = Invoice(
        organization=organization,
        cycle=cycle,
        number=number,
        amount=amount,
        content_type=clean.content_type,
        uploaded_by=actor,
    )
    invoice.file.save(f"invoice.{clean.extension}", ContentFile(clean.content), save=False)
    invoice.full_clean()
    invoice.save()
    audit_record(
        actor=actor,
        action="payouts.invoice_upload",
        obj=invoice,
        organization=organization,
        after={"number": number, "amount": invoice.amount, "cycle": cycle.number},
    )
    return invoice


def _locked_awaiting(invoice: Invoice) -> Invoice:
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organization", "cycle")
        .get(pk=invoice.pk)
    )
    if invoice.status != InvoiceStatus.AWAITING:
        raise ValidationError(
            _("This invoice is %(status)s already.") % {"status": invoice.get_status_display()}
        )
    return invoice


def _statement_link(invoice: Invoice) -> str:
    reward_list = getattr(invoice.cycle, "reward_list", None)
    if reward_list is None:
        return ""
    return reverse("incentives:statement", args=[reward_list.pk])


@transaction.atomic
def invoice_verify(*, actor, invoice: Invoice) -> Invoice:
    """The invoice matches: its holds end, and every entry with no other hold is releasable
    (the next export pays it)."""
    authorize(actor, "payouts.release")
    invoice = _locked_awaiting(invoice)
    entries = lock_entries(
        invoice_entries(invoice.organization, invoice.cycle).values_list("pk", flat=True)
    )
    holds = list(active_holds().filter(entry__in=entries, reason=HoldReason.INVOICE))
    note = _("Invoice %(number)s verified.") % {"number": invoice.number}
    released = _release(holds, actor=actor, note=note)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.VERIFIED,
        decided_by=None if actor is SYSTEM else actor,
        decided_at=timezone.now(),
    )
    invoice.refresh_from_db()
    audit_record(
        actor=actor,
        action="payouts.invoice_verify",
        obj=invoice,
        organization=invoice.organization,
        before={"status": InvoiceStatus.AWAITING},
        after={"status": InvoiceStatus.VERIFIED, "holds": len(holds), "releasable": released},
    )
    notify(
        recipients=_owners(invoice.organization),
        event="invoice.verified",
        organization=invoice.organization,
        link=_statement_link(invoice),
    )
    return invoice


@transaction.atomic
def invoice_reject(*, actor, invoice: Invoice, note: str) -> Invoice:
    """The invoice does not do (wrong company, unreadable, another amount): the entries stay
    held and the organization reads why and uploads another."""
    authorize(actor, "payouts.release")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why; the organization reads it.")})
    invoice = _locked_awaiting(invoice)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.REJECTED,
        decided_by=None if actor is SYSTEM else actor,
        decided_at=timezone.now(),
        decision_note=note,
    )
    invoice.refresh_from_db()
    audit_record(
        actor=actor,
        action="payouts.invoice_reject",
        obj=invoice,
        organization=invoice.organization,
        before={"status": InvoiceStatus.AWAITING},
        after={"status": InvoiceStatus.REJECTED},
        reason=note,
    )
    notify(
        recipients=_owners(invoice.organization),
        event="invoice.rejected",
        organization=invoice.organization,
        reason=note,
        link=_statement_link(invoice),
    )
    return invoice


__all__ = [
    "invoice_due",
    "invoice_entries",
    "invoice_holds_post",
    "invoice_reject",
    "invoice_upload",
    "invoice_verify",
]
