"""Invoices (发票) an organization provides for its cash payouts above the program's threshold.

Posting a list holds an organization's own cash entries of the cycle when their total is above
the rule version's `invoice_above` (hold reason "invoice"). The organization uploads the invoice
(a PDF or an image, through the upload cleaner) with its number and amount, which must be that
total to the fen; an operator verifies it, which releases the entries, or rejects it with a
reason, after which the organization uploads a corrected one.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet


class InvoiceStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


def invoice_path(invoice, filename: str) -> str:
    """Stored names are made on the server: the organization and a random id."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"invoices/{invoice.organization_id}/{uuid.uuid4().hex}.{extension}"


class InvoiceQuerySet(ScopedQuerySet):
    """Operators see every invoice; an organization's members their own; managers those of the
    organizations they may see."""

    def for_manager(self, user):
        from organizations.models import Organization

        return self.filter(organization__in=Organization.objects.for_manager(user).values("pk"))

    def for_organization_member(self, user):
        return self.filter(organization__memberships__user=user)


class Invoice(models.Model):
    """One invoice an organization sent for its cash of one cycle. At most one is awaiting or
    verified per organization and cycle (a rejected one is followed by a new upload)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey("incentives.Cycle", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("invoice number"), max_length=40)
    amount = MoneyField(_("invoice amount"))
    file = models.FileField(_("invoice file"), upload_to=invoice_path)
    content_type = models.CharField(max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.AWAITING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cycle"],
                condition=Q(status__in=["awaiting", "verified"]),
                name="invoice_one_open_per_cycle",
                violation_error_message=_(
                    "An invoice for this cycle is already awaiting verification or verified."
                ),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="awaiting") | Q(decided_at__isnull=False),
                name="invoice_decision_has_time",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
