"""Which step of a program or a reward list may happen now, and why not: one check per step.

The services call `require()` (after their row locks, on fresh rows) and refuse with the check's
reason; the pages call `offered()` and show only the steps that pass. A button the reader sees is
a step the service will accept, and a step the service refuses is never offered (the first
approver is not offered the second approval, a closed program offers no computation).

A check answers for the object's state only; the role comes from the permission rule named with
the step (`portal.accounts.permissions`), so `may()` is the role and the state together.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from incentives.models import (
    COUPON_KINDS,
    Cycle,
    LedgerEntry,
    ListStatus,
    PaymentStatus,
    Program,
    ProgramStatus,
    RewardList,
    RuleStatus,
    RuleVersion,
)
from portal.accounts.permissions import authorize, can

RECOMPUTABLE = (ListStatus.DRAFT, ListStatus.IN_REVIEW)
PAYABLE = (ListStatus.PUBLISHED, ListStatus.EXPORTED, ListStatus.PAID)
CORRECTABLE = (ListStatus.APPROVED, *PAYABLE)
SETTLED = CORRECTABLE  # a cycle whose list is approved is settled: its money is decided

Check = Callable[..., str | None]


@dataclass(frozen=True)
class Step:
    permission: str
    check: Check  # (user, obj) -> the reason it cannot happen now, or None


STEPS: dict[str, Step] = {}


def step(name: str, permission: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        STEPS[name] = Step(permission, check)
        return check

    return register


def _program(obj) -> Program:
    if isinstance(obj, Program):
        return obj
    if isinstance(obj, (Cycle, RuleVersion)):
        return obj.program
    return obj.cycle.program


def refusal(user, name: str, obj) -> str | None:
    """Why the step cannot happen to `obj` now (None: it can), the role aside."""
    return STEPS[name].check(user, obj)


def may(user, name: str, obj) -> bool:
    """The reader's role allows the step and the object's state too."""
    return can(user, STEPS[name].permission, _program(obj)) and refusal(user, name, obj) is None


def offered(user, obj, names: Iterable[str]) -> set[str]:
    """The steps among `names` to offer the reader on `obj`."""
    return {name for name in names if may(user, name, obj)}


def require(user, name: str, obj) -> None:
    """Services: PermissionDenied for the wrong role, ValidationError with the reason for the
    wrong state."""
    authorize(user, STEPS[name].permission, _program(obj))
    reason = refusal(user, name, obj)
    if reason is not None:
        raise ValidationError(reason)


def _wrong_list_state(reward_list: RewardList, *statuses: str) -> str | None:
    if reward_list.status in statuses:
        return None
    return _("This reward list is %(status)s; that step is not possible now.") % {
        "status": reward_list.get_status_display()
    }


def closed_reason() -> str:
    return _(
        "The program is closed: nothing new is computed or approved. Reopen it first if it was "
        "closed by mistake."
    )


def _closed(program: Program) -> str | None:
    return closed_reason() if program.status == ProgramStatus.CLOSED else None


# --- programs ----------------------------------------------------------------------------------


@step("program.open", "program.manage")
def _open(user, program: Program) -> str | None:
    if program.status != ProgramStatus.DRAFT:
        return _("Only a draft program is opened; a closed one is reopened.")
    if not program.rule_versions.filter(status=RuleStatus.PUBLISHED).exists():
        return _("Publish a rule version before opening the program.")
    return None


@step("program.close", "program.manage")
def _close(user, program: Program) -> str | None:
    if program.status != ProgramStatus.ACTIVE:
        return _("Only an active program can be closed.")
    return None


def unsettled_cycles(program: Program):
    """Cycles whose money is not decided yet: no list, or a list not approved."""
    return program.cycles.exclude(reward_list__status__in=SETTLED)


@step("program.reopen", "program.manage")
def _reopen(user, program: Program) -> str | None:
    if program.status != ProgramStatus.CLOSED:
        return _("Only a closed program can be reopened.")
    if not unsettled_cycles(program).exists():
        return _("Every cycle of this program is settled: its pools are final and it stays closed.")
    return None


@step("rules.publish", "program.manage")
def _publish_rules(user, version: RuleVersion) -> str | None:
    if version.status != RuleStatus.DRAFT:
        return _("This version is already published.")
    if not version.org_tiers.exists() and not version.subsidy_rules.exists():
        return _("Add at least one subsidy rule or organization tier first.")
    return None


# --- cycles and reward lists --------------------------------------------------------------------


@step("cycle.compute", "settlement.compute")
def _compute(user, cycle: Cycle) -> str | None:
    reason = _closed(cycle.program)
    if reason:
        return reason
    reward_list = getattr(cycle, "reward_list", None)
    if reward_list is not None and reward_list.status not in RECOMPUTABLE:
        return _("This list is approved and never changes; a correction is an adjustment.")
    return None


@step("list.submit", "settlement.compute")
def _submit(user, reward_list: RewardList) -> str | None:
    return _closed(reward_list.cycle.program) or _wrong_list_state(reward_list, ListStatus.DRAFT)


@step("list.return", "settlement.approve")
def _return(user, reward_list: RewardList) -> str | None:
    return _wrong_list_state(reward_list, ListStatus.IN_REVIEW)


@step("list.approve", "settlement.approve")
def _approve(user, reward_list: RewardList) -> str | None:
    reason = _closed(reward_list.cycle.program) or _wrong_list_state(
        reward_list, ListStatus.IN_REVIEW
    )
    if reason:
        return reason
    if reward_list.first_approved_by_id is not None and reward_list.first_approved_by_id == getattr(
        user, "pk", None
    ):
        return _("The second approval must come from another operator.")
    return None


@step("list.publish", "settlement.approve")
def _publish(user, reward_list: RewardList) -> str | None:
    return _wrong_list_state(reward_list, ListStatus.APPROVED)


@step("list.export", "settlement.pay")
def _export(user, reward_list: RewardList) -> str | None:
    reason = _wrong_list_state(reward_list, *PAYABLE)
    if reason:
        return reason
    from incentives.services.payments import program_releasable

    if not program_releasable(reward_list).exists():
        held = (
            LedgerEntry.objects.filter(
                cycle_id=reward_list.cycle_id, payment_status=PaymentStatus.HELD
            )
            .exclude(kind__in=COUPON_KINDS)
            .count()
        )
        if held:
            return _(
                "Nothing is releasable now: %(count)s entries are held (each says what releases "
                "it)."
            ) % {"count": held}
        return _("Every entry of this list is paid or exported; there is nothing to export.")
    return None


@step("list.result", "settlement.pay")
def _result(user, reward_list: RewardList) -> str | None:
    return _wrong_list_state(reward_list, ListStatus.EXPORTED, ListStatus.PAID)


@step("list.adjust", "settlement.approve")
def _adjust(user, reward_list: RewardList) -> str | None:
    return _wrong_list_state(reward_list, *CORRECTABLE)


LIST_STEPS = (
    "list.submit",
    "list.return",
    "list.approve",
    "list.publish",
    "list.export",
    "list.result",
    "list.adjust",
)
PROGRAM_STEPS = ("program.open", "program.close", "program.reopen")
