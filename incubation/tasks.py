"""The pool's scheduled jobs (beat entries in portal/settings.py)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from .services.pool import entry_rules_apply
from .services.scoring import NoWeightsInForce, scores_compute
from .services.shortlist import shortlist_snapshot_weekly

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def score_pool(*, day: str | None = None) -> None:
    """Nightly: admit the creators who meet an entry rule, then score the pool on `day` (ISO
    date; yesterday by default). Running it again replaces the day's scores."""
    scored_day = (
        datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(1)
    )
    entry_rules_apply(day=scored_day)
    try:
        scores_compute(day=scored_day)
    except NoWeightsInForce:
        log.warning("pool not scored on %s: no published score weights in force", scored_day)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def snapshot_shortlist() -> None:
    """Weekly: the snapshot of this year's open shortlist (at most one a day)."""
    shortlist_snapshot_weekly()
