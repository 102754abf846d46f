"""Video creators and the bindings that tie each one to an MCN organization."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet


class CreatorStage(models.TextChoices):
    NONE = "none", _("None")
    RESERVE = "reserve", _("Reserve pool")
    INCUBATING = "incubating", _("Incubating")
    TOP_100 = "top_100", _("Top 100")


class BindingSource(models.TextChoices):
    RECRUITED = "recruited", _("Recruited (new to the platform)")
    TRANSFERRED = "transferred", _("Transferred from another organization")


class CreatorQuerySet(ScopedQuerySet):
    """Operators see every creator; managers the creators of their categories; organization people
    the creators currently bound to their organization."""

    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        return self.filter(
            bindings__ended_on__isnull=True,
            bindings__organization__memberships__user=user,
        )


class Creator(models.Model):
    """A video creator's platform account."""

    platform_account_id = models.CharField(_("platform account id"), max_length=64, unique=True)
    display_name = models.CharField(_("display name"), max_length=100)
    primary_category = models.ForeignKey(
        "core.Category",
        on_delete=models.PROTECT,
        related_name="primary_creators",
        verbose_name=_("primary creative field"),
    )
    secondary_categories = models.ManyToManyField(
        "core.Category",
        blank=True,
        related_name="secondary_creators",
        verbose_name=_("secondary creative fields"),
    )
    follower_count = models.PositiveBigIntegerField(_("followers"), default=0)
    real_name_verified = models.BooleanField(_("real-name verified"), default=False)
    stage = models.CharField(
        _("stage"), max_length=20, choices=CreatorStage.choices, default=CreatorStage.NONE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CreatorQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("creator")
        verbose_name_plural = _("creators")

    def __str__(self):
        return f"{self.display_name} ({self.platform_account_id})"


class BindingQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(creator__primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        return self.filter(organization__memberships__user=user)

    def active(self):
        return self.filter(ended_on__isnull=True)


class Binding(models.Model):
    """A creator working with an organization from `started_on` until `ended_on` (open while None).

    A creator has at most one active binding: the database refuses a second one.
    """

    creator = models.ForeignKey(
        Creator, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("creator")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="bindings",
        verbose_name=_("organization"),
    )
    source = models.CharField(_("source"), max_length=20, choices=BindingSource.choices)
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BindingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("binding")
        verbose_name_plural = _("bindings")
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(ended_on__isnull=True),
                name="binding_one_active_per_creator",
                violation_error_message=_("This creator is already bound to an organization."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="binding_ends_after_start",
                violation_error_message=_("A binding cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization"],
                condition=Q(ended_on__isnull=True),
                name="binding_active_by_org_idx",
            )
        ]

    def __str__(self):
        return f"{self.creator} -> {self.organization}"
