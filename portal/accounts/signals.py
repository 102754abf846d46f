"""Sign-in events go to the security log (they are not state changes, so not to the audit log)."""

import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit.context import client_ip

security_log = logging.getLogger("portal.security")


def _ip(request):
    return client_ip(request) if request is not None else "-"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    security_log.info("login: user=%s ip=%s", user.pk, _ip(request))


@receiver(user_logged_in)
def keep_language_chosen_before_sign_in(sender, request, user, **kwargs):
    """Someone who switched language on the sign-in page keeps it after signing in: the latest
    explicit choice wins over the one saved on the account."""
    from .services import user_set_language

    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user_set_language(actor=user, user=user, language=chosen)


@receiver(user_logged_in)
def start_the_idle_clock(sender, request, user, **kwargs):
    """The new session is saved with the sign-in: the pages right after it need not save it
    again to push its expiry forward (SessionRefreshMiddleware)."""
    from .middleware import stamp_refreshed

    if request is not None and hasattr(request, "session"):
        stamp_refreshed(request.session)


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    security_log.info("logout: user=%s ip=%s", getattr(user, "pk", None), _ip(request))


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    # The password is never logged; Django already masks it in `credentials`.
    security_log.warning(
        "login failed: username=%s ip=%s", credentials.get("username", "?"), _ip(request)
    )
