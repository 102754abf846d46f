from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreatorsConfig(AppConfig):
    name = "creators"
    verbose_name = _("Creators")

    def ready(self):
        from . import dashboard, rules  # noqa: F401 - registers the dashboard panels and rules
