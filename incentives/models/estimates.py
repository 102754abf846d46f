"""Estimates of the running cycle: what the real computation gives so far, never posted.

Every night (and on demand) the running cycle of each active program is computed by the
simulator's path (the settlement's SQL on a scratch list, rolled back) and the lines are kept
here, per beneficiary and kind. They are read as "estimated so far", clearly marked; once the
cycle's list is approved the ledger's final amounts replace them (the rows are deleted).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet


class EstimateQuerySet(ScopedQuerySet):
    """Operators see all; an organization's members its own and its creators' rows; managers
    those of the organizations they may see."""

    def for_manager(self, user):
        from organizations.models import Organization

        return self.filter(organization__in=Organization.objects.for_manager(user).values("pk"))

    def for_organization_member(self, user):
        return self.filter(organization__memberships__user=user)


class Estimate(models.Model):
    """One estimated amount of the running cycle for a beneficiary and kind (a creator row
    names the organization the creator is with, for its statement)."""

    cycle = models.ForeignKey("incentives.Cycle", on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(
        "creators.Creator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=16)
    pool = models.CharField(_("pool"), max_length=10)
    amount = MoneyField(_("estimated amount"))
    computed_at = models.DateTimeField(_("estimated at"))

    objects = EstimateQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "id"]
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        indexes = [models.Index(fields=["organization", "cycle"], name="estimate_org_cycle_idx")]

    def __str__(self):
        return f"{self.cycle_id} {self.kind} {self.amount}"
