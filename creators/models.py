"""Video creators and the bindings that tie each one to an MCN organization."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.utils import timezone
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

    def with_active_binding(self):
        """Join each creator's current binding once, as `active` (rosters read its columns)."""
        if "active" in self.query._filtered_relations:
            return self
        return self.annotate(
            active=FilteredRelation("bindings", condition=Q(bindings__ended_on__isnull=True))
        )

    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(primary_category__in=manager_category_ids(user))

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
        ]

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
        indexes = [
            models.Index(
                fields=["organization", "-started_on"],
                condition=Q(ended_on__isnull=True),
                name="binding_active_by_org_idx",
            )
        ]

    def __str__(self):
        return f"{self.creator} -> {self.organization}"


class QualificationRuleQuerySet(models.QuerySet):
    def in_force(self, day):
        """The rule that applies to a cycle starting on `day`: the latest one valid by then."""
        return self.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()


class QualificationRule(models.Model):
    """When a recruited creator counts as successfully introduced: at least this many original
    videos and valid plays within `window_days` days of the binding's start. An operator edits the
    rule by adding a row valid from a date; a cycle uses the row in force when it starts."""

    name = models.CharField(_("name"), max_length=100)
    min_original_videos = models.PositiveIntegerField(_("minimum original videos"))
    min_valid_plays = models.PositiveBigIntegerField(_("minimum valid plays"))
    window_days = models.PositiveSmallIntegerField(_("window in days"))
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QualificationRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("qualification rule")
        verbose_name_plural = _("qualification rules")

    def __str__(self):
        return self.name


class AbnormalPlayRuleQuerySet(models.QuerySet):
    def in_force(self, day):
        return self.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()


class AbnormalPlayRule(models.Model):
    """A day's plays are abnormal when they are at least `min_plays` and more than `multiplier`
    times the creator's average over the previous `lookback_days` days, given at least
    `min_history_days` days of history. Flagged days count no valid plays until reviewed."""

    multiplier = models.DecimalField(_("multiplier"), max_digits=6, decimal_places=2)
    lookback_days = models.PositiveSmallIntegerField(_("look-back days"))
    min_history_days = models.PositiveSmallIntegerField(_("minimum days of history"))
    min_plays = models.PositiveBigIntegerField(_("minimum plays"))
    valid_from = models.DateField(_("valid from"))

    objects = AbnormalPlayRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("abnormal-play rule")
        verbose_name_plural = _("abnormal-play rules")

    def __str__(self):
        return f"x{self.multiplier} / {self.lookback_days}d"


class PlayFlag(models.TextChoices):
    NONE = "none", _("Not flagged")
    OPEN = "open", _("Flagged, to review")
    CONFIRMED = "confirmed", _("Confirmed abnormal")
    DISMISSED = "dismissed", _("Reviewed, counts")


# A flag that is open or confirmed keeps the day's valid plays out of every figure.
EXCLUDING_FLAGS = (PlayFlag.OPEN, PlayFlag.CONFIRMED)


class DailyMetricQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(creator__primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        """An organization sees the figures of its creators for the days they were bound to it.

        One EXISTS over the bindings: every condition holds for the same binding. (Two filter()
        calls across `creator__bindings` join the bindings twice, and a day of another
        organization's period then matched this organization's earlier binding.)"""
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        return self.filter(
            Exists(
                Binding.objects.covering_day(
                    creator=OuterRef("creator_id"), day=OuterRef("date")
                ).filter(organization_id=membership.organization_id)
            )
        )


class DailyMetric(models.Model):
    """One creator's figures for one day, as partner systems report them. A day sent again
    replaces the earlier figures; (creator, date) is unique."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="metrics")
    date = models.DateField(_("date"))
    plays = models.PositiveBigIntegerField(_("plays"), default=0)
    valid_plays = models.PositiveBigIntegerField(_("valid plays (reported)"), default=0)
    counted_valid_plays = models.PositiveBigIntegerField(_("valid plays counted"), default=0)
    new_followers = models.BigIntegerField(_("new followers"), default=0)
    videos_published = models.PositiveIntegerField(_("videos published"), default=0)
    original_videos = models.PositiveIntegerField(_("original videos"), default=0)
    gmv = models.DecimalField(_("GMV"), max_digits=16, decimal_places=2, default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    interactions = models.PositiveBigIntegerField(
        _("interactions"),
        default=0,
        db_default=0,
        help_text=_("Likes, comments and shares of the day."),
    )
    commission = models.DecimalField(_("commission"), max_digits=14, decimal_places=2, default=0)
    flag = models.CharField(
        _("abnormal plays"), max_length=10, choices=PlayFlag.choices, default=PlayFlag.NONE
    )
    flag_baseline = models.PositiveBigIntegerField(_("baseline plays"), null=True, blank=True)
    flag_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flag_review_note = models.TextField(_("review note"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    objects = DailyMetricQuerySet.as_manager()

    class Meta:
        ordering = ["creator", "date"]
        verbose_name = _("daily metric")
        verbose_name_plural = _("daily metrics")
        constraints = [
            models.UniqueConstraint(fields=["creator", "date"], name="metric_one_row_per_day"),
            models.CheckConstraint(
                condition=Q(original_videos__lte=F("videos_published")),
                name="metric_original_within_published",
                violation_error_message=_("Original videos cannot exceed videos published."),
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="metric_date_idx"),
            models.Index(fields=["date"], condition=Q(flag="open"), name="metric_open_flag_idx"),
        ]

    def __str__(self):
        return f"{self.creator_id} {self.date}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the creator")
    CONFIRMED = "confirmed", _("Confirmed by the creator")
    DECLINED = "declined", _("Declined by the creator")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class TransferRequestQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(creator__primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        return self.filter(
            Q(to_organization__memberships__user=user)
            | Q(from_organization__memberships__user=user)
        ).distinct()


class TransferRequest(models.Model):
    """An organization asks to take over a creator bound to another one. The creator confirms
    through a link (standing in for the platform's app); the move is recorded for both sides."""

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="transfers")
    from_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    salt = models.CharField(max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_creator",
                violation_error_message=_("A transfer of this creator is already waiting."),
            )
        ]

    def __str__(self):
        return f"{self.creator} -> {self.to_organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Creator stays with the current organization")
    AWARDED = "awarded", _("Creator moved to the claimant")


class DisputeQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return self.filter(creator__primary_category__in=manager_category_ids(user))

    def for_organization_member(self, user):
        return self.filter(
            Q(holder__memberships__user=user) | Q(claimant__memberships__user=user)
        ).distinct()


class Dispute(models.Model):
    """Two organizations claim one creator. An operator hears both and decides."""

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="disputes")
    holder = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="disputes_held",
        verbose_name=_("current organization"),
    )
    claimant = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="disputes_claimed",
        verbose_name=_("claimant"),
    )
    claimed_source = models.CharField(
        _("claimed source"), max_length=20, choices=BindingSource.choices
    )
    statement = models.TextField(_("claimant's statement"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolution = models.TextField(_("decision and reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "claimant"],
                condition=Q(status="open"),
                name="dispute_one_open_per_claim",
                violation_error_message=_(
                    "Your organization already has an open dispute for this creator."
                ),
            )
        ]

    def __str__(self):
        return f"{self.creator}: {self.claimant} vs {self.holder}"


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
    def for_organization_member(self, user):
        return self.filter(organization__memberships__user=user)


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

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="creator_rows")
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

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="metric_rows")
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
