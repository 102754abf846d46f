from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_functions(sender, connection, **kwargs):
    """SQLite has no popcount: give it the same `content_hamming` that PostgreSQL gets from the
    migration, so the near-duplicate SQL is one text on both databases."""
    if connection.vendor == "sqlite":
        from .fingerprint import hamming

        connection.connection.create_function("content_hamming", 2, hamming, deterministic=True)


class ContentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "content"
    verbose_name = _("Content")

    def ready(self):
        from . import dashboard, rules  # noqa: F401 - registers the dashboard panels and rules

        connection_created.connect(_sqlite_functions, dispatch_uid="content_sqlite_functions")
