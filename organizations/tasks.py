from smtplib import SMTPException

from celery import shared_task

from .models import Invitation
from .services.members import invitation_email_send


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
    invitation = (
        Invitation.objects.select_related("organization", "created_by")
        .pending()
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.is_expired:
        return
    invitation_email_send(invitation=invitation)
