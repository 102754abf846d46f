"""Daily figures per creator, as partners push them."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet

from .creators import Binding, Creator
from .rules import PlayFlag


class DailyMetricQuerySet(ScopedQuerySet):
    category_path = "creator__primary_category"

    def for_organization_member(self, user):
        """An organization sees the figures of its creators for the days they were bound to it,
        where that binding's creator shares their metrics (`creators/consent.py`).

        One EXISTS over the bindings: every condition holds for the same binding. (Two filter()
        calls across `creator__bindings` join the bindings twice, and a day of another
        organization's period then matched this organization's earlier binding.)"""
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        return self.filter(
            Exists(
                Binding.objects.covering_day(creator=OuterRef("creator_id"), day=OuterRef("date"))
                .filter(organization_id=membership.organization_id)
                .sharing("metrics")
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
