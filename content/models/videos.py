"""Videos the program pays for or promotes, their products, fingerprints and daily figures."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import localized
from portal.core.scoping import ScopedQuerySet


class ContentTypeQuerySet(ScopedQuerySet):
    """Reference data: every signed-in role reads the content types."""

    def for_manager(self, user):
        return self.all()

    def for_organization_member(self, user):
        return self.all()


class ContentType(models.Model):
    """A kind of video (evaluation, outfit, unboxing …): a table operators edit."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ContentTypeQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("content type")
        verbose_name_plural = _("content types")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class Product(models.Model):
    """A SKU of the retail platform; many videos feature one SKU, a video features several."""

    sku_id = models.CharField(_("SKU id"), max_length=64, unique=True)
    name = models.CharField(_("product name"), max_length=200)
    category_name = models.CharField(_("product category"), max_length=100, blank=True)

    class Meta:
        ordering = ["sku_id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.name} ({self.sku_id})"


class Originality(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    CLEAR = "clear", _("No match found")
    SUSPECTED = "suspected", _("Suspected, in review")
    ORIGINAL = "original", _("Original (reviewed)")
    TRANSFORMATIVE = "transformative", _("Transformative (reviewed)")
    COPY = "copy", _("Copy (rejected)")


def cover_path(video, filename: str) -> str:
    return f"covers/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class VideoQuerySet(ScopedQuerySet):
    """Operators see every video; managers the videos of their fields; an organization the
    videos its creators published while bound to it (the organization kept on the video)."""

    category_path = "category"
    organization_path = "organization"

    def standing(self):
        """Videos that count as original: declared original and not rejected as a copy."""
        return self.filter(declared_original=True).exclude(originality=Originality.COPY)


# Graded videos whose originality stands: the ones given a boost factor (placements/selectors.py).
BOOSTED = Q(declared_original=True) & ~Q(grade="") & ~Q(originality="copy")


class Video(models.Model):
    """A video on the platform, as the content system reports it. `organization` is the one the
    creator was bound to when the video was published: kept, never recomputed."""

    video_id = models.CharField(_("platform video id"), max_length=64, unique=True)
    creator = models.ForeignKey(
        "creators.Creator",
        on_delete=models.PROTECT,
        related_name="videos",
        verbose_name=_("creator"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="videos",
        verbose_name=_("organization at publication"),
    )
    category = models.ForeignKey(
        "core.Category",
        on_delete=models.PROTECT,
        related_name="videos",
        verbose_name=_("creative field"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="videos", verbose_name=_("type")
    )
    title = models.CharField(_("title"), max_length=200)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    published_at = models.DateTimeField(_("published"))
    # The Asia/Shanghai date of publication: what periods (cycles, windows) count by.
    published_on = models.DateField(_("published on"))
    declared_original = models.BooleanField(_("declared original"), default=True)
    cover = models.FileField(_("cover"), upload_to=cover_path, blank=True)
    products = models.ManyToManyField(
        Product, through="VideoProduct", related_name="videos", verbose_name=_("products")
    )
    originality = models.CharField(
        _("originality"),
        max_length=16,
        choices=Originality.choices,
        default=Originality.UNCHECKED,
    )
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    grade_score = models.DecimalField(
        _("quality score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Totals of the daily figures, kept by ingestion so lists sort and sample on an index.
    plays = models.PositiveBigIntegerField(_("plays"), default=0)
    valid_plays = models.PositiveBigIntegerField(_("valid plays"), default=0)
    gmv = models.DecimalField(_("attributed GMV"), max_digits=16, decimal_places=2, default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_seconds__lte=86_400),
                name="video_duration_at_most_a_day",
                violation_error_message=_("A video lasts at most 24 hours."),
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "published_on"], name="video_creator_day_idx"),
            models.Index(
                fields=["organization", "-published_at", "-id"], name="video_org_recent_idx"
            ),
            models.Index(fields=["category", "-published_at", "-id"], name="video_field_idx"),
            models.Index(fields=["published_on"], name="video_day_idx"),
            models.Index(
                fields=["originality"],
                condition=Q(originality="unchecked"),
                name="video_unchecked_idx",
            ),
            # The boost factors published for the recommendation system (placements' boosts):
            # graded videos whose originality stands, by field and id, and by last change.
            models.Index(
                fields=["category", "id"],
                condition=BOOSTED,
                name="video_boost_field_idx",
            ),
            models.Index(
                fields=["updated_at", "id"],
                condition=BOOSTED,
                name="video_boost_since_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.video_id})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("content:video", args=[self.pk])

    @property
    def counts_as_original(self) -> bool:
        return self.declared_original and self.originality != Originality.COPY


class VideoProduct(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "product"], name="video_product_once")
        ]
        indexes = [models.Index(fields=["product"], name="video_product_sku_idx")]

    def __str__(self):
        return f"{self.video_id}:{self.product_id}"


class FrameSource(models.IntegerChoices):
    FRAME = 1, _("Key frame (content system)")
    COVER = 2, _("Cover (computed by the portal)")


class FrameHash(models.Model):
    """One 64-bit perceptual hash of a video (a key frame, or its cover) with its three bands,
    each indexed for the near-duplicate lookup (`content.fingerprint`). The creator and the
    publication time are copied here so that a candidate is judged without reading the video."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="frames")
    creator_id = models.BigIntegerField()
    published_at = models.DateTimeField()
    source = models.PositiveSmallIntegerField(choices=FrameSource.choices)
    position = models.PositiveSmallIntegerField(default=0)
    hash = models.BigIntegerField()
    b0 = models.IntegerField()
    b1 = models.IntegerField()
    b2 = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["video", "source", "position"], name="frame_hash_one_per_position"
            )
        ]
        indexes = [
            models.Index(fields=["b0"], include=["hash", "source"], name="frame_band0_idx"),
            models.Index(fields=["b1"], include=["hash", "source"], name="frame_band1_idx"),
            models.Index(fields=["b2"], include=["hash", "source"], name="frame_band2_idx"),
        ]

    def __str__(self):
        return f"{self.video_id}:{self.source}:{self.position}"


class VideoMetricQuerySet(ScopedQuerySet):
    category_path = "video__category"
    organization_path = "video__organization"


class VideoMetric(models.Model):
    """One video's figures for one day; a day sent again replaces them."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="metrics")
    date = models.DateField(_("date"))
    plays = models.PositiveBigIntegerField(_("plays"), default=0)
    valid_plays = models.PositiveBigIntegerField(_("valid plays"), default=0)
    completion_rate = models.DecimalField(
        _("completion rate"), max_digits=5, decimal_places=4, default=0
    )
    interactions = models.PositiveBigIntegerField(_("interactions"), default=0)
    gmv = models.DecimalField(_("attributed GMV"), max_digits=16, decimal_places=2, default=0)
    received_at = models.DateTimeField(_("received"), auto_now=True)

    objects = VideoMetricQuerySet.as_manager()

    class Meta:
        ordering = ["video", "date"]
        verbose_name = _("video daily figures")
        verbose_name_plural = _("video daily figures")
        constraints = [
            models.UniqueConstraint(fields=["video", "date"], name="video_metric_one_per_day"),
            models.CheckConstraint(
                condition=Q(valid_plays__lte=F("plays")),
                name="video_metric_valid_within_plays",
                violation_error_message=_("Valid plays cannot exceed plays."),
            ),
            models.CheckConstraint(
                condition=Q(completion_rate__gte=0) & Q(completion_rate__lte=1),
                name="video_metric_completion_is_a_share",
                violation_error_message=_("The completion rate is between 0 and 1."),
            ),
        ]

    def __str__(self):
        return f"{self.video_id} {self.date}"


class VideoImportRow(models.Model):
    """A staged row of a videos file (the dry run writes only here)."""

    job = models.ForeignKey("creators.ImportJob", on_delete=models.CASCADE, related_name="+")
    row_number = models.PositiveIntegerField()
    video_id = models.CharField(max_length=64)
    platform_account_id = models.CharField(max_length=64, blank=True)
    creator_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField(null=True)
    content_type_id = models.BigIntegerField(null=True)
    title = models.CharField(max_length=200, blank=True)
    duration_seconds = models.IntegerField(null=True)
    published_at = models.DateTimeField(null=True)
    declared_original = models.BooleanField(default=True)
    skus = models.TextField(blank=True)
    fingerprint = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "row_number"], name="video_row_number_idx")]

    def __str__(self):
        return f"{self.job_id}:{self.row_number}"


class VideoMetricImportRow(models.Model):
    """A staged row of a video figures file."""

    job = models.ForeignKey("creators.ImportJob", on_delete=models.CASCADE, related_name="+")
    row_number = models.PositiveIntegerField()
    video_id = models.CharField(max_length=64)
    video_pk = models.BigIntegerField(null=True)
    date = models.DateField(null=True)
    plays = models.BigIntegerField(default=0)
    valid_plays = models.BigIntegerField(default=0)
    completion_rate = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    interactions = models.BigIntegerField(default=0)
    gmv = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "row_number"], name="video_metric_row_idx")]

    def __str__(self):
        return f"{self.job_id}:{self.row_number}"


class CreatorDay(models.Model):
    """A creator's videos and original videos of one day, from the one source of truth
    (`content.originals`: a database view, read-only)."""

    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    date = models.DateField()
    videos_published = models.IntegerField()
    original_videos = models.IntegerField()

    class Meta:
        managed = False
        db_table = "content_creatorday"

    def __str__(self):
        return f"{self.creator_id} {self.date}"
