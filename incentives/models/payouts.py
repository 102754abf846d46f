"""The payout trust models: why an entry is held and what releases it, the holding periods (rule
data, per rule version and reward kind), each payment export and the entries it carried, and the
refunds partners report (which take commission back).

An entry's state lives on `LedgerEntry.payment_status`; a `Hold` row is one reason it is held.
An entry is held while it has an active hold (released_at empty), and only then: the services
change both under the entry's row lock, so the export (which takes releasable entries only)
never sees a held entry as releasable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.money import MoneyField

MAX_HOLDING_DAYS = 365


class HoldingPeriod(models.Model):
    """How long entries of one reward kind are held after their cycle ends (commission for the
    returns window, say), per rule version. Kinds without a row are releasable at approval."""

    version = models.ForeignKey(
        "incentives.RuleVersion", on_delete=models.CASCADE, related_name="holding_periods"
    )
    kind = models.CharField(_("kind"), max_length=16)
    days = models.PositiveSmallIntegerField(
        _("days after the cycle ends"),
        help_text=_("0 releases the entries as soon as the list is approved."),
    )

    class Meta:
        ordering = ["version", "kind"]
        verbose_name = _("holding period")
        verbose_name_plural = _("holding periods")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind"],
                name="holding_period_one_per_kind",
                violation_error_message=_("This kind already has a holding period."),
            ),
            models.CheckConstraint(
                condition=Q(days__lte=MAX_HOLDING_DAYS),
                name="holding_period_days_range",
                violation_error_message=_("A holding period is at most 365 days."),
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.days}"


class HoldReason(models.TextChoices):
    PERIOD = "period", _("Holding period")
    RISK = "risk", _("Risk review")
    INVOICE = "invoice", _("Invoice missing")
    SUSPENSION = "suspension", _("Organization suspended")
    REVIEW = "review", _("Operator review")


class Hold(models.Model):
    """One reason an entry is held. A holding period releases itself on `releases_on`; the others
    are released (or the entry forfeited) by an operator's decision."""

    entry = models.ForeignKey(
        "incentives.LedgerEntry", on_delete=models.PROTECT, related_name="holds"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=HoldReason.choices)
    releases_on = models.DateField(_("released on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    placed_at = models.DateTimeField(_("placed"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["entry", "placed_at", "id"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "reason"],
                condition=Q(released_at__isnull=True),
                name="hold_one_active_per_reason",
            ),
            models.CheckConstraint(
                condition=~Q(reason="period") | Q(releases_on__isnull=False),
                name="hold_period_has_release_day",
            ),
        ]
        indexes = [
            models.Index(
                fields=["releases_on"],
                condition=Q(released_at__isnull=True, reason="period"),
                name="hold_period_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.entry_id} {self.reason}"

    @property
    def active(self) -> bool:
        return self.released_at is None


class PaymentExport(models.Model):
    """One payment file: which list exported it, who, and the entries it carried (items)."""

    reward_list = models.ForeignKey(
        "incentives.RewardList", on_delete=models.PROTECT, related_name="exports"
    )
    number = models.PositiveIntegerField(_("export"))
    created_at = models.DateTimeField(_("exported"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    total = MoneyField(_("total"), default=0)
    carried_over = models.PositiveIntegerField(_("entries carried over"), default=0)

    class Meta:
        ordering = ["reward_list", "number"]
        verbose_name = _("payment export")
        verbose_name_plural = _("payment exports")
        constraints = [
            models.UniqueConstraint(
                fields=["reward_list", "number"], name="payment_export_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.reward_list} / {self.number}"


class PaymentExportItem(models.Model):
    """An entry as a payment file carried it (the amount it asked the payment system to pay)."""

    export = models.ForeignKey(PaymentExport, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(
        "incentives.LedgerEntry", on_delete=models.PROTECT, related_name="export_items"
    )
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["export", "entry"]
        verbose_name = _("payment export item")
        verbose_name_plural = _("payment export items")
        constraints = [models.UniqueConstraint(fields=["export", "entry"], name="export_item_once")]

    def __str__(self):
        return f"{self.export_id}:{self.entry_id}"


class Refund(models.Model):
    """Refunded GMV of a creator's orders on one day, as the partner reports it: the total so far
    (a resend with the same total changes nothing; a higher total takes back the difference's
    commission)."""

    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("order day"))
    amount = MoneyField(_("refunded GMV"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-day", "creator"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.UniqueConstraint(fields=["creator", "day"], name="refund_once_per_creator_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"{self.creator_id} {self.day} {self.amount}"
