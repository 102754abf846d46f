import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError

from .models import Cycle
from .services.settlement import settlement_compute, settlement_request_clear

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def compute_reward_list(*, cycle_id: int, actor_id: int) -> None:
    """Compute a cycle's reward list as the operator who asked for it. Computing is one
    transaction under the cycle's row lock, so a run killed half-way leaves nothing and a second
    delivery (or two at once) just computes again: the same lines, one more revision."""
    actor = get_user_model().objects.filter(pk=actor_id, is_active=True).first()
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if actor is None or cycle is None:
        logger.warning("Reward list of cycle %s not computed: cycle or actor gone", cycle_id)
        settlement_request_clear(cycle_id)
        return
    try:
        settlement_compute(actor=actor, cycle=cycle)
    except (ValidationError, PermissionDenied) as refusal:  # approved meanwhile, no rules, ...
        logger.warning("Reward list of cycle %s not computed: %s", cycle_id, refusal)
        settlement_request_clear(cycle_id)


PAYOUT_TASK = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)


@shared_task(**PAYOUT_TASK)
def release_due_holds() -> None:
    """Every night (and safe to run again): holding periods whose day has come end."""
    from .services.holds import holds_release_due

    holds_release_due()


@shared_task(**PAYOUT_TASK)
def correct_for_abnormal_plays(*, creator_id: int, day: str) -> None:
    """Plays of a creator's day confirmed abnormal: take back what settled lists paid for them."""
    import datetime

    from creators.models import Creator

    from .services.clawbacks import abnormal_play_correct

    creator = Creator.objects.filter(pk=creator_id).first()
    if creator is not None:
        abnormal_play_correct(creator=creator, day=datetime.date.fromisoformat(day))


@shared_task(**PAYOUT_TASK)
def estimate_running_cycles() -> None:
    """Every night: the running cycles' "estimated so far" (computed, never posted)."""
    from .services.estimates import estimates_compute_running

    estimates_compute_running()
