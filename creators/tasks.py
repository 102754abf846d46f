from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.imports import import_commit, import_validate

# Retried with backoff: a file that cannot be read yet (OSError), and a database connection lost
# half-way (PostgreSQL restarted or failed over). Both steps start again cleanly: the check
# restages the file, the commit is one transaction that never ran.
TRANSIENT = (OSError, OperationalError, InterfaceError)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def validate_import(*, job_id: int) -> None:
    """Check an uploaded file row by row (the dry run). Restarts cleanly if the worker dies."""
    import_validate(job_id)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def commit_import(*, job_id: int) -> None:
    """Write a checked file in one transaction; running it again changes nothing."""
    import_commit(job_id)
