"""MCN organizations and the people who work for them."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet

from .validators import validate_credit_code


class OrganizationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which an organization still holds its credit code (a closed application frees it).
CREDIT_CODE_HOLDING_STATES = [
    OrganizationStatus.DRAFT,
    OrganizationStatus.SUBMITTED,
    OrganizationStatus.UNDER_REVIEW,
    OrganizationStatus.CHANGES_REQUESTED,
    OrganizationStatus.APPROVED,
    OrganizationStatus.SUSPENDED,
]


class OrgRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class OrganizationQuerySet(ScopedQuerySet):
    """Operators see every organization. Managers see applications and organizations in their
    categories once submitted (a draft is the applicant's own). Members see their organization."""

    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return (
            self.filter(primary_categories__in=manager_category_ids(user))
            .exclude(status=OrganizationStatus.DRAFT)
            .distinct()
        )

    def for_organization_member(self, user):
        return self.filter(memberships__user=user)


class Organization(models.Model):
    """An MCN organization (agency), from its first draft application to an active member of the
    program. `status` only changes through the transition services in `organizations.services`."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.DRAFT,
        db_index=True,
    )
    status_reason = models.TextField(_("reason for the current status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    primary_categories = models.ManyToManyField(
        "core.Category", related_name="organizations", verbose_name=_("primary categories")
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact mobile number"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    declared_roster_size = models.PositiveIntegerField(
        _("declared roster size"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["legal_name", "id"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(status__in=CREDIT_CODE_HOLDING_STATES) & ~Q(credit_code=""),
                name="organization_credit_code_unique_open",
                violation_error_message=_(
                    "Another organization has already applied with this unified social credit code."
                ),
            ),
        ]

    def __str__(self):
        return self.legal_name

    def get_absolute_url(self):
        return reverse("organizations:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.APPROVED


class MembershipQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        return self.filter(organization__in=Organization.objects.for_manager(user).values("pk"))

    def for_organization_member(self, user):
        return self.filter(organization__memberships__user=user)


class Membership(models.Model):
    """A person's place in one organization. A person works for at most one organization."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="membership",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=10, choices=OrgRole.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "role", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"
