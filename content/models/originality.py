"""Originality: the rules (data), the checks' findings, the review queue, decisions, appeals, and
the corrections of lists already paid."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import localized
from portal.core.scoping import ScopedQuerySet


class OriginalityRuleQuerySet(models.QuerySet):
    def in_force(self, day):
        return self.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()


class OriginalityRule(models.Model):
    """The thresholds of the originality checks. Operators add a row valid from a date; the
    checks use the row in force on the day they run."""

    hamming_threshold = models.PositiveSmallIntegerField(
        _("near-duplicate threshold (bits of 64)"), default=4
    )
    min_matching_frames = models.PositiveSmallIntegerField(
        _("key frames that must match"), default=2
    )
    stock_threshold = models.PositiveSmallIntegerField(
        _("stock cover threshold (bits of 64)"), default=4
    )
    rejection_window_days = models.PositiveSmallIntegerField(
        _("rejection rate window (days)"), default=90
    )
    rejection_min_decided = models.PositiveSmallIntegerField(
        _("decided videos before the rate applies"), default=5
    )
    rejection_rate_percent = models.PositiveSmallIntegerField(
        _("rejection rate that sends new videos to review (%)"), default=30
    )
    appeal_window_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=14)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OriginalityRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("originality rule")
        verbose_name_plural = _("originality rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(hamming_threshold__lte=8) & Q(stock_threshold__lte=8),
                name="originality_threshold_at_most_8",
                violation_error_message=_("Thresholds are at most 8 bits."),
            ),
            models.CheckConstraint(
                condition=Q(min_matching_frames__gte=1) & Q(min_matching_frames__lte=16),
                name="originality_frames_1_to_16",
                violation_error_message=_("Between 1 and 16 key frames must match."),
            ),
            models.CheckConstraint(
                condition=Q(rejection_rate_percent__gte=1) & Q(rejection_rate_percent__lte=100),
                name="originality_rate_is_a_percent",
                violation_error_message=_("The rejection rate is a percentage from 1 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(appeal_window_days__gte=1),
                name="originality_appeal_window_positive",
                violation_error_message=_("The appeal window is at least one day."),
            ),
        ]

    def __str__(self):
        return f"≤{self.hamming_threshold} bits, {self.min_matching_frames} frames"


class StockImage(models.Model):
    """A known stock image (a library picture, a brand's official photo): a declared-original
    video whose cover matches one goes to review."""

    label = models.CharField(_("label"), max_length=200)
    hash = models.BigIntegerField(_("perceptual hash"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("stock image")
        verbose_name_plural = _("stock images")

    def __str__(self):
        return self.label


class ReasonCode(models.Model):
    """A reason a reviewer gives for an outcome, named in both languages (what the organization
    reads)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    outcome = models.CharField(_("outcome"), max_length=16)
    name_zh = models.CharField(_("Chinese text"), max_length=200)
    name_en = models.CharField(_("English text"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["outcome", "sort_order", "code"]
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return localized(self.name_zh, self.name_en)


class FindingKind(models.TextChoices):
    NEAR_DUPLICATE = "near_duplicate", _("Near-duplicate of another creator's earlier video")
    REUPLOAD = "reupload", _("Re-upload of the creator's own earlier video")
    STOCK_COVER = "stock_cover", _("Cover matches a stock image")
    REJECTION_RATE = "rejection_rate", _("The creator's rejection rate is high")


class Finding(models.Model):
    """What a check found about a video: the matched video (or stock image), the distance and
    how many key frames matched."""

    video = models.ForeignKey("content.Video", on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("check"), max_length=20, choices=FindingKind.choices)
    matched_video = models.ForeignKey(
        "content.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stock_image = models.ForeignKey(
        StockImage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    distance = models.PositiveSmallIntegerField(_("distance (bits)"), null=True, blank=True)
    frames_matched = models.PositiveSmallIntegerField(_("frames matched"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["video", "distance", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "kind", "matched_video"],
                condition=Q(matched_video__isnull=False),
                name="finding_once_per_match",
            ),
            models.UniqueConstraint(
                fields=["video", "kind"],
                condition=Q(matched_video__isnull=True),
                name="finding_once_per_check",
            ),
        ]

    def __str__(self):
        return f"{self.video_id} {self.kind}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed, waiting for a second reviewer")
    CLOSED = "closed", _("Closed after appeal")


class ReviewQuerySet(ScopedQuerySet):
    category_path = "video__category"
    organization_path = "video__organization"


class OriginalityReview(models.Model):
    """A suspected video waiting for (or having had) a category manager's decision."""

    video = models.OneToOneField("content.Video", on_delete=models.CASCADE, related_name="review")
    category = models.ForeignKey("core.Category", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("originality review")
        verbose_name_plural = _("originality reviews")
        indexes = [
            models.Index(
                fields=["category", "opened_at"],
                condition=Q(status__in=["open", "appealed"]),
                name="review_waiting_idx",
            )
        ]

    def __str__(self):
        return f"review {self.video_id}"


class Decision(models.Model):
    """One outcome given to a review: the first decision, or the one an appeal led to."""

    review = models.ForeignKey(
        OriginalityReview, on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("outcome"), max_length=16)
    reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    on_appeal = models.BooleanField(_("on appeal"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(on_appeal=False),
                name="decision_one_first_per_review",
            ),
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(on_appeal=True),
                name="decision_one_on_appeal_per_review",
            ),
        ]

    def __str__(self):
        return f"{self.review_id} {self.outcome}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a second reviewer")
    UPHELD = "upheld", _("Upheld: the decision was changed")
    DISMISSED = "dismissed", _("Dismissed: the decision stands")


class Appeal(models.Model):
    """The organization's one appeal against a decision, heard by another manager of the field or
    an operator (never the one who decided)."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="appeal")
    statement = models.TextField(_("statement"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    heard_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    heard_at = models.DateTimeField(_("heard"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)

    class Meta:
        ordering = ["filed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(heard_by__isnull=True) | ~Q(heard_by=F("filed_by")),
                name="appeal_not_heard_by_appellant",
            )
        ]

    def __str__(self):
        return f"appeal {self.decision_id}"


class OriginalityCorrection(models.Model):
    """The adjustment one decision made to one paid list for one pool: at most one, so retries
    and second runs never correct twice."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="corrections")
    reward_list = models.ForeignKey(
        "incentives.RewardList", on_delete=models.PROTECT, related_name="+"
    )
    pool = models.CharField(max_length=10)
    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="+")
    line = models.OneToOneField(
        "incentives.RewardLine", on_delete=models.PROTECT, related_name="originality_correction"
    )
    original_videos_before = models.PositiveIntegerField()
    original_videos_after = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "reward_list", "pool"], name="correction_once_per_decision"
            )
        ]

    def __str__(self):
        return f"{self.decision_id} {self.reward_list_id} {self.pool}"
