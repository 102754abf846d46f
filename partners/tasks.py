"""Webhook deliveries (see `partners.webhooks`)."""

from celery import shared_task
from django.db import transaction

from portal.core.queue import enqueue

from . import webhooks


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, *, delivery_id: int, replayed_by_id: int | None = None) -> None:
    """One attempt of a delivery; a failed one is retried after an exponential backoff (the
    delivery counts its attempts and gives up after `WEBHOOK_MAX_ATTEMPTS`). Idempotent: an
    attempt claims its delivery first, so a duplicate message sends nothing."""
    countdown = webhooks.attempt_delivery(delivery_id, replayed_by_id=replayed_by_id)
    if countdown is not None:
        raise self.retry(countdown=countdown, kwargs={"delivery_id": delivery_id})


@shared_task(acks_late=True, ignore_result=True)
def retry_due_webhooks() -> None:
    """Send again the deliveries whose retry message was lost (run from beat, e.g. every 10 min)."""
    with transaction.atomic():
        for delivery_id in webhooks.due_deliveries():
            enqueue("partners.tasks.deliver_webhook", delivery_id=delivery_id)
