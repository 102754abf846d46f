from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives and settlement")

    def ready(self):
        from . import dashboard, rules  # noqa: F401 - registers the dashboard panels and rules
