"""Coaching's background work: the managers' daily reminders (beat, every morning)."""

from smtplib import SMTPException

from celery import shared_task

from .models import ReminderLog
from .services import reminder_email_send, reminders_send


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
    reminder_email_send(reminder=log)
