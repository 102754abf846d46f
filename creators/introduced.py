"""Successfully introduced creators (domain.md): a recruited binding that started in the cycle and
whose creator met the qualification rule within its window. The rule is a table row; a cycle (a
calendar month in Asia/Shanghai, closed-open) uses the row in force on its first day.

The window of a binding that starts on day S with a rule of N days is S .. S+N-1 (N days, the
start day included); only valid plays that count (not flagged as abnormal) are summed. Original
videos come from the one source of truth, `content.originals` (the creator's standing videos once
they have videos in the portal, the reported daily figure before).
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Binding, BindingSource, DailyMetric, QualificationRule


def cycle_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The monthly cycle containing `day`, as [first day, first day of the next month)."""
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, end


@dataclass(frozen=True)
class IntroducedStatus:
    counts: bool
    pending: bool
    reason: str
    original_videos: int
    valid_plays: int
    window_end: datetime.date | None  # the last day of the window


def _original_days():
    """Original videos per creator and day: the one source of truth (`content.originals`)."""
    from content.models import CreatorDay

    return CreatorDay.objects.all()


def window_totals(creator_id: int, start: datetime.date, days: int) -> tuple[int, int]:
    end = start + datetime.timedelta(days=days)
    totals = DailyMetric.objects.filter(
        creator_id=creator_id, date__gte=start, date__lt=end
    ).aggregate(plays=Sum("counted_valid_plays"))
    videos = (
        _original_days()
        .filter(creator_id=creator_id, date__gte=start, date__lt=end)
        .aggregate(n=Sum("original_videos"))["n"]
    )
    return videos or 0, totals["plays"] or 0


def introduced_status(
    binding: Binding,
    *,
    cycle_start: datetime.date | None = None,
    today: datetime.date | None = None,
) -> IntroducedStatus:
    """Whether `binding` counts as successfully introduced in the cycle, and why (translated)."""
    today = today or timezone.localdate()
    cycle_start, cycle_end = cycle_of(cycle_start or today)
    rule = QualificationRule.objects.in_force(cycle_start)

    def status(counts, reason, videos=0, plays=0, window_end=None, pending=False):
        return IntroducedStatus(counts, pending, reason, videos, plays, window_end)

    if rule is None:
        return status(False, _("No qualification rule is in force for this cycle."))
    if binding.source != BindingSource.RECRUITED:
        return status(False, _("Transferred creators do not count as introduced."))
    if not cycle_start <= binding.started_on < cycle_end:
        return status(
            False,
            _("Bound on %(day)s, outside this cycle (%(start)s to %(end)s).")
            % {
                "day": binding.started_on,
                "start": cycle_start,
                "end": cycle_end - datetime.timedelta(days=1),
            },
        )
    videos, plays = window_totals(binding.creator_id, binding.started_on, rule.window_days)
    window_end = binding.started_on + datetime.timedelta(days=rule.window_days - 1)
    figures = {
        "videos": videos,
        "min_videos": rule.min_original_videos,
        "plays": f"{plays:,}",
        "min_plays": f"{rule.min_valid_plays:,}",
        "days": rule.window_days,
        "start": binding.started_on,
        "end": window_end,
    }
    if videos >= rule.min_original_videos and plays >= rule.min_valid_plays:
        return status(
            True,
            _(
                "Counts: %(videos)s original videos (%(min_videos)s needed) and %(plays)s valid "
                "plays (%(min_plays)s needed) within %(days)s days of binding on %(start)s."
            )
            % figures,
            videos,
            plays,
            window_end,
        )
    if today <= window_end:
        figures["left"] = (window_end - today).days + 1
        return status(
            False,
            _(
                "Not yet: %(videos)s of %(min_videos)s original videos and %(plays)s of "
                "%(min_plays)s valid plays so far; %(left)s days left in the window (until %(end)s)."
            )
            % figures,
            videos,
            plays,
            window_end,
            pending=True,
        )
    return status(
        False,
        _(
            "Does not count: %(videos)s of %(min_videos)s original videos and %(plays)s of "
            "%(min_plays)s valid plays in the window %(start)s to %(end)s."
        )
        % figures,
        videos,
        plays,
        window_end,
    )


def counting_bindings(
    bindings, *, cycle_start: datetime.date, cycle_end: datetime.date | None = None
):
    """Of `bindings`, those that count as introduced in the cycle starting `cycle_start` (a calendar
    month unless `cycle_end` says otherwise: programs may have longer cycles), in SQL."""
    if cycle_end is None:
        cycle_start, cycle_end = cycle_of(cycle_start)
    rule = QualificationRule.objects.in_force(cycle_start)
    if rule is None:
        return bindings.none()
    in_cycle = bindings.filter(
        source=BindingSource.RECRUITED, started_on__gte=cycle_start, started_on__lt=cycle_end
    ).annotate(
        window_end=ExpressionWrapper(
            F("started_on") + datetime.timedelta(days=rule.window_days), output_field=DateField()
        )
    )
    in_window = DailyMetric.objects.filter(
        creator=OuterRef("creator"),
        date__gte=OuterRef("started_on"),
        date__lt=OuterRef("window_end"),
    ).values("creator")
    originals_in_window = (
        _original_days()
        .filter(
            creator_id=OuterRef("creator"),
            date__gte=OuterRef("started_on"),
            date__lt=OuterRef("window_end"),
        )
        .values("creator_id")
    )
    return in_cycle.annotate(
        window_videos=Coalesce(
            Subquery(originals_in_window.annotate(n=Sum("original_videos")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
        window_plays=Coalesce(
            Subquery(in_window.annotate(n=Sum("counted_valid_plays")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
    ).filter(window_videos__gte=rule.min_original_videos, window_plays__gte=rule.min_valid_plays)


def introduced_exists(*, cycle_start: datetime.date):
    """An Exists() for creator querysets: the creator's binding counts in the cycle."""
    return Exists(
        counting_bindings(Binding.objects.all(), cycle_start=cycle_start).filter(
            creator=OuterRef("pk")
        )
    )
