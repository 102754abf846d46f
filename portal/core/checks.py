"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIN_TOKEN_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def check_keys(app_configs, **kwargs):
    """The keys that sign sessions and links and digest partner tokens are real ones."""
    errors = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is the development key written in settings.py.",
                hint="Set SECRET_KEY to a long random value of your own.",
                id="portal.E001",
            )
        )
    token_key = settings.PARTNER_TOKEN_KEY
    if token_key and (
        len(token_key) < MIN_TOKEN_KEY_LENGTH or token_key == settings.DEVELOPMENT_SECRET_KEY
    ):
        errors.append(
            Error(
                f"PARTNER_TOKEN_KEY is shorter than {MIN_TOKEN_KEY_LENGTH} characters or a "
                "development value.",
                hint="Set it to a long random value, or leave it empty to derive it from "
                "SECRET_KEY.",
                id="portal.E002",
            )
        )
    return errors


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
