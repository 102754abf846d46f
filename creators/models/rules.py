"""Qualification and abnormal-play rules, versioned data an operator edits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
