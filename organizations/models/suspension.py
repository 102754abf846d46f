"""A suspension of an organization, its one appeal and the window to send it.

Suspending an approved organization opens a `Suspension` (the reason, the day the window to appeal
closes); reinstating it ends the suspension. While its window is open the organization may appeal
once: a statement and documents (PDF or images, through the upload cleaner). An operator decides:
reinstate, keep suspended, or forfeit the payouts the suspension holds. The holds themselves are
incentives' (placed and ended through the events hub, `portal.core.events`).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet

DEFAULT_APPEAL_DAYS = 14
MAX_APPEAL_DAYS = 90
MAX_APPEAL_DOCUMENTS = 5


class AppealWindow(models.Model):
    """How many days after a suspension the organization may appeal: rule data an operator edits.
    Each edit is a new row; the latest is in force, and a suspension keeps the deadline it got."""

    days = models.PositiveSmallIntegerField(
        _("days to appeal"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_APPEAL_DAYS)],
    )
    set_at = models.DateTimeField(_("set"), auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("appeal window")
        verbose_name_plural = _("appeal windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=MAX_APPEAL_DAYS),
                name="appeal_window_days_range",
                violation_error_message=_("The window is 1 to 90 days."),
            ),
        ]

    def __str__(self):
        return f"{self.days}"


class SuspensionQuerySet(ScopedQuerySet):
    """Operators see every suspension; an organization's members their own; nobody else."""

    organization_path = "organization"


class Suspension(models.Model):
    """One period an organization is suspended, from the operator's decision to reinstatement."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="suspensions"
    )
    reason = models.TextField(_("reason"))
    suspended_at = models.DateTimeField(_("suspended"))
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeal_until = models.DateField(_("appeal until"))
    ended_at = models.DateTimeField(_("reinstated"), null=True, blank=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-suspended_at", "-id"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(ended_at__isnull=True),
                name="suspension_one_open_per_organization",
                violation_error_message=_("This organization is already suspended."),
            ),
        ]

    def __str__(self):
        return f"{self.organization_id} {self.suspended_at:%Y-%m-%d}"


class AppealDecision(models.TextChoices):
    REINSTATE = "reinstate", _("Reinstate (release the held payouts)")
    KEEP = "keep", _("Keep suspended (the payouts stay held)")
    FORFEIT = "forfeit", _("Forfeit the held payouts (stays suspended)")


class AppealQuerySet(ScopedQuerySet):
    organization_path = "suspension__organization"


class SuspensionAppeal(models.Model):
    """The organization's one appeal of a suspension (one per suspension, by the database) and
    the operator's decision on it."""

    suspension = models.OneToOneField(
        Suspension,
        on_delete=models.PROTECT,
        related_name="appeal",
        error_messages={"unique": _("This suspension has already been appealed.")},
    )
    statement = models.TextField(_("statement"))
    submitted_at = models.DateTimeField(_("sent"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=AppealDecision.choices, blank=True
    )
    decision_note = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("suspension appeal")
        verbose_name_plural = _("suspension appeals")

    def __str__(self):
        return f"{self.suspension_id} {self.decision or 'open'}"


def appeal_document_path(document, filename: str) -> str:
    """Stored names are made on the server: the appeal and a random id."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"appeals/{document.appeal_id}/{uuid.uuid4().hex}.{extension}"


class AppealDocumentQuerySet(ScopedQuerySet):
    organization_path = "appeal__suspension__organization"


class AppealDocument(models.Model):
    """A document sent with an appeal (cleaned: images re-encoded, active PDFs refused)."""

    appeal = models.ForeignKey(SuspensionAppeal, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("document"), upload_to=appeal_document_path)
    content_type = models.CharField(max_length=40)

    objects = AppealDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("appeal document")
        verbose_name_plural = _("appeal documents")

    def __str__(self):
        return f"{self.appeal_id} {self.pk}"


__all__ = [
    "DEFAULT_APPEAL_DAYS",
    "MAX_APPEAL_DAYS",
    "MAX_APPEAL_DOCUMENTS",
    "AppealDecision",
    "AppealDocument",
    "AppealWindow",
    "Suspension",
    "SuspensionAppeal",
]
