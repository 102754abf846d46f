"""Settlement of a cycle: compute (replacing a draft's lines) and the list's totals."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives import selectors
from incentives.models import Cycle, ListStatus, PoolKind, RewardLine, RewardList
from incentives.policy import require
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.queue import enqueue

from .computation import compute_lines

# A request this old is taken as lost (its worker died and the broker dropped it): ask again.
STALE_REQUEST = datetime.timedelta(minutes=15)


@transaction.atomic
def settlement_compute(*, actor, cycle: Cycle) -> RewardList:
    """Compute the cycle's reward lines with the rules in force on its first day. A draft (or a
    list in review) is replaced whole; an approved list never changes. The cycle row is locked,
    so two runs at once take turns and leave the same lines."""
    authorize(actor, "settlement.compute", cycle.program)
    cycle = Cycle.objects.select_for_update().select_related("program").get(pk=cycle.pk)
    version = selectors.rule_version_in_force(cycle.program, cycle.starts_on)
    if version is None:
        raise ValidationError(_("No published rules are in force for this cycle."))
    reward_list = RewardList.objects.select_for_update(of=("self",)).filter(cycle=cycle).first()
    require(actor, "cycle.compute", cycle)
    if reward_list is None:
        reward_list = RewardList.objects.create(cycle=cycle, rule_version=version)
    RewardLine.objects.filter(reward_list=reward_list).delete()
    compute_lines(reward_list.pk, cycle, version)
    totals = {
        row["pool"]: row
        for row in RewardLine.objects.filter(reward_list=reward_list)
        .values("pool")
        .annotate(total=Sum("amount"), n=Count("id"))
    }
    before = {"revision": reward_list.revision, "status": reward_list.status}
    reward_list.rule_version = version
    reward_list.status = ListStatus.DRAFT
    reward_list.revision += 1
    reward_list.first_approved_by = None
    reward_list.computed_at = timezone.now()
    reward_list.cash_total = totals.get(PoolKind.CASH, {}).get("total") or 0
    reward_list.traffic_total = totals.get(PoolKind.TRAFFIC, {}).get("total") or 0
    reward_list.line_count = sum(row["n"] for row in totals.values())
    reward_list.creator_count = RewardLine.objects.filter(reward_list=reward_list).aggregate(
        n=Count("creator", distinct=True)
    )["n"]
    reward_list.save(
        update_fields=[
            "rule_version",
            "status",
            "revision",
            "first_approved_by",
            "computed_at",
            "cash_total",
            "traffic_total",
            "line_count",
            "creator_count",
        ]
    )
    Cycle.objects.filter(pk=cycle.pk).update(compute_requested_at=None, compute_requested_by=None)
    audit_record(
        actor=actor,
        action="settlement.compute",
        obj=reward_list,
        before=before,
        after={
            "revision": reward_list.revision,
            "rule_version": version.number,
            "cash_total": reward_list.cash_total,
            "traffic_total": reward_list.traffic_total,
            "lines": reward_list.line_count,
        },
    )
    return reward_list


def settlement_request_clear(cycle_id: int) -> None:
    """Forget a computation request that will not run (refused by the service)."""
    Cycle.objects.filter(pk=cycle_id).update(compute_requested_at=None, compute_requested_by=None)


@transaction.atomic
def settlement_request(*, actor, cycle: Cycle) -> Cycle:
    """Ask the workers to compute the cycle (a Celery task after this transaction commits). The
    page shows the request until the computation ends; asking twice queues nothing more."""
    authorize(actor, "settlement.compute", cycle.program)
    require(actor, "cycle.compute", Cycle.objects.select_related("program").get(pk=cycle.pk))
    if selectors.rule_version_in_force(cycle.program, cycle.starts_on) is None:
        raise ValidationError(_("No published rules are in force for this cycle."))
    now = timezone.now()
    claimed = (
        Cycle.objects.filter(pk=cycle.pk)
        .filter(Q(compute_requested_at=None) | Q(compute_requested_at__lt=now - STALE_REQUEST))
        .update(compute_requested_at=now, compute_requested_by=actor)
    )
    if claimed:
        enqueue("incentives.tasks.compute_reward_list", cycle_id=cycle.pk, actor_id=actor.pk)
        audit_record(actor=actor, action="settlement.request", obj=cycle)
    cycle.refresh_from_db()
    return cycle
