import logging

from celery import shared_task
from django.db import OperationalError

from .models import RiskRun, RunStatus
from .services.cases import cases_expire
from .services.compute import risk_signals_compute

logger = logging.getLogger(__name__)

RISK_TASK = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)


@shared_task(**RISK_TASK)
def compute_signals(*, run_id: int) -> None:
    """The run an operator started. Signals are idempotent: a second delivery updates the same
    cases and holds nothing twice."""
    run = RiskRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).first()
    if run is None:
        logger.info("Risk run %s already done or gone", run_id)
        return
    risk_signals_compute(run=run)


@shared_task(**RISK_TASK)
def nightly_signals() -> None:
    risk_signals_compute()


@shared_task(**RISK_TASK)
def expire_cases() -> None:
    """Undecided cases past their day take their rule's default (safe to run again)."""
    cases_expire()
