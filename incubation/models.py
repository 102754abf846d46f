"""Incubation: the reserve pool of creators, their scores and rankings, and the year's top-100
shortlist.

Creators enter the pool by nomination (an organization for its own creators, a manager within
their categories), accepted by a manager of the creator's primary category, or automatically when
they meet an entry rule. Members move through stages with history. A nightly job scores them with
a versioned weighting of normalized metrics and stores a snapshot per day. The shortlist holds at
most 100 creators, in numbered slots the database keeps unique, so a 101st is refused however many
editors add at once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import Category
from portal.core.scoping import ScopedQuerySet

SHORTLIST_SLOTS = 100


class EntryRule(models.Model):
    """Creators who meet every threshold over the last `window_days` enter the pool by
    themselves (the nightly job). A rule without a category applies to every field."""

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creative field"),
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=30)
    min_followers = models.PositiveBigIntegerField(_("followers at least"), default=0)
    min_valid_plays = models.PositiveBigIntegerField(_("valid plays at least"), default=0)
    min_original_videos = models.PositiveIntegerField(_("original videos at least"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("entry rule")
        verbose_name_plural = _("entry rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_days__gte=1) & Q(window_days__lte=365),
                name="entry_rule_window_range",
            )
        ]

    def __str__(self):
        return self.name


class NominationLimit(models.Model):
    """How many nominations an organization may make per calendar month, from a day on (the
    newest limit in force counts). Managers are not limited."""

    effective_from = models.DateField(_("in force from"))
    per_organization = models.PositiveSmallIntegerField(_("nominations per organization a month"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("nomination limit")
        verbose_name_plural = _("nomination limits")
        constraints = [
            models.UniqueConstraint(fields=["effective_from"], name="nomination_limit_one_per_day")
        ]

    def __str__(self):
        return f"{self.per_organization} / {self.effective_from}"


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NominationQuerySet(ScopedQuerySet):
    """Operators see all; managers those of creators in their categories; members their
    organization's own nominations."""

    category_path = "creator__primary_category"
    organization_path = "organization"


class Nomination(models.Model):
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.PROTECT, related_name="nominations"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        help_text=_("The nominating organization; empty when a manager nominates."),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case = models.TextField(_("why this creator"), max_length=1000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NominationStatus.choices,
        default=NominationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status="pending"),
                name="nomination_one_pending_per_creator",
                violation_error_message=_("This creator already has a nomination under review."),
            )
        ]

    # The audit log stores the status's code and shows its label in the reader's language.
    audit_repr = "{creator} ({status})"

    def __str__(self):
        return f"{self.creator} ({self.get_status_display()})"


class PoolStage(models.TextChoices):
    RESERVE = "reserve", _("Reserve pool")
    INCUBATING = "incubating", _("Incubating")
    TOP_100 = "top_100", _("Top 100")
    EXITED = "exited", _("Exited")


class PoolSource(models.TextChoices):
    NOMINATION = "nomination", _("Nominated")
    ENTRY_RULE = "entry_rule", _("Met an entry rule")


class PoolMemberQuerySet(ScopedQuerySet):
    """Operators see the whole pool; managers the members of their categories; organizations
    the members bound to them."""

    category_path = "creator__primary_category"

    def for_organization_member(self, user):
        return self.filter(
            creator__bindings__organization__memberships__user=user,
            creator__bindings__ended_on__isnull=True,
        )

    def in_pool(self):
        return self.exclude(stage=PoolStage.EXITED)


class PoolMember(models.Model):
    """A creator's place in the reserve pool (one per creator, kept after exit for history)."""

    creator = models.OneToOneField(
        "creators.Creator", on_delete=models.PROTECT, related_name="pool_member"
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=PoolStage.choices, default=PoolStage.RESERVE
    )
    source = models.CharField(_("entered by"), max_length=12, choices=PoolSource.choices)
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry_rule = models.ForeignKey(
        EntryRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)
    stage_changed_at = models.DateTimeField(_("stage since"), auto_now_add=True)

    objects = PoolMemberQuerySet.as_manager()

    class Meta:
        ordering = ["-entered_at", "-id"]
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        indexes = [models.Index(fields=["stage"], name="pool_member_stage_idx")]

    # The audit log stores the stage's code and shows its label in the reader's language.
    audit_repr = "{creator} · {stage}"

    def __str__(self):
        return f"{self.creator} · {self.get_stage_display()}"


class StageChange(models.Model):
    """The history of a member's stages: who moved them, when and why."""

    member = models.ForeignKey(PoolMember, on_delete=models.CASCADE, related_name="history")
    from_stage = models.CharField(max_length=12, choices=PoolStage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=PoolStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.from_stage} -> {self.to_stage}"


class WeightsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# (field, label): the score's components, each a metric normalized to 0-1 across the pool by its
# percentile rank on the scoring day.
COMPONENTS = (
    ("play_growth", _("Play growth")),
    ("follower_growth", _("Follower growth")),
    ("valid_plays", _("Valid plays")),
    ("original_share", _("Original-video share")),
    ("engagement", _("Engagement")),
    ("gmv", _("GMV")),
)
# The snapshot's column of each component's normalized value (the raw valid plays take the name).
NORMALIZED_FIELD = {name: name for name, _label in COMPONENTS} | {"valid_plays": "valid_plays_norm"}
# A held-out snapshot's hold_reason: "open_flag:<days with an open abnormal-play flag>".
HOLD_OPEN_FLAG = "open_flag"


class ScoreWeights(models.Model):
    """A version of the score's weights (percent, summing to 100) and its window. The nightly job
    scores with the newest published version in force."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    effective_from = models.DateField(_("in force from"))
    status = models.CharField(
        _("status"), max_length=10, choices=WeightsStatus.choices, default=WeightsStatus.DRAFT
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=28)
    play_growth = models.PositiveSmallIntegerField(_("play growth"), default=20)
    follower_growth = models.PositiveSmallIntegerField(_("follower growth"), default=20)
    valid_plays = models.PositiveSmallIntegerField(_("valid plays"), default=20)
    original_share = models.PositiveSmallIntegerField(_("original-video share"), default=15)
    engagement = models.PositiveSmallIntegerField(_("engagement"), default=10)
    gmv = models.PositiveSmallIntegerField(_("GMV"), default=15)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    play_growth__lte=100,
                    follower_growth__lte=100,
                    valid_plays__lte=100,
                    original_share__lte=100,
                    engagement__lte=100,
                    gmv__lte=100,
                ),
                name="score_weights_each_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=7) & Q(window_days__lte=180),
                name="score_weights_window_range",
            ),
        ]

    def __str__(self):
        return f"v{self.number}"

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name, _label in COMPONENTS)


class ScoreSnapshotQuerySet(ScopedQuerySet):
    """Scores are read by everyone who may see the pool member: the same scoping."""

    category_path = "category"

    def for_organization_member(self, user):
        return self.filter(
            creator__bindings__organization__memberships__user=user,
            creator__bindings__ended_on__isnull=True,
        )


class ScoreSnapshot(models.Model):
    """A pool member's score on one day: each component normalized to 0-1 (its percentile rank
    in the pool that day), the weighted score (0-100) and the ranks. A member with an open
    abnormal-play flag in the window is held out: no score, no rank, the reason kept."""

    day = models.DateField(_("day"))
    # No database key checks and no single-column indexes on the creator, the field or the
    # weights: the nightly scoring writes a row per pool member (100,000 a day) from a join to
    # existing members, creators and a locked published version in one statement, then checks
    # the day's rows in one set-based query (`scoring.check_snapshot_references`), instead of
    # three key checks per row and three more index entries (about a third of the statement's
    # time at 100,000 members). score_creator_day_idx serves the creator's rows (and Django's
    # CASCADE); PROTECT and CASCADE are Django's, and the portal deletes none of the three.
    creator = models.ForeignKey(
        "creators.Creator",
        on_delete=models.CASCADE,
        related_name="score_snapshots",
        db_constraint=False,
        db_index=False,
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    weights = models.ForeignKey(
        ScoreWeights,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # raw figures over the window
    plays = models.BigIntegerField(default=0)
    plays_before = models.BigIntegerField(default=0)
    followers_gained = models.BigIntegerField(default=0)
    valid_plays = models.BigIntegerField(default=0)
    videos = models.BigIntegerField(default=0)
    original_videos = models.BigIntegerField(default=0)
    interactions = models.BigIntegerField(default=0)
    gmv_fen = models.BigIntegerField(default=0)
    # normalized components, 0-1
    play_growth = models.FloatField(null=True)
    follower_growth = models.FloatField(null=True)
    valid_plays_norm = models.FloatField(null=True)
    original_share = models.FloatField(null=True)
    engagement = models.FloatField(null=True)
    gmv = models.FloatField(null=True)
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True)
    rank = models.PositiveIntegerField(null=True)
    category_rank = models.PositiveIntegerField(null=True)
    held_out = models.BooleanField(default=False)
    hold_reason = models.CharField(max_length=200, blank=True)

    objects = ScoreSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["day", "rank"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["day", "creator"], name="score_one_per_creator_day")
        ]
        indexes = [
            models.Index(fields=["day", "rank"], name="score_day_rank_idx"),
            models.Index(fields=["day", "category", "category_rank"], name="score_day_cat_idx"),
            models.Index(fields=["creator", "day"], name="score_creator_day_idx"),
        ]

    def __str__(self):
        return f"{self.creator} {self.day} {self.score}"


class ShortlistStatus(models.TextChoices):
    OPEN = "open", _("Being prepared")
    FROZEN = "frozen", _("Frozen")
    PUBLISHED = "published", _("Published")


class Shortlist(models.Model):
    """The year's top-100 shortlist. `version` rises with every edit: an editor sends the version
    they saw (If-Match) and an edit based on an older one is refused, never silently merged."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ShortlistStatus.choices, default=ShortlistStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")

    def __str__(self):
        return str(self.year)


class ShortlistEntry(models.Model):
    """One of the at most 100 slots. The database keeps slots within 1-100 and unique per list, and
    a creator once per list."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="entries")
    slot = models.PositiveSmallIntegerField(_("slot"))
    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="+")
    pinned = models.BooleanField(_("pinned"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shortlist", "slot"]
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot__gte=1) & Q(slot__lte=SHORTLIST_SLOTS),
                name="shortlist_slot_range",
                violation_error_message=_("The shortlist holds at most 100 creators."),
            ),
            models.UniqueConstraint(fields=["shortlist", "slot"], name="shortlist_slot_unique"),
            models.UniqueConstraint(fields=["shortlist", "creator"], name="shortlist_creator_once"),
        ]

    def __str__(self):
        return f"{self.shortlist} #{self.slot}"


class ShortlistExclusion(models.Model):
    """A creator kept off the shortlist by a manager or operator, with the reason."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="exclusions")
    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-excluded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortlist", "creator"], name="shortlist_exclusion_once"
            )
        ]

    def __str__(self):
        return f"{self.shortlist} −{self.creator_id}"


class SnapshotKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FINAL = "final", _("Final")


class ShortlistSnapshot(models.Model):
    """The shortlist frozen as it stood: weekly, and once at the year's end (the final one is the
    published list). Rows are in ShortlistSnapshotEntry; diffs compare two snapshots."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="snapshots")
    kind = models.CharField(max_length=10, choices=SnapshotKind.choices)
    taken_on = models.DateField(_("taken on"))
    taken_at = models.DateTimeField(auto_now_add=True)
    shortlist_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-taken_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortlist", "kind", "taken_on"], name="shortlist_snapshot_once_a_day"
            ),
            models.UniqueConstraint(
                fields=["shortlist"],
                condition=Q(kind="final"),
                name="shortlist_one_final_snapshot",
            ),
        ]

    def __str__(self):
        return f"{self.shortlist} {self.kind} {self.taken_on}"


class ShortlistSnapshotEntry(models.Model):
    snapshot = models.ForeignKey(ShortlistSnapshot, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField()
    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "creator"], name="snapshot_creator_once"),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=SHORTLIST_SLOTS),
                name="snapshot_position_range",
            ),
        ]

    def __str__(self):
        return f"{self.snapshot} #{self.position}"
