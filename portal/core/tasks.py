from celery import shared_task

from .queue import deliver_pending


@shared_task(acks_late=True, ignore_result=True)
def deliver_queued_tasks() -> None:
    """Publish outbox rows that could not be published when they were made."""
    deliver_pending()
