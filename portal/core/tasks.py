from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification
from .queue import deliver_pending


@shared_task(acks_late=True, ignore_result=True)
def deliver_queued_tasks() -> None:
    """Publish outbox rows that could not be published when they were made."""
    deliver_pending()


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_notification_email(*, notification_id: int) -> None:
    """Email one notification in its recipient's language; a notification is emailed once."""
    from .notifications import absolute_url

    notification = (
        Notification.objects.select_related("recipient", "organization")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.is_active:
        return
    recipient = notification.recipient
    with translation.override(recipient.language):
        context = {
            "notification": notification,
            "recipient": recipient,
            "url": absolute_url(notification.link),
        }
        subject = notification.message
        body = render_to_string("core/notification_email.txt", context)
    send_mail(subject, body, None, [recipient.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
