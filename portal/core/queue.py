"""Enqueue background work so that it survives a broker outage.

`enqueue("app.tasks.name", **kwargs)` records the task in the outbox inside the caller's transaction and publishes
it once that transaction commits. If the broker cannot take it, the row stays pending and is published
later by `deliver_queued_tasks` (every minute from beat, and when a worker starts). Tasks therefore run
at least once and must be idempotent; they take ids, never model instances.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import QueuedTask

logger = logging.getLogger(__name__)

# A pending row younger than this is probably still being published by the request that made it.
REDELIVERY_GRACE = timedelta(seconds=30)


def enqueue(task: str, **kwargs) -> QueuedTask:
    """Record the task registered as `task` (its name, such as "coaching.tasks.send_manager_reminder")
    with `kwargs` and publish it when the current transaction commits. Services name the task rather
    than import it, so no services module imports a tasks module (tests/test_architecture.py checks
    that every name given here is a registered task)."""
    row = QueuedTask.objects.create(task_name=task, kwargs=kwargs)
    transaction.on_commit(partial(publish, row.pk), robust=True)
    return row


def registered_task(name: str):
    """The task registered as `name`. A web process has not imported the apps' tasks modules (only
    workers do when they start), so the first lookup that misses imports them all: every app's
    `tasks` module, as the worker finds them."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def publish(row_id: int) -> bool:
    """Hand one outbox row to the broker. Returns False (and keeps the row pending) on failure."""
    row = QueuedTask.objects.filter(pk=row_id, published_at__isnull=True).first()
    if row is None:
        return True
    try:
        registered_task(row.task_name).apply_async(
            kwargs=row.kwargs, task_id=f"queued-{row.pk}-{row.attempts}", retry=False
        )
    except (OperationalError, OSError) as exc:  # the broker is down: keep the task for later
        QueuedTask.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        logger.warning("Task %s kept in the outbox: broker unavailable (%s)", row, exc)
        return False
    QueuedTask.objects.filter(pk=row.pk).update(
        published_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def deliver_pending(limit: int = 500) -> tuple[int, int]:
    """Publish pending outbox rows; returns (published, still pending)."""
    cutoff = timezone.now() - REDELIVERY_GRACE
    pending = QueuedTask.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.order_by("created_at", "id").values_list("id", flat=True)[:limit])
        published = sum(1 for row_id in ids if publish(row_id))
    remaining = QueuedTask.objects.filter(published_at__isnull=True).count()
    return published, remaining
