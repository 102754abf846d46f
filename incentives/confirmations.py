"""What each confirmation of an incentive step says (incentives/views/confirm.py): the amount,
the facts the operator checks, what follows and what cannot be undone. Reads only."""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from incentives import policy
from incentives.models import (
    ListStatus,
    Pool,
    PoolKind,
    Program,
    RewardLine,
    RewardList,
    RuleVersion,
)
from incentives.selectors import needs_second_approval, program_status_note
from incentives.services import AdjustmentReason
from organizations.models import Membership, OrgRole
from portal.core.templatetags.portal_tags import money


def _cny(amount) -> str:
    return _("%(amount)s CNY") % {"amount": money(amount)}


def _pool_facts(program: Program) -> list:
    facts = []
    for pool in program.pools.all():
        facts.append(
            (
                pool.get_kind_display(),
                _("%(committed)s of %(budget)s CNY committed, %(left)s CNY not committed")
                % {
                    "committed": money(pool.committed),
                    "budget": money(pool.budget, 0),
                    "left": money(pool.budget - pool.committed),
                },
            )
        )
    return facts


def list_approve(reward_list: RewardList) -> dict:
    total = reward_list.cash_total + reward_list.traffic_total
    first_of_two = needs_second_approval(reward_list) and reward_list.first_approved_by_id is None
    cycle = reward_list.cycle
    facts = [
        (
            _("Reward list"),
            _("Cycle %(n)s of %(program)s") % {"n": cycle.number, "program": cycle.program.name},
        ),
        (_("Lines"), f"{reward_list.line_count:,}"),
    ]
    pools = {pool.kind: pool for pool in Pool.objects.filter(program=cycle.program)}
    for kind, amount in (
        (PoolKind.CASH, reward_list.cash_total),
        (PoolKind.TRAFFIC, reward_list.traffic_total),
    ):
        pool = pools[kind]
        room = pool.budget - pool.committed
        facts.append(
            (
                pool.get_kind_display(),
                _("%(amount)s of the %(room)s CNY left (%(after)s CNY left after)")
                % {"amount": money(amount), "room": money(room), "after": money(room - amount)},
            )
        )
    if first_of_two:
        title = _("Give the first of two approvals")
        button = _("Give the first approval")
        consequences = [
            _("Nothing is posted yet: another operator must approve the same figures."),
            _("Computing the list again or returning it to draft drops your approval."),
        ]
        undo = ""
    else:
        title = (
            _("Give the second approval and post the ledger")
            if reward_list.first_approved_by_id
            else _("Approve and post the ledger")
        )
        button = _("Approve and post %(amount)s") % {"amount": _cny(total)}
        consequences = [
            _(
                "One ledger entry per paying line is posted and its amount is committed to its pool."
            ),
            _("The organizations see nothing until the list is published."),
        ]
        if reward_list.first_approved_by_id:
            consequences.insert(
                0,
                _("%(who)s gave the first approval.")
                % {"who": reward_list.first_approved_by.full_name},
            )
        undo = _(
            "An approved list never changes and its entries stay posted; a correction is a new "
            "adjustment line."
        )
    return {
        "title": title,
        "amount": _cny(total),
        "facts": facts,
        "consequences": consequences,
        "undo": undo,
        "hidden": {"revision": reward_list.revision},
        "button": button,
        "button_class": "btn-ok",
    }


def list_publish(reward_list: RewardList) -> dict:
    organizations = RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
    counts = RewardLine.objects.filter(reward_list=reward_list).aggregate(
        organizations=Count("organization", distinct=True)
    )
    people = Membership.objects.filter(
        organization_id__in=organizations, role__in=[OrgRole.OWNER, OrgRole.ADMIN]
    ).count()
    total = reward_list.cash_total + reward_list.traffic_total
    return {
        "title": _("Publish the reward list of cycle %(n)s") % {"n": reward_list.cycle.number},
        "amount": _cny(total),
        "facts": [
            (_("Organizations with lines"), f"{counts['organizations']:,}"),
            (_("People told (owners and admins)"), f"{people:,}"),
            (_("Lines"), f"{reward_list.line_count:,}"),
        ],
        "consequences": [
            _(
                "Each organization reads its statement and the special incentive list, line "
                "by line with the rule behind every amount."
            ),
            _("Their owners and admins get a notification now; partner systems a webhook."),
            _("Then the entries can be exported for payment."),
        ],
        "undo": _("A published list cannot be withdrawn and the notifications cannot be recalled."),
        "button": _("Publish to the organizations"),
        "button_class": "",
    }


def list_adjust(reward_list: RewardList, data: dict, hidden: dict) -> dict:
    creator, amount = data["creator"], data["amount"]
    pool = dict(PoolKind.choices)[data["pool"]]
    if amount > 0:
        effect = _(
            "A new line and ledger entry of %(amount)s from the %(pool)s, paid with the next payment file."
        )
    else:
        effect = _(
            "A new line and ledger entry of %(amount)s: it is taken back from the beneficiary's next payment and returns to the %(pool)s."
        )
    return {
        "title": _("Add an adjustment to cycle %(n)s") % {"n": reward_list.cycle.number},
        "amount": _cny(amount),
        "facts": [
            (
                _("For"),
                f"{creator.display_name} ({creator.platform_account_id})"
                if creator
                else data["organization"].legal_name,
            ),
            (_("Pool"), pool),
            (_("Reason"), AdjustmentReason.LABELS[data["reason_code"]]),
            (_("Explanation"), data["note"]),
        ],
        "consequences": [
            effect % {"amount": _cny(amount), "pool": str(pool).lower()},
            _("The beneficiary reads the explanation on its statement."),
        ],
        "undo": _(
            "An adjustment is never edited or deleted; a mistake is corrected by another "
            "adjustment."
        ),
        "hidden": {**hidden, "confirmed": "1"},
        "button": _("Add the adjustment of %(amount)s") % {"amount": _cny(amount)},
        "button_class": "",
    }


def rules_publish(version: RuleVersion) -> dict:
    cycles = policy.unsettled_cycles(version.program).filter(starts_on__gte=version.effective_from)
    subsidy = version.subsidy_rules.aggregate(
        levels=Count("id"), fields=Count("category", distinct=True)
    )
    return {
        "title": _("Publish rules version %(n)s") % {"n": version.number},
        "amount": "",
        "facts": [
            (_("In force from"), version.effective_from.isoformat()),
            (_("Cycles it will settle"), f"{cycles.count():,}"),
            (
                _("Creator subsidy"),
                _("%(levels)s levels in %(fields)s creative fields")
                % {"levels": subsidy["levels"], "fields": subsidy["fields"]},
            ),
            (_("Special incentive tiers"), f"{version.org_tiers.count():,}"),
            (_("Traffic reward bands"), f"{version.traffic_bands.count():,}"),
        ],
        "consequences": [
            _(
                "Every cycle starting on or after its first day that is not settled yet is "
                "computed with these rules."
            ),
        ],
        "undo": _("A published version never changes; a later change is a new version."),
        "button": _("Publish version %(n)s") % {"n": version.number},
        "button_class": "",
    }


def program_close(program: Program) -> dict:
    waiting = program.cycles.filter(
        reward_list__status__in=(ListStatus.DRAFT, ListStatus.IN_REVIEW)
    ).aggregate(n=Count("id"))["n"]
    budget = program.pools.aggregate(budget=Sum("budget"), committed=Sum("committed"))
    return {
        "title": _("Close %(program)s") % {"program": program.name},
        "amount": _("%(budget)s CNY budget, %(committed)s CNY committed")
        % {"budget": money(budget["budget"], 0), "committed": money(budget["committed"])},
        "facts": [
            *_pool_facts(program),
            (_("Cycles not settled"), f"{policy.unsettled_cycles(program).count():,}"),
            (_("Lists in draft or review"), f"{waiting:,}"),
        ],
        "consequences": [
            _(
                "No cycle is computed, sent to review or approved any more; lists in draft "
                "or review wait as they are."
            ),
            _("What is not committed stays in the pools, unspent."),
            _("Lists already approved are still published and paid, and corrected by adjustments."),
        ],
        "undo": _(
            "The close and its reason stay in the audit log. If it was a mistake, the program "
            "can be reopened while a cycle is still to be settled."
        ),
        "button": _("Close the program"),
        "button_class": "btn-danger",
    }


def program_reopen(program: Program) -> dict:
    note = program_status_note(program)
    facts = _pool_facts(program)
    if note is not None:
        facts.insert(
            0,
            (
                _("Closed"),
                _("%(when)s by %(who)s: %(why)s")
                % {
                    "when": note.created_at.strftime("%Y-%m-%d %H:%M"),
                    "who": note.actor.full_name if note.actor else note.actor_label,
                    "why": note.reason,
                },
            ),
        )
    facts.append((_("Cycles not settled"), f"{policy.unsettled_cycles(program).count():,}"))
    return {
        "title": _("Reopen %(program)s") % {"program": program.name},
        "amount": "",
        "facts": facts,
        "consequences": [
            _("Cycles can be computed, sent to review and approved again."),
            _("Organizations see the program as running."),
        ],
        "undo": _("The reopening and its reason stay in the audit log."),
        "button": _("Reopen the program"),
        "button_class": "",
    }
