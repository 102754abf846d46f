from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "growth"
    verbose_name = _("Agency growth")

    def ready(self):
        from portal.core.rights import register_granted, register_right, register_values

        from . import rules  # noqa: F401
        from .selectors import granted_values, organizations_granted, right_for

        register_granted(organizations_granted)
        register_values(granted_values)
        register_right(right_for)
