"""Transfers between organizations and disputes over a binding."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet

from .creators import BindingSource, Creator


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the creator")
    CONFIRMED = "confirmed", _("Confirmed by the creator")
    DECLINED = "declined", _("Declined by the creator")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class TransferRequestQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(creator__primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        return self.filter(
            Q(to_organization__memberships__user=user)
            | Q(from_organization__memberships__user=user)
        ).distinct()


class TransferRequest(models.Model):
    """An organization asks to take over a creator bound to another one. The creator confirms
    through a link (standing in for the platform's app); the move is recorded for both sides."""

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="transfers")
    from_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    salt = models.CharField(max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_creator",
                violation_error_message=_("A transfer of this creator is already waiting."),
            )
        ]

    def __str__(self):
        return f"{self.creator} -> {self.to_organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Creator stays with the current organization")
    AWARDED = "awarded", _("Creator moved to the claimant")


class DisputeQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(creator__primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        return self.filter(
            Q(holder__memberships__user=user) | Q(claimant__memberships__user=user)
        ).distinct()


class Dispute(models.Model):
    """Two organizations claim one creator. An operator hears both and decides."""

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="disputes")
    holder = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="disputes_held",
        verbose_name=_("current organization"),
    )
    claimant = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="disputes_claimed",
        verbose_name=_("claimant"),
    )
    claimed_source = models.CharField(
        _("claimed source"), max_length=20, choices=BindingSource.choices
    )
    statement = models.TextField(_("claimant's statement"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolution = models.TextField(_("decision and reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "claimant"],
                condition=Q(status="open"),
                name="dispute_one_open_per_claim",
                violation_error_message=_(
                    "Your organization already has an open dispute for this creator."
                ),
            )
        ]

    def __str__(self):
        return f"{self.creator}: {self.claimant} vs {self.holder}"
