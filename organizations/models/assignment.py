"""Which category manager coaches which organization (the assignment); the coaching itself lives
in the `coaching` app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet

from .organization import Organization


class ManagerAssignmentQuerySet(ScopedQuerySet):
    organization_path = "organization"

    def for_manager(self, user):
        return self.filter(manager=user)

    def active(self):
        return self.filter(ended_at__isnull=True)


class ManagerAssignment(models.Model):
    """A category manager coaching one organization one-on-one, from `started_at` until
    `ended_at`. An organization has at most one active assignment: the database refuses two."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="manager_assignments",
        verbose_name=_("organization"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="manager_assignments",
        verbose_name=_("category manager"),
    )
    started_at = models.DateTimeField(_("assigned"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)

    objects = ManagerAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("manager assignment")
        verbose_name_plural = _("manager assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_organization",
                violation_error_message=_("This organization already has a category manager."),
            )
        ]
        indexes = [
            models.Index(
                fields=["manager"], condition=Q(ended_at__isnull=True), name="assignment_active_idx"
            )
        ]

    def __str__(self):
        return f"{self.manager} -> {self.organization}"


__all__ = ["ManagerAssignment", "ManagerAssignmentQuerySet"]
