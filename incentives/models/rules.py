"""Versioned rules an operator edits: subsidy rules, organization tiers, traffic bands."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import Category
from portal.core.money import MoneyField

from .programs import TOP_TIER_LIMIT_FEN, Program


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RuleVersion(models.Model):
    """One version of a program's rules. A draft is edited and simulated; once published it never
    changes, and settled lines name the version that produced them."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(
        _("in force from"), help_text=_("Cycles starting on or after this day use this version.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT
    )
    note = models.TextField(_("what changed"), blank=True)
    creator_cap = MoneyField(
        _("cap per creator and cycle"),
        default=30_000,
        help_text=_("Across all of a creator's subsidy lines (creative-field and playback)."),
    )
    playback_rate = MoneyField(_("playback subsidy per 1,000 valid plays"), default=0)
    commission_bp = models.PositiveIntegerField(
        _("sales commission (basis points of GMV)"),
        default=0,
        help_text=_("100 basis points are one percent of GMV."),
    )
    basic_per_introduced = MoneyField(_("basic incentive per introduced creator"), default=0)
    minimum_payout = MoneyField(
        _("minimum payout"),
        default=0,
        help_text=_(
            "A beneficiary whose releasable cash is below this carries it over to the next export."
        ),
    )
    traffic_min_original = models.PositiveIntegerField(
        _("original videos needed for traffic rewards"), default=1
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "-number"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="rule_version_unique"),
            models.CheckConstraint(
                condition=Q(creator_cap__gt=0), name="rule_version_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(playback_rate__gte=0)
                & Q(basic_per_introduced__gte=0)
                & Q(minimum_payout__gte=0),
                name="rule_version_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.program} v{self.number}"


class SubsidyRule(models.Model):
    """A creator subsidy tier of one creative field: the thresholds a creator's cycle must meet
    and the amount it pays. A creator gets the highest level they meet."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="subsidy_rules")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("creative field")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    min_original_videos = models.PositiveIntegerField(_("original videos at least"))
    min_valid_plays = models.PositiveBigIntegerField(_("valid plays at least"))
    min_followers = models.PositiveBigIntegerField(_("followers at least"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["version", "category", "level"]
        verbose_name = _("creator subsidy rule")
        verbose_name_plural = _("creator subsidy rules")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "level"], name="subsidy_rule_level_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_rule_amount_positive"),
        ]

    def __str__(self):
        return f"{self.category} L{self.level}"


class OrgTier(models.Model):
    """A tier of the special incentive list: organizations that introduced at least
    `min_introduced` creators in the month get `amount`, once."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="org_tiers")
    level = models.PositiveSmallIntegerField(_("tier"))
    min_introduced = models.PositiveIntegerField(_("introduced creators at least"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["version", "level"]
        verbose_name = _("organization tier")
        verbose_name_plural = _("organization tiers")
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="org_tier_level_unique"),
            models.UniqueConstraint(
                fields=["version", "min_introduced"], name="org_tier_threshold_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_introduced__gte=1),
                name="org_tier_threshold_positive",
                violation_error_message=_("A tier needs at least one introduced creator."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=TOP_TIER_LIMIT_FEN // 100),
                name="org_tier_amount_range",
                violation_error_message=_("A tier pays more than zero and at most 5,000,000 CNY."),
            ),
        ]

    def __str__(self):
        return f"T{self.level}"


class TrafficBand(models.Model):
    """Traffic coupons for the top original creators of a cycle: ranks `rank_from`..`rank_to`
    (by valid plays, among creators with enough original videos) get a coupon of `coupon` CNY of
    exposure each, drawn from the traffic pool."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="traffic_bands")
    rank_from = models.PositiveIntegerField(_("from rank"))
    rank_to = models.PositiveIntegerField(_("to rank"))
    coupon = MoneyField(_("coupon value"))

    class Meta:
        ordering = ["version", "rank_from"]
        verbose_name = _("traffic reward band")
        verbose_name_plural = _("traffic reward bands")
        constraints = [
            models.UniqueConstraint(fields=["version", "rank_from"], name="traffic_band_unique"),
            models.CheckConstraint(
                condition=Q(rank_from__gte=1) & Q(rank_from__lte=F("rank_to")),
                name="traffic_band_ranks_in_order",
            ),
            models.CheckConstraint(condition=Q(coupon__gt=0), name="traffic_band_coupon_positive"),
        ]

    def __str__(self):
        return f"{self.rank_from}-{self.rank_to}"
