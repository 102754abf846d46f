"""Creators and the bindings that tie each one to an MCN organization."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, FilteredRelation, Q
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


def avatar_path(creator, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"avatars/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{extension}"


class CreatorQuerySet(ScopedQuerySet):
    """Operators see every creator; managers the creators of their categories; organization people
    the creators currently bound to their organization."""

    category_path = "primary_category"

    def with_active_binding(self):
        """Join each creator's current binding once, as `active` (rosters read its columns)."""
        if "active" in self.query._filtered_relations:
            return self
        return self.annotate(
            active=FilteredRelation("bindings", condition=Q(bindings__ended_on__isnull=True))
        )

    def for_organization_member(self, user):
        # Filtering on the joined current binding with the organization's id as a constant lets
        # the database walk the (organization, start date) index of a roster of any size.
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        return self.with_active_binding().filter(active__organization_id=membership.organization_id)


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
    avatar = models.FileField(_("avatar"), upload_to=avatar_path, blank=True)
    # Rolling figures of the last 30 days with metrics, kept up to date by metrics ingestion so
    # that rosters of a million creators sort on an index instead of aggregating on every page.
    plays_30d = models.PositiveBigIntegerField(_("plays (30 days)"), default=0)
    valid_plays_30d = models.PositiveBigIntegerField(_("valid plays (30 days)"), default=0)
    gmv_30d = models.DecimalField(_("GMV (30 days)"), max_digits=16, decimal_places=2, default=0)
    metrics_through = models.DateField(_("metrics up to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CreatorQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
        indexes = [
            models.Index(fields=["-follower_count", "id"], name="creator_followers_idx"),
            models.Index(fields=["-plays_30d", "id"], name="creator_plays_idx"),
            models.Index(fields=["-gmv_30d", "id"], name="creator_gmv_idx"),
            models.Index(fields=["display_name", "id"], name="creator_name_idx"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.platform_account_id})"


class BindingQuerySet(ScopedQuerySet):
    category_path = "creator__primary_category"
    organization_path = "organization"

    def active(self):
        return self.filter(ended_on__isnull=True)

    def sharing(self, scope: str):
        """Bindings whose creator shares `scope` ("earnings", "metrics", "contact") with the
        organization: the consent's column of that name (set only on a given consent)."""
        return self.filter(**{f"consent__{scope}": True})

    def covering_day(self, *, creator, day):
        """The binding of `creator` on `day` (values or OuterRefs): the day is in its period."""
        return self.filter(creator_id=creator, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def overlapping(self, *, creator, started_on, ended_on=None):
        """The bindings of `creator` sharing a day with the period [started_on, ended_on)."""
        found = self.filter(creator=creator).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=started_on)
        )
        return found if ended_on is None else found.filter(started_on__lt=ended_on)


class Binding(models.Model):
    """A creator working with an organization for the days from `started_on` up to `ended_on`
    (open while None). `ended_on` is the day it ended, which is no longer part of it: a binding
    that starts that day (a transfer) takes over from it, so every day of a creator belongs to at
    most one organization.

    A creator has at most one active binding, and the periods of one creator's bindings never
    overlap: the database refuses both (an exclusion constraint on PostgreSQL, created by a
    migration because it needs the btree_gist extension), and the services check both first.
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
    end_reason = models.TextField(_("reason for ending"), blank=True)
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
        # The roster's joined-date sorts (start date, then creator, in either direction): one
        # organization's current bindings, and everyone's for staff.
        indexes = [
            models.Index(
                fields=["organization", "-started_on", "-creator"],
                condition=Q(ended_on__isnull=True),
                name="binding_active_org_joined_idx",
            ),
            models.Index(
                fields=["-started_on", "-creator"],
                condition=Q(ended_on__isnull=True),
                name="binding_active_joined_idx",
            ),
        ]

    def __str__(self):
        return f"{self.creator} -> {self.organization}"
