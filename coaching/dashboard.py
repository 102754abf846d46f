"""Coaching on the dashboards: a manager's morning, an organization's next session and open
items (registered in `CoachingConfig.ready`)."""

import datetime

from django.utils import timezone

from portal.core.dashboards import register_panel

from .models import CoachingSession, ItemOwner, ItemStatus, SessionStatus
from .selectors import book_rows


@register_panel("manager", order=0)
def coaching_today(user, context) -> dict:
    """The manager's morning: the book in figures and today's sessions."""
    rows = book_rows([user.pk])
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return {
        "book_size": len(rows),
        "book_overdue": sum(row["overdue"] for row in rows),
        "book_quiet": sum(1 for row in rows if row["quiet"]),
        "sessions_today": CoachingSession.objects.filter(
            manager=user,
            status=SessionStatus.PLANNED,
            scheduled_at__gte=start,
            scheduled_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("organization")
        .order_by("scheduled_at"),
    }


@register_panel("organization", order=15, needs="organization")
def organization_coaching(user, context) -> dict:
    organization = context["organization"]
    return {
        "next_session": organization.coaching_sessions.filter(
            status=SessionStatus.PLANNED, scheduled_at__gte=timezone.now()
        )
        .order_by("scheduled_at")
        .first(),
        "open_items": organization.action_items.filter(
            status=ItemStatus.OPEN, owner=ItemOwner.ORGANIZATION
        ).count(),
    }
