"""One-on-one coaching of an organization by its category manager: goals, sessions, action items
and the managers' daily reminders. The assignment (who coaches whom) belongs to `organizations`.

The tables kept the names they had when coaching lived in `organizations` (no data moved)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization
from portal.core.scoping import ScopedQuerySet


class CoachingScopedQuerySet(ScopedQuerySet):
    """Coaching records: operators see all; a manager those of the organizations they coach now;
    an organization its own."""

    organization_path = "organization"

    def for_manager(self, user):
        return self.filter(
            organization__manager_assignments__manager=user,
            organization__manager_assignments__ended_at__isnull=True,
        )


class GoalKind(models.TextChoices):
    INTRODUCED = "introduced", _("Creators successfully introduced this month")
    ROSTER = "roster", _("Creators on the roster")
    ORIGINAL_SHARE = "original_share", _("Share of original videos, last 30 days (%)")
    VALID_PLAYS = "valid_plays", _("Valid plays of the roster, last 30 days")
    GMV = "gmv", _("GMV of the roster, last 30 days (CNY)")
    CUSTOM = "custom", _("Other (progress entered by hand)")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class CoachingGoal(models.Model):
    """A goal of an organization's coaching plan. Progress of the measured kinds comes from the
    organization's real figures; a custom goal's progress is entered by the manager."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="coaching_goals"
    )
    kind = models.CharField(_("measure"), max_length=20, choices=GoalKind.choices)
    title = models.CharField(_("goal"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    manual_progress = models.DecimalField(
        _("progress so far"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoachingScopedQuerySet.as_manager()

    class Meta:
        db_table = "organizations_coachinggoal"
        ordering = ["status", "due_on", "id"]
        verbose_name = _("coaching goal")
        verbose_name_plural = _("coaching goals")

    def __str__(self):
        return self.title


class Channel(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    MESSAGE = "message", _("Message")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CoachingSessionQuerySet(CoachingScopedQuerySet):
    def for_manager(self, user):
        """A manager sees the sessions they lead and those of the organizations they coach."""
        return self.filter(
            Q(manager=user)
            | Q(
                organization__manager_assignments__manager=user,
                organization__manager_assignments__ended_at__isnull=True,
            )
        ).distinct()


class CoachingSession(models.Model):
    """A coaching session between a manager and an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="coaching_sessions"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        verbose_name=_("category manager"),
    )
    scheduled_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    agenda = models.TextField(_("agenda"))
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CoachingSessionQuerySet.as_manager()

    class Meta:
        db_table = "organizations_coachingsession"
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        indexes = [
            models.Index(fields=["manager", "scheduled_at"], name="session_manager_time_idx")
        ]

    def __str__(self):
        return f"{self.organization} {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.scheduled_at + datetime.timedelta(minutes=self.duration_minutes)


class ItemOwner(models.TextChoices):
    MANAGER = "manager", _("Category manager")
    ORGANIZATION = "organization", _("Organization")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ActionItem(models.Model):
    """Something to do after a session, owned by the manager or by the organization."""

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="action_items"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(_("action item"), max_length=300)
    owner = models.CharField(_("owner"), max_length=12, choices=ItemOwner.choices)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=6, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoachingScopedQuerySet.as_manager()

    class Meta:
        db_table = "organizations_actionitem"
        ordering = ["-status", "due_on", "id"]  # open first
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status="open"), name="item_open_due_idx")
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == ItemStatus.OPEN and self.due_on < timezone.localdate()


class ReminderLog(models.Model):
    """The daily reminder sent to one manager on one day: the unique row makes it once a day,
    however often the job runs."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    sessions = models.PositiveSmallIntegerField(default=0)
    overdue_items = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "organizations_reminderlog"
        constraints = [
            models.UniqueConstraint(fields=["manager", "day"], name="reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.manager_id} {self.day}"


__all__ = [
    "ActionItem",
    "Channel",
    "CoachingGoal",
    "CoachingSession",
    "GoalKind",
    "GoalStatus",
    "ItemOwner",
    "ItemStatus",
    "ReminderLog",
    "SessionStatus",
]
