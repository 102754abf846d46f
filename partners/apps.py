from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner applications")

    def ready(self):
        from portal.core import events

        from . import rules, visibility, webhooks  # noqa: F401

        events.listen(webhooks.emit)  # every app's events become webhook deliveries
