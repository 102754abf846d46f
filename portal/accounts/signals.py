"""Sign-in events go to the security log (they are not state changes, so not to the audit log)."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit.context import client_ip

security_log = logging.getLogger("portal.security")


def _ip(request):
    return client_ip(request) if request is not None else "-"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    security_log.info("login: user=%s ip=%s", user.pk, _ip(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    security_log.info("logout: user=%s ip=%s", getattr(user, "pk", None), _ip(request))


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    # The password is never logged; Django already masks it in `credentials`.
    security_log.warning(
        "login failed: username=%s ip=%s", credentials.get("username", "?"), _ip(request)
    )
