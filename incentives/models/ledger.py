"""The ledger: posted entries, one per beneficiary, kind and cycle, paid exactly once."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet

from .lines import PUBLISHED_STATUSES, Beneficiary, LineKind, RewardLine, beneficiary_constraints
from .programs import Cycle, Pool
from .rules import RuleVersion


class PaymentStatus(models.TextChoices):
    """An entry's way to payment: held (a hold says why and what releases it) -> releasable
    ("pending": the next export takes it) -> exported -> paid or failed (failed ones are exported
    again); a held entry may instead be forfeited (its amount returns to the pool)."""

    HELD = "held", pgettext_lazy("payment", "Held")
    PENDING = "pending", _("Releasable")
    EXPORTED = "exported", _("Exported")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    FORFEITED = "forfeited", _("Forfeited")


class CarryReason(models.TextChoices):
    NONE = "", _("Not carried over")
    MINIMUM = "minimum", _("Below the minimum payout")
    NOT_POSITIVE = "not_positive", _("Corrections leave nothing to pay")


class LedgerEntryQuerySet(ScopedQuerySet):
    """Entries of published lists only, outside operators: an organization's own and its
    creators' entries (the organization named on the entry; a creator's where the creator shares
    their earnings with it), managers those of the organizations they may see."""

    def for_manager(self, user):
        from organizations.models import Organization

        return self.filter(
            cycle__reward_list__status__in=PUBLISHED_STATUSES,
            organization__in=Organization.objects.for_manager(user).values("pk"),
        )

    def for_organization_member(self, user):
        """Its creators' entries only where the creator shares their earnings with it."""
        from creators.consent import creator_rows_shared

        return self.filter(
            creator_rows_shared("earnings"),
            cycle__reward_list__status__in=PUBLISHED_STATUSES,
            organization__memberships__user=user,
        )


class LedgerEntry(Beneficiary):
    """Money committed from a pool to a beneficiary for a cycle. Written once, at approval; the
    database refuses a second entry for the same cycle, beneficiary and kind. Only its payment
    status changes afterwards."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    amount = MoneyField(_("amount"))
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(_("reason"), max_length=40)
    line = models.OneToOneField(
        RewardLine, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    payment_status = models.CharField(
        _("payment"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    payment_failure = models.CharField(
        _("why the payment failed"),
        max_length=200,
        blank=True,
        db_default="",  # ledger entries are posted by INSERT ... SELECT
        help_text=_("As the payment system's result file gave it; empty once paid."),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects entry"),
        help_text=_("The entry this adjusting entry takes money back from (or restores)."),
    )
    note = models.TextField(_("explanation"), blank=True, db_default="")
    exported_in = models.ForeignKey(
        "incentives.PaymentExport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last exported in"),
    )
    carry_reason = models.CharField(
        _("carried over"),
        max_length=16,
        choices=CarryReason.choices,
        blank=True,
        db_default="",
        help_text=_("Why the last export left this releasable entry for the next one."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = beneficiary_constraints("cycle", "ledger")

    def __str__(self):
        return f"{self.cycle} {self.kind} {self.amount}"
