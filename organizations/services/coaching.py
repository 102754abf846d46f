"""Coaching plans, sessions, action items and the managers' daily reminders."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.introduced import counting_bindings, cycle_of
from creators.models import Binding, Creator, DailyMetric
from organizations.models import (
    ActionItem,
    CoachingGoal,
    CoachingSession,
    GoalKind,
    GoalStatus,
    ItemOwner,
    ItemStatus,
    ManagerAssignment,
    Organization,
    OrgRole,
    ReminderLog,
    SessionStatus,
)
from portal.accounts.models import Role, User
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import notify
from portal.core.queue import enqueue


def _admins(organization):
    return [
        m.user
        for m in organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
    ]


# --- figures behind the goals -------------------------------------------------------------------


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


# --- the plan -----------------------------------------------------------------------------------


@transaction.atomic
def goal_create(
    *, actor, organization: Organization, kind: str, title: str, target: Decimal, due_on
) -> CoachingGoal:
    authorize(actor, "coaching.plan", organization)
    if target <= 0:
        raise ValidationError({"target": _("The target must be above zero.")})
    goal = CoachingGoal(
        organization=organization,
        kind=kind,
        title=title.strip(),
        target=target,
        due_on=due_on,
        created_by=actor,
    )
    goal.full_clean()
    goal.save()
    audit_record(
        actor=actor,
        action="coaching.goal",
        obj=goal,
        organization=organization,
        after={"kind": kind, "target": target, "due_on": due_on},
    )
    return goal


@transaction.atomic
def goal_update(
    *, actor, goal: CoachingGoal, status: str | None = None, manual_progress: Decimal | None = None
) -> CoachingGoal:
    authorize(actor, "coaching.plan", goal.organization)
    before = {"status": goal.status, "manual_progress": goal.manual_progress}
    if status is not None:
        if status not in GoalStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        goal.status = status
    if manual_progress is not None:
        if goal.kind != GoalKind.CUSTOM:
            raise ValidationError(
                {
                    "manual_progress": _(
                        "This goal's progress comes from the organization's figures."
                    )
                }
            )
        goal.manual_progress = manual_progress
    goal.save(update_fields=["status", "manual_progress"])
    audit_record(
        actor=actor,
        action="coaching.goal_update",
        obj=goal,
        organization=goal.organization,
        before=before,
        after={"status": goal.status, "manual_progress": goal.manual_progress},
    )
    return goal


# --- sessions and action items -----------------------------------------------------------------


def _current_manager(organization: Organization) -> User | None:
    assignment = (
        ManagerAssignment.objects.active()
        .filter(organization=organization)
        .select_related("manager")
        .first()
    )
    return assignment.manager if assignment else None


@transaction.atomic
def session_schedule(
    *,
    actor,
    organization: Organization,
    scheduled_at: datetime.datetime,
    channel: str,
    agenda: str,
    duration_minutes: int = 60,
    attendees: str = "",
) -> CoachingSession:
    """Plan a session; it is led by the organization's current manager."""
    authorize(actor, "coaching.plan", organization)
    manager = actor if actor.role == Role.MANAGER else _current_manager(organization)
    if manager is None:
        raise ValidationError(_("Assign a category manager before planning sessions."))
    session = CoachingSession(
        organization=organization,
        manager=manager,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        channel=channel,
        agenda=agenda.strip(),
        attendees=attendees.strip(),
    )
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action="coaching.session",
        obj=session,
        organization=organization,
        after={"scheduled_at": scheduled_at, "channel": channel, "manager": manager.pk},
    )
    notify(
        recipients=_admins(organization),
        event="coaching.session",
        organization=organization,
        reason=f"{timezone.localtime(scheduled_at):%Y-%m-%d %H:%M} · {session.get_channel_display()}",
        link=reverse("coaching:organization", args=[organization.pk]),
    )
    return session


@transaction.atomic
def session_record(
    *,
    actor,
    session: CoachingSession,
    notes: str,
    items: list[tuple[str, str, datetime.date]] = (),
    attendees: str | None = None,
) -> CoachingSession:
    """Record what was said and agreed: notes, attendees and the action items with their owner."""
    authorize(actor, "coaching.plan", session.organization)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    session.notes = notes.strip()
    session.status = SessionStatus.HELD
    if attendees is not None:
        session.attendees = attendees.strip()
    session.save(update_fields=["notes", "status", "attendees", "updated_at"])
    created = ActionItem.objects.bulk_create(
        ActionItem(
            session=session,
            organization=session.organization,
            title=title.strip(),
            owner=owner,
            due_on=due_on,
        )
        for title, owner, due_on in items
        if title.strip()
    )
    audit_record(
        actor=actor,
        action="coaching.record",
        obj=session,
        organization=session.organization,
        after={"status": SessionStatus.HELD, "items": [item.title for item in created]},
    )
    if any(item.owner == ItemOwner.ORGANIZATION for item in created):
        notify(
            recipients=_admins(session.organization),
            event="coaching.items",
            organization=session.organization,
            link=reverse("coaching:organization", args=[session.organization_id]),
        )
    return session


@transaction.atomic
def session_cancel(*, actor, session: CoachingSession, reason: str) -> CoachingSession:
    authorize(actor, "coaching.plan", session.organization)
    updated = CoachingSession.objects.filter(pk=session.pk, status=SessionStatus.PLANNED).update(
        status=SessionStatus.CANCELLED
    )
    if not updated:
        raise ValidationError(_("Only a planned session can be cancelled."))
    audit_record(
        actor=actor,
        action="coaching.cancel",
        obj=session,
        organization=session.organization,
        reason=reason,
    )
    session.refresh_from_db()
    return session


@transaction.atomic
def action_item_complete(*, actor, item: ActionItem, comment: str = "") -> ActionItem:
    """Mark an item done: the organization its own items (with a comment), the manager theirs."""
    authorize(actor, "coaching.item", item)
    done = ActionItem.objects.filter(pk=item.pk, status=ItemStatus.OPEN).update(
        status=ItemStatus.DONE, done_at=timezone.now(), done_by=actor, comment=comment.strip()
    )
    if not done:
        raise ValidationError(_("This item is already done."))
    audit_record(
        actor=actor,
        action="coaching.item_done",
        obj=item,
        organization=item.organization,
        after={"status": ItemStatus.DONE},
        reason=comment.strip(),
    )
    item.refresh_from_db()
    return item


# --- reminders ----------------------------------------------------------------------------------


def reminders_send(day: datetime.date | None = None) -> int:
    """Queue one reminder email per manager with sessions today or overdue items. A manager gets
    at most one a day: the ReminderLog row is unique per (manager, day), so a second run (or two
    at once) sends nothing more."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    sessions = dict(
        CoachingSession.objects.filter(
            status=SessionStatus.PLANNED, scheduled_at__gte=start, scheduled_at__lt=end
        )
        .values_list("manager_id")
        .annotate(n=Count("id"))
    )
    overdue = dict(
        ActionItem.objects.filter(
            status=ItemStatus.OPEN,
            due_on__lt=day,
            organization__manager_assignments__ended_at__isnull=True,
        )
        .values_list("organization__manager_assignments__manager_id")
        .annotate(n=Count("id"))
    )
    sent = 0
    for manager_id in sorted(set(sessions) | set(overdue)):
        try:
            with transaction.atomic():
                log = ReminderLog.objects.create(
                    manager_id=manager_id,
                    day=day,
                    sessions=sessions.get(manager_id, 0),
                    overdue_items=overdue.get(manager_id, 0),
                )
                from organizations.tasks import send_manager_reminder

                enqueue(send_manager_reminder, reminder_id=log.pk)
        except IntegrityError:
            continue  # already reminded today
        sent += 1
    return sent


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


__all__ = [
    "action_item_complete",
    "book_rows",
    "goal_create",
    "goal_progress",
    "goal_update",
    "organization_figures",
    "reminders_send",
    "session_cancel",
    "session_record",
    "session_schedule",
]
