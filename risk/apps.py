from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk center")

    def ready(self):
        from . import rules, violations  # noqa: F401 - the rules, growth's violations
