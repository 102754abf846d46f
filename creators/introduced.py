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


NO_BINDINGS_SQL = (
    "SELECT CAST(NULL AS BIGINT) AS binding_id, CAST(NULL AS BIGINT) AS organization_id, "
    "CAST(NULL AS BIGINT) AS creator_id WHERE 1 = 0"
)


def counting_bindings_sql(
    bindings, *, cycle_start: datetime.date, cycle_end: datetime.date | None = None
) -> tuple[str, list]:
    """The bindings `counting_bindings` returns, as SQL and its parameters selecting binding_id,
    organization_id and creator_id: for set-based statements over every organization
    (settlement). The same rule, computed with joins and one aggregate per binding instead of
    two correlated subqueries per binding (at 1,000,000 creators: 400,000 bindings, 17.8 s as
    subplans). Original videos follow `content.originals` from its pieces: the reported figures
    of the window's days before the creator's first video in the portal, plus the portal's
    videos of the window."""
    from content.models import Video
    from content.originals import FIRST_VIDEO_SQL, PORTAL_ORIGINAL

    if cycle_end is None:
        cycle_start, cycle_end = cycle_of(cycle_start)
    rule = QualificationRule.objects.in_force(cycle_start)
    if rule is None:
        return NO_BINDINGS_SQL, []
    window = datetime.timedelta(days=rule.window_days)
    in_cycle = (
        bindings.filter(
            source=BindingSource.RECRUITED, started_on__gte=cycle_start, started_on__lt=cycle_end
        )
        .annotate(
            b_id=F("id"),
            b_organization_id=F("organization_id"),
            b_creator_id=F("creator_id"),
            b_started_on=F("started_on"),
            b_window_end=ExpressionWrapper(F("started_on") + window, output_field=DateField()),
        )
        .order_by()
        .values("b_id", "b_organization_id", "b_creator_id", "b_started_on", "b_window_end")
    )
    in_cycle_sql, in_cycle_params = in_cycle.query.sql_with_params()
    metrics = DailyMetric._meta.db_table
    videos = Video._meta.db_table
    # Every window lies within [cycle_start, cycle_end + window): the metric days and videos read
    # are bounded by that range (the index on date), then joined to each binding's window.
    sql = f"""
WITH ib AS (
  SELECT b.b_id, b.b_organization_id, b.b_creator_id, b.b_started_on, b.b_window_end,
         s.first_day
  FROM ({in_cycle_sql}) b
  LEFT JOIN ({FIRST_VIDEO_SQL}) s ON s.creator_id = b.b_creator_id
),
mw AS (
  SELECT ib.b_id,
         SUM(m.counted_valid_plays) AS plays,
         SUM(CASE WHEN ib.first_day IS NULL OR m.date < ib.first_day
                  THEN m.original_videos ELSE 0 END) AS videos
  FROM ib
  JOIN {metrics} m ON m.creator_id = ib.b_creator_id
       AND m.date >= ib.b_started_on AND m.date < ib.b_window_end
  WHERE m.date >= %s AND m.date < %s
  GROUP BY ib.b_id
),
pw AS (
  SELECT ib.b_id, SUM({PORTAL_ORIGINAL}) AS videos
  FROM ib
  JOIN {videos} v ON v.creator_id = ib.b_creator_id
       AND v.published_on >= ib.b_started_on AND v.published_on < ib.b_window_end
  WHERE v.published_on >= %s AND v.published_on < %s
  GROUP BY ib.b_id
)
SELECT ib.b_id AS binding_id, ib.b_organization_id AS organization_id,
       ib.b_creator_id AS creator_id
FROM ib
LEFT JOIN mw ON mw.b_id = ib.b_id
LEFT JOIN pw ON pw.b_id = ib.b_id
WHERE COALESCE(mw.videos, 0) + COALESCE(pw.videos, 0) >= %s
  AND COALESCE(mw.plays, 0) >= %s"""  # noqa: S608 - names from our models; values are parameters
    bounds = [cycle_start, cycle_end + window]
    return sql, [
        *in_cycle_params,
        *bounds,
        *bounds,
        rule.min_original_videos,
        rule.min_valid_plays,
    ]


def introduced_exists(*, cycle_start: datetime.date):
    """An Exists() for creator querysets: the creator's binding counts in the cycle."""
    return Exists(
        counting_bindings(Binding.objects.all(), cycle_start=cycle_start).filter(
            creator=OuterRef("pk")
        )
    )
