from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives and settlement")

    def ready(self):
        from portal.core import events

        from . import (  # noqa: F401 - registers the panels, rules and page sections
            dashboard,
            listeners,
            rules,
            sections,
        )

        events.listen(listeners.on_event)  # an organization's suspension holds its payouts
