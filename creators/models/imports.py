"""Roster and metrics file imports: jobs and their checked rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet


class ImportKind(models.TextChoices):
    CREATORS = "creators", _("Creator roster")
    METRICS = "metrics", _("Daily metrics")
    VIDEOS = "videos", _("Videos")
    VIDEO_DAYS = "video_days", _("Video daily figures")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    VALIDATING = "validating", _("Checking rows")
    VALIDATED = "validated", _("Checked, ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class ImportJobQuerySet(ScopedQuerySet):
    organization_path = "organization"


class ImportJob(models.Model):
    """One uploaded file: checked row by row (a dry run that writes nothing), then, when the
    person confirms, imported in one transaction. Progress is readable while it runs."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    skip_errors = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    # The audit log stores the kind's code and shows its label in the reader's language.
    audit_repr = "{kind} {file_name}"

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)

    @property
    def progress_percent(self) -> int:
        if self.status in (ImportStatus.VALIDATED, ImportStatus.DONE):
            return 100
        if not self.total_rows:
            return 0
        return min(99, round(100 * self.processed_rows / self.total_rows))


class CreatorImportRow(models.Model):
    """A staged row of a roster file: parsed and checked, written nowhere else until commit."""

    # No key constraint and no index of its own: every staged row of a file (up to a million)
    # paid a key check (half the cost of staging it), and the (job, row_number) index serves
    # every lookup by job. The rows are only ever written for a job being checked and deleted
    # with it (CASCADE, which Django carries out).
    job = models.ForeignKey(
        ImportJob,
        on_delete=models.CASCADE,
        related_name="creator_rows",
        db_constraint=False,
        db_index=False,
    )
    row_number = models.PositiveIntegerField()
    platform_account_id = models.CharField(max_length=64)
    display_name = models.CharField(max_length=100, blank=True)
    category_id = models.BigIntegerField(null=True)
    secondary_category_ids = models.CharField(max_length=200, blank=True)
    follower_count = models.BigIntegerField(null=True)
    real_name_verified = models.BooleanField(default=False)
    started_on = models.DateField(null=True)
    source = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["job", "platform_account_id"], name="import_row_account_idx"),
            models.Index(fields=["job", "row_number"], name="import_row_number_idx"),
        ]

    def __str__(self):
        return f"{self.job_id}:{self.row_number}"


class MetricImportRow(models.Model):
    """A staged row of a metrics file."""

    # No key constraint and no index of its own: every staged row of a file (up to a million)
    # paid a key check (half the cost of staging it), and the (job, row_number) index serves
    # every lookup by job. The rows are only ever written for a job being checked and deleted
    # with it (CASCADE, which Django carries out).
    job = models.ForeignKey(
        ImportJob,
        on_delete=models.CASCADE,
        related_name="metric_rows",
        db_constraint=False,
        db_index=False,
    )
    row_number = models.PositiveIntegerField()
    platform_account_id = models.CharField(max_length=64)
    creator_id = models.BigIntegerField(null=True)
    date = models.DateField(null=True)
    plays = models.BigIntegerField(default=0)
    valid_plays = models.BigIntegerField(default=0)
    new_followers = models.BigIntegerField(default=0)
    videos_published = models.IntegerField(default=0)
    original_videos = models.IntegerField(default=0)
    gmv = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    orders = models.IntegerField(default=0)
    interactions = models.BigIntegerField(default=0, db_default=0)
    commission = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["job", "row_number"], name="metric_row_number_idx"),
        ]

    def __str__(self):
        return f"{self.job_id}:{self.row_number}"
