from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "placements"
    verbose_name = _("Placements and traffic coupons")

    def ready(self):
        from . import (
            rules,  # noqa: F401 - registers the permission rules
            signals,  # noqa: F401 - withdraws placements of videos rejected as copies
            statement,  # noqa: F401 - the coupons section of an organization's statement
        )
