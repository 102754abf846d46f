"""Quality: the rubric as versioned data, grades with their per-criterion scores, the sampling
rules and the grading queue."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import localized
from portal.core.scoping import ScopedQuerySet


class RubricStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RubricQuerySet(models.QuerySet):
    def in_force(self, day):
        return (
            self.filter(status=RubricStatus.PUBLISHED, effective_from__lte=day)
            .order_by("-effective_from", "-number")
            .first()
        )


class Rubric(models.Model):
    """A version of the quality rubric: criteria with weights, and the weighted score (out of
    100) each grade needs. Drafted, then published; a published version never changes."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RubricStatus.choices, default=RubricStatus.DRAFT
    )
    effective_from = models.DateField(_("effective from"))
    s_min = models.DecimalField(_("S from"), max_digits=5, decimal_places=2, default=Decimal(90))
    a_min = models.DecimalField(_("A from"), max_digits=5, decimal_places=2, default=Decimal(75))
    b_min = models.DecimalField(_("B from"), max_digits=5, decimal_places=2, default=Decimal(60))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("quality rubric")
        verbose_name_plural = _("quality rubrics")
        constraints = [
            models.CheckConstraint(
                condition=Q(s_min__gt=models.F("a_min"))
                & Q(a_min__gt=models.F("b_min"))
                & Q(b_min__gt=20)
                & Q(s_min__lte=100),
                name="rubric_grades_in_order",
                violation_error_message=_(
                    "Grade thresholds must fall: S above A above B, all between 20 and 100."
                ),
            )
        ]

    def __str__(self):
        return f"v{self.number}"

    def grade_for(self, score: Decimal) -> str:
        if score >= self.s_min:
            return "S"
        if score >= self.a_min:
            return "A"
        if score >= self.b_min:
            return "B"
        return "C"


class Criterion(models.Model):
    """One criterion of a rubric version, scored 1 to 5 and weighted."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    guidance_zh = models.CharField(_("Chinese guidance"), max_length=300, blank=True)
    guidance_en = models.CharField(_("English guidance"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["rubric", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="criterion_weight_1_100"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def guidance(self) -> str:
        return localized(self.guidance_zh, self.guidance_en)


class GradeQuerySet(ScopedQuerySet):
    category_path = "video__category"
    organization_path = "video__organization"


class Grade(models.Model):
    """A manager's grade of a video under one rubric version: weighted score out of 100 and the
    letter it earns; the per-criterion scores are kept with it."""

    video = models.ForeignKey("content.Video", on_delete=models.CASCADE, related_name="grades")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="grades")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    letter = models.CharField(_("grade"), max_length=1)
    note = models.TextField(_("note"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded"), auto_now_add=True)

    objects = GradeQuerySet.as_manager()

    class Meta:
        ordering = ["-graded_at", "-id"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self):
        return f"{self.video_id} {self.letter}"


class GradeScore(models.Model):
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["grade", "criterion__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "criterion"], name="grade_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="grade_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.criterion_id}={self.score}"


class SamplingRule(models.Model):
    """Which new videos of a field (or of every field) enter the grading queue each night: all
    with at least `min_valid_plays` valid plays, plus `random_percent` of the others."""

    category = models.ForeignKey(
        "core.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creative field (empty: every field)"),
    )
    min_valid_plays = models.PositiveBigIntegerField(_("every video with valid plays from"))
    random_percent = models.DecimalField(
        _("plus a random share of the others (%)"), max_digits=5, decimal_places=2, default=0
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category__sort_order", "id"]
        verbose_name = _("sampling rule")
        verbose_name_plural = _("sampling rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(random_percent__gte=0) & Q(random_percent__lte=100),
                name="sampling_percent_range",
                violation_error_message=_("The random share is a percentage from 0 to 100."),
            )
        ]

    def __str__(self):
        return f"{self.category_id or '*'} ≥{self.min_valid_plays} +{self.random_percent}%"


class GradingReason(models.TextChoices):
    SAMPLED = "sampled", _("Sampled")
    NOMINATED = "nominated", _("Nominated")


class GradingItemStatus(models.TextChoices):
    OPEN = "open", _("To grade")
    GRADED = "graded", _("Graded")


class GradingItemQuerySet(ScopedQuerySet):
    category_path = "video__category"
    organization_path = "video__organization"


class GradingItem(models.Model):
    """A video waiting in the grading queue of its field: sampled by a rule, or nominated."""

    video = models.ForeignKey("content.Video", on_delete=models.CASCADE, related_name="grading")
    reason = models.CharField(_("why"), max_length=10, choices=GradingReason.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GradingItemStatus.choices,
        default=GradingItemStatus.OPEN,
    )
    sampled_on = models.DateField(_("sampled on"), null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.ForeignKey(
        Grade, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    objects = GradingItemQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["video"], condition=Q(status="open"), name="grading_one_open_per_video"
            )
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="open"), name="grading_open_idx")
        ]

    def __str__(self):
        return f"{self.video_id} {self.reason}"
