"""What coaching pages and the dashboard read: the figures behind the goals and the rows of a
manager's book. Reads only; writes are in `coaching.services`."""

import datetime
from decimal import Decimal

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from coaching.models import (
    ActionItem,
    CoachingGoal,
    CoachingSession,
    GoalKind,
    GoalStatus,
    ItemStatus,
    SessionStatus,
)
from creators.introduced import counting_bindings, cycle_of
from creators.models import Binding, Creator, DailyMetric
from organizations.models import ManagerAssignment


def organization_figures(organization_ids) -> dict[int, dict[str, Decimal]]:
    """The measured figures of each organization, in a fixed number of queries for any number of
    organizations: introduced this month, roster, original share and valid plays and GMV (30 days)."""
    ids = list(organization_ids)
    figures = {pk: dict.fromkeys(GoalKind.values, Decimal(0)) for pk in ids}
    today = timezone.localdate()
    active = Binding.objects.filter(organization_id__in=ids, ended_on__isnull=True)
    for row in (
        counting_bindings(active, cycle_start=cycle_of(today)[0])
        .values("organization_id")
        .annotate(n=Count("id"))
    ):
        figures[row["organization_id"]][GoalKind.INTRODUCED] = Decimal(row["n"])
    for row in (
        Creator.objects.filter(bindings__in=active)
        .values("bindings__organization_id")
        .annotate(n=Count("id"), plays=Sum("valid_plays_30d"), gmv=Sum("gmv_30d"))
    ):
        pk = row["bindings__organization_id"]
        figures[pk][GoalKind.ROSTER] = Decimal(row["n"])
        figures[pk][GoalKind.VALID_PLAYS] = Decimal(row["plays"] or 0)
        figures[pk][GoalKind.GMV] = Decimal(row["gmv"] or 0)
    since = today - datetime.timedelta(days=29)
    for row in (
        DailyMetric.objects.filter(
            date__gte=since,
            creator__bindings__organization_id__in=ids,
            creator__bindings__ended_on__isnull=True,
        )
        .values("creator__bindings__organization_id")
        .annotate(original=Sum("original_videos"), published=Sum("videos_published"))
    ):
        if row["published"]:
            share = Decimal(100 * row["original"]) / Decimal(row["published"])
            figures[row["creator__bindings__organization_id"]][GoalKind.ORIGINAL_SHARE] = (
                share.quantize(Decimal("0.1"))
            )
    return figures


def goal_progress(goal: CoachingGoal, figures: dict[str, Decimal]) -> tuple[Decimal | None, int]:
    """(the current figure, percent of the target reached, capped at 100)."""
    current = goal.manual_progress if goal.kind == GoalKind.CUSTOM else figures.get(goal.kind)
    if current is None or not goal.target:
        return current, 0
    return current, max(0, min(100, int(100 * current / goal.target)))


def book_rows(manager_ids, *, organizations=None):
    """The rows of "my book": per organization its state, last and next session, overdue items and
    the figures behind its goals. A bounded number of queries for any size of book."""
    assignments = (
        ManagerAssignment.objects.active()
        .filter(manager_id__in=list(manager_ids))
        .select_related("organization", "organization__main_category", "manager")
    )
    if organizations is not None:
        assignments = assignments.filter(organization__in=organizations)
    assignments = list(assignments)
    ids = [a.organization_id for a in assignments]
    now = timezone.now()
    last = dict(
        CoachingSession.objects.filter(
            organization_id__in=ids, status=SessionStatus.HELD, scheduled_at__lte=now
        )
        .values_list("organization_id")
        .annotate(at=Max("scheduled_at"))
    )
    upcoming = dict(
        CoachingSession.objects.filter(
            organization_id__in=ids, status=SessionStatus.PLANNED, scheduled_at__gte=now
        )
        .values_list("organization_id")
        .annotate(at=Min("scheduled_at"))
    )
    overdue = dict(
        ActionItem.objects.filter(
            organization_id__in=ids, status=ItemStatus.OPEN, due_on__lt=timezone.localdate()
        )
        .values_list("organization_id")
        .annotate(n=Count("id"))
    )
    figures = organization_figures(ids)
    nearest: dict[int, CoachingGoal] = {}
    for goal in CoachingGoal.objects.filter(
        organization_id__in=ids, status=GoalStatus.ACTIVE
    ).order_by("due_on", "id"):
        nearest.setdefault(goal.organization_id, goal)
    quiet = now - datetime.timedelta(days=30)
    rows = [
        {
            "assignment": a,
            "organization": a.organization,
            "last_session": last.get(a.organization_id),
            "next_session": upcoming.get(a.organization_id),
            "overdue": overdue.get(a.organization_id, 0),
            "introduced": figures[a.organization_id][GoalKind.INTRODUCED],
            "roster": figures[a.organization_id][GoalKind.ROSTER],
            "quiet": (last.get(a.organization_id) or a.started_at) < quiet,
            "goal": nearest.get(a.organization_id),
            "goal_percent": 0,
        }
        for a in assignments
    ]
    for row in rows:
        if row["goal"] is not None:
            row["goal_percent"] = goal_progress(row["goal"], figures[row["organization"].pk])[1]
    return rows


__all__ = ["book_rows", "goal_progress", "organization_figures"]
