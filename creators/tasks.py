"""Import tasks. They run on their own queue (`imports`, see CELERY_TASK_ROUTES) so that a large
or hostile file never holds up emails, webhooks or settlements, under time limits well inside the
broker's visibility timeout. A task that fails for good (an unexpected error, the retries of a
transient one used up, a time limit) ends its job as failed with the reason, so that the page
stops waiting and the job can be discarded."""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .services.imports import import_commit, import_fail, import_validate

logger = logging.getLogger(__name__)

# Retried with backoff: a file that cannot be read yet (OSError), and a database connection lost
# half-way (PostgreSQL restarted or failed over). Both steps start again cleanly: the check
# restages the file, the commit is one transaction that never ran. Anything else is not retried.
TRANSIENT = (OSError, OperationalError, InterfaceError)


class ImportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Also called by the worker's parent process when the hard time limit killed the task."""
        reason = (
            "time_limit" if isinstance(exc, SoftTimeLimitExceeded | TimeLimitExceeded) else None
        )
        if reason is None:
            reason = "unreadable" if isinstance(exc, TRANSIENT) else "unexpected"
        job_id = (kwargs or {}).get("job_id")
        logger.error("Import job %s failed (%s): %r", job_id, reason, exc)
        if job_id is not None:
            import_fail(job_id=job_id, reason=reason)


IMPORT_TASK = {
    "base": ImportTask,
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "max_retries": 5,
    "soft_time_limit": settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.IMPORT_TASK_SOFT_TIME_LIMIT + 60,
}


def run_import_step(service, job_id: int) -> None:
    """Run one step of a job; anything but a transient error ends the job here, so that it
    never waits forever (the worker's own failure hooks cover what cannot be caught here: the
    retries of a transient error used up, the hard time limit)."""
    try:
        service(job_id=job_id)
    except TRANSIENT:
        raise  # retried with backoff (autoretry_for)
    except SoftTimeLimitExceeded:
        logger.warning("Import job %s stopped at its time limit", job_id)
        import_fail(job_id=job_id, reason="time_limit")
    except Exception:
        logger.exception("Import job %s failed", job_id)
        import_fail(job_id=job_id, reason="unexpected")


@shared_task(**IMPORT_TASK)
def validate_import(*, job_id: int) -> None:
    """Check an uploaded file row by row (the dry run). Restarts cleanly if the worker dies."""
    run_import_step(import_validate, job_id)


@shared_task(**IMPORT_TASK)
def commit_import(*, job_id: int) -> None:
    """Write a checked file in one transaction; running it again changes nothing."""
    run_import_step(import_commit, job_id)
