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
