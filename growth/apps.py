from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "growth"
    verbose_name = _("Agency growth")

    def ready(self):
        from . import rules  # noqa: F401
