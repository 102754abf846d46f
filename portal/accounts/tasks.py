from smtplib import SMTPException

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def password_reset_url(user: User) -> str:
    """The link that lets `user` choose a new password, made from the account as it is now."""
    from django.urls import reverse

    from portal.core.notifications import absolute_url

    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return absolute_url(path)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_password_reset_email(
    *, user_id: int, language: str, domain: str = "", use_https: bool = False
) -> None:
    """Email a password reset link. The token is made here, from the account as it is now.
    The link starts with PORTAL_BASE_URL like every emailed link, whatever host the request
    came in on (`domain` and `use_https` are accepted for tasks queued before that)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(language):
        context = {"user": user, "email": user.email, "url": password_reset_url(user)}
        subject = "".join(
            render_to_string("registration/password_reset_subject.txt", context).splitlines()
        )
        body = render_to_string("registration/password_reset_email.txt", context)
    send_mail(subject, body, None, [user.email])


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_verification_email(*, user_id: int) -> None:
    """Email the link that verifies a new account's address, in the account's language."""
    from portal.core.notifications import absolute_url

    from .services import email_verification_path

    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return
    with translation.override(user.language):
        context = {"user": user, "url": absolute_url(email_verification_path(user))}
        subject = render_to_string("registration/verify_email_subject.txt", context).strip()
        body = render_to_string("registration/verify_email.txt", context)
    send_mail(subject, body, None, [user.email])


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_welcome_email(*, user_id: int) -> None:
    """Welcome a staff account an operator opened, with a link to choose the first password."""
    from django.urls import reverse

    from portal.core.notifications import absolute_url

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return
    with translation.override(user.language):
        context = {
            "user": user,
            "url": password_reset_url(user),
            "sign_in": absolute_url(reverse("accounts:login")),
        }
        subject = render_to_string("registration/welcome_subject.txt", context).strip()
        body = render_to_string("registration/welcome_email.txt", context)
    send_mail(subject, body, None, [user.email])
