"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_shared_services(app_configs, **kwargs):
    warnings = []
    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        warnings.append(
            Warning(
                "CACHE_URL is not set: rate limits are counted per process, not across servers.",
                hint="Set CACHE_URL to a Redis URL, for example redis://redis:6379/1.",
                id="portal.W001",
            )
        )
    if settings.CELERY_BROKER_URL.startswith(("filesystem://", "memory://")):
        warnings.append(
            Warning(
                "CELERY_BROKER_URL is the development broker, which only works on one machine.",
                hint="Set CELERY_BROKER_URL to a Redis URL, for example redis://redis:6379/0.",
                id="portal.W002",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        warnings.append(
            Warning(
                "DATABASE_URL is not set: the portal runs on the embedded SQLite file.",
                hint="Set DATABASE_URL to a PostgreSQL URL.",
                id="portal.W003",
            )
        )
    if settings.PORTAL_BASE_URL.startswith(("http://127.0.0.1", "http://localhost")):
        warnings.append(
            Warning(
                "PORTAL_BASE_URL is not set: links in emails point at this machine "
                f"({settings.PORTAL_BASE_URL}).",
                hint="Set PORTAL_BASE_URL to the portal's public address, for example "
                "https://portal.example.com.",
                id="portal.W004",
            )
        )
    return warnings
