"""The placements' scheduled work (beat entries in portal/settings.py). Each task calls one
keyword-only service as the system and is safe to run twice: see placements/services/schedule.py
and `coupons_grant_grades` (a video's grade grant is unique in the database)."""

import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import OperationalError

log = logging.getLogger(__name__)

SCHEDULED = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)


@shared_task(**SCHEDULED)
def propose_weekly_fill() -> None:
    """Weekly: the best eligible videos proposed for next week's free slots, for managers."""
    from .services.schedule import fills_propose_next_week

    log.info("weekly fill: %s videos proposed", fills_propose_next_week())


@shared_task(**SCHEDULED)
def grant_grade_coupons() -> None:
    """Nightly: every standing original video of a granted grade gets its coupon, once."""
    from portal.accounts.permissions import SYSTEM

    from .services import coupons_grant_grades

    try:
        log.info("grade grants: %s coupons", coupons_grant_grades(actor=SYSTEM))
    except ValidationError as refusal:  # no rule in force, no cycle, the pool has no room
        log.warning("grade grants not made: %s", " ".join(refusal.messages))


@shared_task(**SCHEDULED)
def close_ended_cycles() -> None:
    """Nightly: coupons of ended cycles give their undelivered impressions back to the pool."""
    from .services.schedule import coupons_close_ended_cycles

    log.info("coupons closed: %s", coupons_close_ended_cycles())
