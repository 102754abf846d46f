from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives and settlement")

    def ready(self):
        from portal.core import events

        from . import dashboard, listeners, rules  # noqa: F401 - registers the panels and rules

        events.listen(listeners.on_event)  # an organization's suspension holds its payouts
