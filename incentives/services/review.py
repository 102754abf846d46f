"""The life of a reward list after computation: review, approval (posting the ledger), publication.

draft -> in_review -> approved -> published. A list whose total is above the program's threshold
needs two approvals by different operators; the second one posts the ledger. Posting locks the
program's pools, checks each pool's room, writes one ledger entry per paying line in one
INSERT ... SELECT and raises the pools' commitments; the database refuses overspending and a
second entry for the same (cycle, beneficiary, kind) whatever happens.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives import selectors
from incentives.models import (
    ListStatus,
    Pool,
    PoolKind,
    Program,
    ProgramStatus,
    RewardLine,
    RewardList,
)
from incentives.policy import closed_reason, require
from organizations.models import Membership, OrgRole
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.money import from_fen, to_fen
from portal.core.notifications import notify_many

LEDGER_COLUMNS = (
    "pool_id, cycle_id, kind, creator_id, organization_id, amount, rule_version_id, reason_code, "
    "line_id, payment_status, payment_reference, created_at"
)


def _locked(reward_list: RewardList) -> RewardList:
    """The list's row, locked (only that row: a computation holds the cycle's row and then
    takes the list's, so locking the cycle here too would deadlock against it)."""
    return (
        RewardList.objects.select_for_update(of=("self",))
        .select_related("cycle__program", "rule_version")
        .get(pk=reward_list.pk)
    )


def _move(reward_list: RewardList, status: str, *, actor, action: str, reason: str = "", **fields):
    before = reward_list.status
    RewardList.objects.filter(pk=reward_list.pk, status=before).update(status=status, **fields)
    reward_list.refresh_from_db()
    audit_record(
        actor=actor,
        action=action,
        obj=reward_list,
        before={"status": before},
        after={"status": status, "revision": reward_list.revision},
        reason=reason,
    )
    return reward_list


@transaction.atomic
def settlement_submit(*, actor, reward_list: RewardList) -> RewardList:
    """Send a computed draft to review."""
    authorize(actor, "settlement.compute", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.submit", reward_list)
    return _move(reward_list, ListStatus.IN_REVIEW, actor=actor, action="settlement.submit")


@transaction.atomic
def settlement_return(*, actor, reward_list: RewardList, reason: str) -> RewardList:
    """Send a list in review back to draft, with the reason, dropping any first approval."""
    authorize(actor, "settlement.approve", reward_list.cycle.program)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what should change.")})
    reward_list = _locked(reward_list)
    require(actor, "list.return", reward_list)
    return _move(
        reward_list,
        ListStatus.DRAFT,
        actor=actor,
        action="settlement.return",
        reason=reason.strip(),
        first_approved_by=None,
    )


@transaction.atomic
def settlement_approve(*, actor, reward_list: RewardList, revision: int) -> RewardList:
    """Approve the list the reviewer saw (`revision`). Above the program's threshold the first
    approval is recorded and a second operator's approval posts the ledger."""
    authorize(actor, "settlement.approve", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.approve", reward_list)
    if reward_list.revision != revision:
        raise ValidationError(
            _("The list was computed again since you opened it; review the new figures.")
        )
    if selectors.needs_second_approval(reward_list) and reward_list.first_approved_by_id is None:
        RewardList.objects.filter(pk=reward_list.pk).update(first_approved_by=actor)
        reward_list.refresh_from_db()
        audit_record(
            actor=actor,
            action="settlement.first_approval",
            obj=reward_list,
            after={
                "revision": revision,
                "total": reward_list.cash_total + reward_list.traffic_total,
            },
        )
        return reward_list
    posted = _post_ledger(reward_list)
    reward_list = _move(
        reward_list,
        ListStatus.APPROVED,
        actor=actor,
        action="settlement.approve",
        approved_by=actor,
        approved_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="ledger.post",
        obj=reward_list,
        after={kind: from_fen(fen) for kind, fen in posted.items()},
    )
    return reward_list


def lock_pools(program) -> dict[str, Pool]:
    """The program's pools, locked in a fixed order (no deadlock between two approvals)."""
    return {
        pool.kind: pool
        for pool in Pool.objects.select_for_update().filter(program=program).order_by("pk")
    }


def check_room(pools: dict[str, Pool], needed: dict[str, int]) -> None:
    for kind, fen in needed.items():
        pool = pools[kind]
        room = to_fen(pool.budget) - to_fen(pool.committed)
        if fen > room:
            raise ValidationError(
                _(
                    "The %(pool)s has %(room)s CNY left; this needs %(needed)s CNY. Nothing was "
                    "posted."
                )
                % {
                    "pool": pool.get_kind_display().lower(),
                    "room": f"{from_fen(room):,.2f}",
                    "needed": f"{from_fen(fen):,.2f}",
                }
            )


def commit_to_pools(pools: dict[str, Pool], amounts: dict[str, int]) -> None:
    for kind, fen in amounts.items():
        if fen:
            Pool.objects.filter(pk=pools[kind].pk).update(committed=F("committed") + fen)


def _post_ledger(reward_list: RewardList) -> dict[str, int]:
    """One ledger entry per line that pays something; returns the fen posted per pool."""
    cycle = reward_list.cycle
    pools = lock_pools(cycle.program)
    # Closing takes the same pool locks: once we hold them, a close has committed or waits.
    if Program.objects.filter(pk=cycle.program_id, status=ProgramStatus.CLOSED).exists():
        raise ValidationError(closed_reason())
    paying = RewardLine.objects.filter(reward_list=reward_list, amount__gt=0).exclude(
        kind="adjustment"
    )
    needed = {
        row["pool"]: to_fen(row["total"])
        for row in paying.values("pool").order_by("pool").annotate(total=Sum("amount"))
    }
    check_room(pools, needed)
    sql = f"""
INSERT INTO incentives_ledgerentry ({LEDGER_COLUMNS})
SELECT CASE WHEN l.pool = %s THEN %s ELSE %s END, %s, l.kind, l.creator_id, l.organization_id,
       l.amount, l.rule_version_id, l.kind, l.id, 'pending', '', %s
FROM incentives_rewardline l
WHERE l.reward_list_id = %s AND l.amount > 0 AND l.kind <> 'adjustment'
"""  # noqa: S608 - constant SQL text; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                PoolKind.CASH,
                pools[PoolKind.CASH].pk,
                pools[PoolKind.TRAFFIC].pk,
                cycle.pk,
                timezone.now(),
                reward_list.pk,
            ],
        )
    commit_to_pools(pools, needed)
    from .holds import holds_post_periods
    from .invoices import invoice_holds_post
    from .suspensions import suspension_holds_post

    holds_post_periods(cycle, reward_list.rule_version)
    invoice_holds_post(cycle, reward_list.rule_version)
    suspension_holds_post(cycle)
    from .estimates import estimates_drop

    estimates_drop(cycle)  # the final amounts replace the estimate
    return needed


@transaction.atomic
def settlement_publish(*, actor, reward_list: RewardList) -> RewardList:
    """Publish an approved list: organizations read their statements and the special incentive
    list; their owners and admins are told."""
    authorize(actor, "settlement.approve", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.publish", reward_list)
    reward_list = _move(
        reward_list,
        ListStatus.PUBLISHED,
        actor=actor,
        action="settlement.publish",
        published_at=timezone.now(),
    )
    events.publish(
        "reward_list.published",
        {
            "reward_list": {
                "id": reward_list.pk,
                "program": reward_list.cycle.program_id,
                "cycle": reward_list.cycle_id,
                "cycle_number": reward_list.cycle.number,
                "status": reward_list.status,
                "line_count": reward_list.line_count,
                "published_at": reward_list.published_at,
            }
        },
        obj=reward_list,
    )
    organizations = RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
    people = Membership.objects.filter(
        organization_id__in=organizations, role__in=[OrgRole.OWNER, OrgRole.ADMIN]
    ).values_list("user_id", "organization_id")
    notify_many(
        pairs=people,
        event="rewards.published",
        link=reverse("incentives:statement", args=[reward_list.pk]),
    )
    return reward_list
