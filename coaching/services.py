"""Every write of coaching: the plan's goals, sessions, action items and the managers' daily
reminders. Each checks the role, writes an audit record and runs in a transaction. Reads are in
`coaching.selectors`."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coaching.models import (
    ActionItem,
    CoachingGoal,
    CoachingSession,
    GoalKind,
    GoalStatus,
    ItemOwner,
    ItemStatus,
    ReminderLog,
    SessionStatus,
)
from organizations.models import ManagerAssignment, Organization, OrgRole
from portal.accounts.models import Role, User
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import absolute_url, notify
from portal.core.queue import enqueue

# Re-exported for callers that read and write in one place (the views, the demo).
from .selectors import reminder_agenda


def _admins(organization):
    return [
        m.user
        for m in organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
    ]


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
                enqueue("coaching.tasks.send_manager_reminder", reminder_id=log.pk)
        except IntegrityError:
            continue  # already reminded today
        sent += 1
    return sent


__all__ = [
    "action_item_complete",
    "goal_create",
    "goal_update",
    "reminder_email_send",
    "reminders_send",
    "session_cancel",
    "session_record",
    "session_schedule",
]


def reminder_email_send(*, reminder: ReminderLog) -> None:
    """Send a manager's morning email (today's sessions, the overdue action items of their book)
    in their language, and mark the reminder sent."""
    sessions, items = reminder_agenda(reminder.manager, reminder.day)
    with translation.override(reminder.manager.language):
        context = {
            "manager": reminder.manager,
            "day": reminder.day,
            "sessions": sessions,
            "items": items,
            "url": absolute_url("/coaching/book/"),
        }
        subject = render_to_string("coaching/reminder_subject.txt", context).strip()
        body = render_to_string("coaching/reminder_email.txt", context)
    send_mail(subject, body, None, [reminder.manager.email])
    ReminderLog.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
