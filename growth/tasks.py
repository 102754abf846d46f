"""The growth app's scheduled job (a beat entry in portal/settings.py)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from .services.scorecard import NoVersionInForce, previous_month, scorecards_compute

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def score_last_month(*, month: str | None = None) -> None:
    """Monthly: score every approved organization for last month (or `month`, an ISO date of a
    day in it). Running it again replaces that month's scorecards."""
    scored = (
        datetime.date.fromisoformat(month)
        if month
        else previous_month(timezone.localdate().replace(day=1))
    )
    try:
        scorecards_compute(month=scored)
    except NoVersionInForce:
        log.warning("organizations not scored for %s: no scorecard version in force", scored)
