"""The Celery application. Configuration lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def deliver_backlog_on_start(**_kwargs):
    """A worker that starts (for example after the broker was down) sends what the outbox held."""
    from portal.core.tasks import deliver_queued_tasks

    deliver_queued_tasks.delay()
