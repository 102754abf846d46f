"""Agency growth: a monthly health score per organization, levels with hysteresis, and the rights
each level unlocks.

The score's components are fixed definitions (growth/services/scorecard.py says each one in
full); their weights are data, in versions an operator drafts and publishes (whole percent that
add up to 100, which the database checks for a published version). Levels are rows with the score
that reaches them, and each level's rights are rows too (`LevelRight`): services read a right
through `growth.selectors.right_for` where they apply it, never a copy of the number.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.scoping import ScopedQuerySet

# (code, label, better): the score's components. "higher" ranks the largest figure best, "lower"
# the smallest (violations).
COMPONENTS = (
    ("original_share", _("Original-video share"), "higher"),
    ("active_share", _("Active creators"), "higher"),
    ("qualification_rate", _("Qualification rate"), "higher"),
    ("violations", _("Confirmed violations"), "lower"),
    ("items_on_time", _("Action items done on time"), "higher"),
    ("growth", _("Roster growth"), "higher"),
)
COMPONENT_CODES = tuple(code for code, _label, _better in COMPONENTS)
COMPONENT_LABELS = {code: label for code, label, _better in COMPONENTS}


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ScorecardVersion(models.Model):
    """One version of the health score's weights (whole percent). A month is scored with the
    newest published version in force on its first day; a published version never changes."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    effective_from = models.DateField(_("in force from"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    original_share = models.PositiveSmallIntegerField(_("original-video share"), default=20)
    active_share = models.PositiveSmallIntegerField(_("active creators"), default=20)
    qualification_rate = models.PositiveSmallIntegerField(_("qualification rate"), default=20)
    violations = models.PositiveSmallIntegerField(_("confirmed violations"), default=15)
    items_on_time = models.PositiveSmallIntegerField(_("action items done on time"), default=10)
    growth = models.PositiveSmallIntegerField(_("roster growth"), default=15)
    note = models.TextField(_("what changed"), blank=True)
    # Empty for the first version, which the migration publishes.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    Exact(
                        F("original_share")
                        + F("active_share")
                        + F("qualification_rate")
                        + F("violations")
                        + F("items_on_time")
                        + F("growth"),
                        100,
                    )
                ),
                name="scorecard_weights_sum_100",
                violation_error_message=_("The weights must add up to 100%."),
            ),
        ]

    def __str__(self):
        return f"v{self.number}"

    @property
    def total(self) -> int:
        return sum(getattr(self, code) for code in COMPONENT_CODES)

    def weights(self) -> dict[str, int]:
        return {code: getattr(self, code) for code in COMPONENT_CODES}


class Level(models.Model):
    """A level an organization reaches with a monthly score of at least `min_score`. Level 1
    starts at 0, so every scored organization has one."""

    number = models.PositiveSmallIntegerField(pgettext_lazy("growth", "level"), unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60)
    min_score = models.DecimalField(_("score from"), max_digits=6, decimal_places=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = pgettext_lazy("growth", "level")
        verbose_name_plural = _("levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0) & Q(min_score__lte=100),
                name="level_min_score_range",
                violation_error_message=_("A level's score is between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=9),
                name="level_number_range",
                violation_error_message=_("Levels are numbered 1 to 9."),
            ),
            models.UniqueConstraint(
                fields=["min_score"],
                name="level_min_score_unique",
                violation_error_message=_("Two levels cannot start at the same score."),
            ),
        ]

    def __str__(self):
        return f"L{self.number}"

    @property
    def code(self) -> str:
        return f"L{self.number}"

    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class RightKey(models.TextChoices):
    NOMINATION_QUOTA = "nomination_quota", _("Incubation nominations a month")
    PLACEMENT_QUOTA = "placement_quota", _("Display placements a month")
    HOLDING_DAYS_LESS = "holding_days_less", _("Days off the holding period")
    REVIEW_LANE = "review_lane", _("Dedicated originality review lane")


# How each right's value reads: a count, a number of days, or a switch (1: granted).
RIGHT_KINDS = {
    RightKey.NOMINATION_QUOTA: "count",
    RightKey.PLACEMENT_QUOTA: "count",
    RightKey.HOLDING_DAYS_LESS: "days",
    RightKey.REVIEW_LANE: "switch",
}


class LevelRight(models.Model):
    """What a level unlocks: one row per (level, right). A level without a row for a right does
    not grant it, and the program's general rule applies."""

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="rights")
    key = models.CharField(_("right"), max_length=20, choices=RightKey.choices)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["level__number", "key"]
        verbose_name = _("level right")
        verbose_name_plural = _("level rights")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "key"],
                name="level_right_once_per_level",
                violation_error_message=_("This level already has this right."),
            ),
            models.CheckConstraint(condition=Q(value__lte=100000), name="level_right_value_range"),
        ]

    audit_repr = "{level} {key}"

    def __str__(self):
        return f"{self.level} {self.key}={self.value}"


class ScorecardQuerySet(ScopedQuerySet):
    """Operators see every scorecard; managers those of the organizations they may see; an
    organization its own."""

    organization_path = "organization"

    def for_manager(self, user):
        from organizations.models import Organization

        return self.filter(organization__in=Organization.objects.for_manager(user).values("pk"))


class Scorecard(models.Model):
    """One organization's health score for one month (the month's first day), with the raw
    figures, each component's percentile among the month's scored organizations (0-1), the
    score, the level the score reaches and the level held after the hysteresis rule."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="scorecards"
    )
    month = models.DateField(_("month"))
    version = models.ForeignKey(ScorecardVersion, on_delete=models.PROTECT, related_name="+")
    videos = models.BigIntegerField(_("videos published"), default=0)
    original_videos = models.BigIntegerField(_("original videos"), default=0)
    creators = models.BigIntegerField(_("creators bound"), default=0)
    active_creators = models.BigIntegerField(_("active creators"), default=0)
    recruited = models.BigIntegerField(_("creators recruited"), default=0)
    qualified = models.BigIntegerField(_("creators qualified"), default=0)
    violations = models.BigIntegerField(_("confirmed violations"), default=0)
    items_due = models.BigIntegerField(_("action items due"), default=0)
    items_on_time = models.BigIntegerField(_("action items done on time"), default=0)
    roster_start = models.BigIntegerField(_("roster at the start"), default=0)
    roster_end = models.BigIntegerField(_("roster at the end"), default=0)
    p_original_share = models.FloatField(default=0)
    p_active_share = models.FloatField(default=0)
    p_qualification_rate = models.FloatField(default=0)
    p_violations = models.FloatField(default=0)
    p_items_on_time = models.FloatField(default=0)
    p_growth = models.FloatField(default=0)
    scored = models.PositiveIntegerField(_("organizations scored"), default=1)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=3)
    reached_level = models.PositiveSmallIntegerField(_("level the score reaches"), default=0)
    level = models.PositiveSmallIntegerField(pgettext_lazy("growth", "level"), default=0)
    months_below = models.PositiveSmallIntegerField(_("months below the level"), default=0)
    previous_level = models.PositiveSmallIntegerField(_("level the month before"), null=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-score", "organization_id"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="scorecard_one_per_organization_month"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="scorecard_score_range"
            ),
        ]
        indexes = [models.Index(fields=["month", "-score"], name="scorecard_month_score_idx")]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m}: {self.score}"

    @property
    def level_code(self) -> str:
        return f"L{self.level}" if self.level else "–"


class SelfServiceLinkQuerySet(ScopedQuerySet):
    """Operators see every link; an organization's people the links their organization sent.
    Managers see none: a link is sent by the organization or the program team."""

    def for_manager(self, user):
        return self.none()

    def for_organization_member(self, user):
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)


class SelfServiceLink(models.Model):
    """A signed, expiring link that lets a creator read their own page without an account: who
    holds them, their lines and their states, their videos. The token is an HMAC of the link's
    id and salt (never stored); revoking the link or its expiry ends it."""

    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="self_service_links"
    )
    # The organization that sent it; empty when the program team did.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    salt = models.CharField(max_length=32)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SelfServiceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        indexes = [models.Index(fields=["creator", "-created_at"], name="selfservice_creator_idx")]

    audit_repr = "{creator}"

    def __str__(self):
        return f"{self.creator_id} #{self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "active"
