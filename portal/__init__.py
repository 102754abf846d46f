"""The creator program portal: project configuration and the shared parts every app uses."""

from .celery import app as celery_app

__all__ = ("celery_app",)
