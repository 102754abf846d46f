from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner applications")

    def ready(self):
        from . import rules, visibility  # noqa: F401
