"""Background work of the content app: each task takes ids (or nothing), loads fresh and calls one
keyword-only service. Enqueued by name through the outbox (portal/core/queue.py); every task is
safe to run twice."""

from celery import shared_task

from creators.tasks import IMPORT_TASK, run_import_step

from .models import Decision
from .services import (
    content_import_commit,
    content_import_validate,
    decision_corrections,
    originality_check,
    quality_sample,
)

RETRY = dict(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)


@shared_task(**RETRY)
def check_originality() -> None:
    """Check every video waiting for its originality check, batch by batch."""
    originality_check()


@shared_task(**RETRY)
def correct_paid_lists(*, decision_id: int) -> None:
    """Adjust what was paid for a decided video: the creator's lines, the organization's
    incentives."""
    decision = Decision.objects.filter(pk=decision_id).select_related("review__video").first()
    if decision is not None:
        decision_corrections(decision=decision)


@shared_task(**RETRY)
def sample_for_grading() -> None:
    """Every night: yesterday's new videos sampled into the grading queues."""
    quality_sample()


# Content files go through the import machinery's queue, time limits and failure handling: a
# file that fails for good ends its job as failed, with the reason, and can be discarded.
@shared_task(**IMPORT_TASK)
def validate_content_import(*, job_id: int) -> None:
    run_import_step(content_import_validate, job_id)


@shared_task(**IMPORT_TASK)
def commit_content_import(*, job_id: int) -> None:
    run_import_step(content_import_commit, job_id)
