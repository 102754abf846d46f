from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from portal.core.notifications import absolute_url

from .models import Invitation


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_email(*, invitation_id: int) -> None:
    """Email an invitation link, in the inviter's language (the invitee has no account yet).
    The link is recomputed here from the invitation, so no secret waits in the queue."""
    from .services.members import invitation_path

    invitation = (
        Invitation.objects.select_related("organization", "created_by")
        .pending()
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.is_expired:
        return
    with translation.override(invitation.created_by.language):
        context = {"invitation": invitation, "url": absolute_url(invitation_path(invitation))}
        subject = render_to_string("organizations/invitation_subject.txt", context).strip()
        body = render_to_string("organizations/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


@shared_task(acks_late=True, ignore_result=True)
def send_daily_reminders() -> None:
    """Beat, every morning: one reminder per manager with sessions today or overdue items."""
    from .services.coaching import reminders_send

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
    import datetime

    from django.utils import timezone

    from .models import ActionItem, CoachingSession, ItemStatus, ReminderLog, SessionStatus

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
