"""Coaching's background work: the managers' daily reminders (beat, every morning)."""

import datetime
from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.core.notifications import absolute_url

from .models import ActionItem, CoachingSession, ItemStatus, ReminderLog, SessionStatus
from .services import reminders_send


@shared_task(acks_late=True, ignore_result=True)
def send_daily_reminders() -> None:
    """Beat, every morning: one reminder per manager with sessions today or overdue items."""
    reminders_send()


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_manager_reminder(*, reminder_id: int) -> None:
    """The manager's morning email: today's sessions and the overdue action items of their book."""
    log = (
        ReminderLog.objects.select_related("manager")
        .filter(pk=reminder_id, sent_at__isnull=True)
        .first()
    )
    if log is None or not log.manager.is_active:
        return  # unknown, or already sent by an earlier delivery of this task
    start = timezone.make_aware(datetime.datetime.combine(log.day, datetime.time.min))
    sessions = CoachingSession.objects.filter(
        manager=log.manager,
        status=SessionStatus.PLANNED,
        scheduled_at__gte=start,
        scheduled_at__lt=start + datetime.timedelta(days=1),
    ).select_related("organization")
    items = ActionItem.objects.filter(
        status=ItemStatus.OPEN,
        due_on__lt=log.day,
        organization__manager_assignments__manager=log.manager,
        organization__manager_assignments__ended_at__isnull=True,
    ).select_related("organization")
    with translation.override(log.manager.language):
        context = {
            "manager": log.manager,
            "day": log.day,
            "sessions": sessions,
            "items": items,
            "url": absolute_url("/coaching/book/"),
        }
        subject = render_to_string("coaching/reminder_subject.txt", context).strip()
        body = render_to_string("coaching/reminder_email.txt", context)
    send_mail(subject, body, None, [log.manager.email])
    ReminderLog.objects.filter(pk=log.pk).update(sent_at=timezone.now())
