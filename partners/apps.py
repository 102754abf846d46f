from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner applications")

    def ready(self):
        from portal.core import events

        from . import rules, token_cache, visibility, webhooks  # noqa: F401

        events.listen(webhooks.emit)  # every app's events become webhook deliveries
        token_cache.connect()  # changes to tokens, applications and accounts reach every process
