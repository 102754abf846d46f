"""Incentive programs and their rules: the data an operator edits, versioned.

A program has a cash pool and a traffic pool and is cut into cycles (closed-open date ranges in
Asia/Shanghai). Its rules are versioned: a cycle is settled with the newest published version in
force on the cycle's first day. Amounts are exact (`MoneyField`: integer fen in the database).
One module per part: programs, rules, lines, ledger, payouts.
"""

from .ledger import (
    CarryReason,
    LedgerEntry,
    LedgerEntryQuerySet,
    PaymentStatus,
)
from .lines import (
    COUPON_KINDS,
    PUBLISHED_STATUSES,
    Beneficiary,
    LineKind,
    ListStatus,
    RewardLine,
    RewardLineQuerySet,
    RewardList,
    RewardListQuerySet,
    beneficiary_constraints,
)
from .payouts import (
    MAX_HOLDING_DAYS,
    Hold,
    HoldingPeriod,
    HoldReason,
    PaymentExport,
    PaymentExportItem,
    Refund,
)
from .programs import (
    TOP_TIER_LIMIT_FEN,
    Cycle,
    CycleQuerySet,
    Pool,
    PoolKind,
    Program,
    ProgramQuerySet,
    ProgramStatus,
)
from .rules import (
    OrgTier,
    RuleStatus,
    RuleVersion,
    SubsidyRule,
    TrafficBand,
)

__all__ = [
    "COUPON_KINDS",
    "MAX_HOLDING_DAYS",
    "PUBLISHED_STATUSES",
    "TOP_TIER_LIMIT_FEN",
    "Beneficiary",
    "CarryReason",
    "Cycle",
    "CycleQuerySet",
    "Hold",
    "HoldReason",
    "HoldingPeriod",
    "LedgerEntry",
    "LedgerEntryQuerySet",
    "LineKind",
    "ListStatus",
    "OrgTier",
    "PaymentExport",
    "PaymentExportItem",
    "PaymentStatus",
    "Pool",
    "PoolKind",
    "Program",
    "ProgramQuerySet",
    "ProgramStatus",
    "Refund",
    "RewardLine",
    "RewardLineQuerySet",
    "RewardList",
    "RewardListQuerySet",
    "RuleStatus",
    "RuleVersion",
    "SubsidyRule",
    "TrafficBand",
    "beneficiary_constraints",
]
