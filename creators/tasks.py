from celery import shared_task

from .services.imports import import_commit, import_validate


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def validate_import(*, job_id: int) -> None:
    """Check an uploaded file row by row (the dry run). Restarts cleanly if the worker dies."""
    import_validate(job_id)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def commit_import(*, job_id: int) -> None:
    """Write a checked file in one transaction; running it again changes nothing."""
    import_commit(job_id)
