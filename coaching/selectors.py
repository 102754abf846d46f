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
from organizations.selectors import manager_loads
from portal.accounts.models import ManagerProfile


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


def plan_context(organization) -> dict:
    """What an organization's coaching plan shows: its goals with their progress (active first),
    manager history, recent sessions and action items."""
    figures = organization_figures([organization.pk])[organization.pk]
    goals = [
        (goal, *goal_progress(goal, figures))
        for goal in sorted(
            organization.coaching_goals.all(),
            key=lambda g: (g.status != GoalStatus.ACTIVE, g.due_on, g.pk),
        )
    ]
    return {
        "assignment": organization.manager_assignments.active().select_related("manager").first(),
        "history": organization.manager_assignments.select_related(
            "manager", "assigned_by"
        ).order_by("-started_at"),
        "goals": goals,
        "sessions": organization.coaching_sessions.select_related("manager").prefetch_related(
            "action_items"
        )[:20],
        "items": organization.action_items.filter(status=ItemStatus.OPEN).order_by("due_on", "id"),
        "done_items": organization.action_items.filter(status=ItemStatus.DONE)
        .select_related("done_by")
        .order_by("-done_at", "-id")[:10],
    }


def balance_figures(today: datetime.date) -> dict:
    """The operators' balance of managers: each active manager's load against their capacity (and
    whether they are away today), and the same summed per category, fullest first."""
    profiles = list(
        ManagerProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related("categories")
        .order_by("user__full_name")
    )
    loads = manager_loads(p.user_id for p in profiles)
    managers = [
        {
            "profile": p,
            "load": loads.get(p.user_id, 0),
            "share": round(100 * min(loads.get(p.user_id, 0), p.capacity) / max(p.capacity, 1), 1),
            "full": loads.get(p.user_id, 0) >= p.capacity,
            "away": p.is_away(today),
        }
        for p in profiles
    ]
    categories: dict[int, dict] = {}
    for row in managers:
        for category in row["profile"].categories.all():
            entry = categories.setdefault(
                category.pk, {"category": category, "managers": 0, "load": 0, "capacity": 0}
            )
            entry["managers"] += 1
            entry["load"] += row["load"]
            entry["capacity"] += row["profile"].capacity
    for entry in categories.values():
        entry["share"] = round(
            100 * min(entry["load"], entry["capacity"]) / max(entry["capacity"], 1), 1
        )
    return {
        "managers": managers,
        "categories": sorted(categories.values(), key=lambda e: -e["share"]),
    }


__all__ = ["balance_figures", "book_rows", "goal_progress", "organization_figures", "plan_context"]


def reminder_agenda(manager, day: datetime.date) -> tuple:
    """A manager's planned sessions on `day` and the open action items of their book due before."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    sessions = CoachingSession.objects.filter(
        manager=manager,
        status=SessionStatus.PLANNED,
        scheduled_at__gte=start,
        scheduled_at__lt=start + datetime.timedelta(days=1),
    ).select_related("organization")
    items = ActionItem.objects.filter(
        status=ItemStatus.OPEN,
        due_on__lt=day,
        organization__manager_assignments__manager=manager,
        organization__manager_assignments__ended_at__isnull=True,
    ).select_related("organization")
    return sessions, items
