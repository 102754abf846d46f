"""Reconciliation with finance: a cycle's money by pool and organization in every state, tied to
the ledger to the fen, and a payment system's result file checked against what was exported.

Both read only. The figures come from one grouped query over the cycle's ledger entries (set-based
at any size); the tie-out says whether the states add up to what was posted and whether the
pools' commitments equal their entries not forfeited.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives.models import (
    LedgerEntry,
    PaymentExport,
    PaymentExportItem,
    PaymentStatus,
    Pool,
    PoolKind,
    RewardList,
)
from incentives.services.payment_results import (
    AMOUNT_MAX,
    ENTRY_ID_MAX,
    MAX_RESULT_BYTES,
    MAX_RESULT_ROWS,
    RESULT_COLUMNS,
    RESULT_READ_SECONDS,
)
from organizations.models import Organization
from portal.core.money import from_fen, to_fen
from portal.core.ranges import RangeProblem, parse_decimal, parse_whole
from portal.core.tabular import read_table

STATE_COLUMNS = (
    ("held", PaymentStatus.HELD),
    ("releasable", PaymentStatus.PENDING),
    ("exported", PaymentStatus.EXPORTED),
    ("paid", PaymentStatus.PAID),
    ("failed", PaymentStatus.FAILED),
    ("forfeited", PaymentStatus.FORFEITED),
)
FIGURES = ("posted", *(name for name, _state in STATE_COLUMNS), "clawed_back", "committed")


@dataclass
class Row:
    pool: str
    organization_id: int | None
    organization: str = ""
    credit_code: str = ""
    budget: Decimal | None = None
    entries: int = 0
    fen: dict = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))

    def amount(self, name: str) -> Decimal:
        return from_fen(self.fen[name])

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {name: from_fen(fen) for name, fen in self.fen.items()}

    @property
    def pool_label(self) -> str:
        return str(dict(PoolKind.choices).get(self.pool, self.pool))

    @property
    def ties(self) -> bool:
        states = sum(self.fen[name] for name, _state in STATE_COLUMNS)
        return states == self.fen["posted"] and (
            self.fen["committed"] == self.fen["posted"] - self.fen["forfeited"]
        )


def _sum(state=None, **extra):
    condition = Q(payment_status=state) if state else Q()
    for key, value in extra.items():
        condition &= Q(**{key: value})
    return Sum("amount", filter=condition, default=0)


def cycle_reconciliation(reward_list: RewardList) -> tuple[list[Row], list[Row], dict]:
    """(pool rows, organization rows, the tie-out) of the list's cycle."""
    cycle = reward_list.cycle
    aggregates = {name: _sum(state) for name, state in STATE_COLUMNS}
    grouped = (
        LedgerEntry.objects.filter(cycle=cycle)
        .values("pool__kind", "organization_id")
        .order_by()
        .annotate(
            n=Count("id"),
            posted=Sum("amount", default=0),
            clawed_back=_sum(corrects__isnull=False, amount__lt=0),
            **aggregates,
        )
    )
    pools = {p.kind: p for p in Pool.objects.filter(program_id=cycle.program_id)}
    totals = {
        kind: Row(pool=kind, organization_id=None, budget=pools[kind].budget) for kind in pools
    }
    by_org: dict = {}
    for group in grouped:
        kind = group["pool__kind"]
        row = by_org.setdefault(
            (kind, group["organization_id"]),
            Row(pool=kind, organization_id=group["organization_id"]),
        )
        row.entries = group["n"]
        for name in FIGURES[:-1]:
            row.fen[name] = to_fen(group[name])
        row.fen["committed"] = row.fen["posted"] - row.fen["forfeited"]
        total = totals[kind]
        total.entries += row.entries
        for name in FIGURES:
            total.fen[name] += row.fen[name]
    names = Organization.objects.in_bulk({key[1] for key in by_org if key[1]})
    for (_kind, org_id), row in by_org.items():
        organization = names.get(org_id)
        if organization is not None:
            row.organization, row.credit_code = organization.legal_name, organization.credit_code
    org_rows = sorted(
        by_org.values(), key=lambda r: (r.pool, r.organization, r.organization_id or 0)
    )
    program_committed = {
        row["pool__kind"]: to_fen(row["total"])
        for row in LedgerEntry.objects.filter(cycle__program_id=cycle.program_id)
        .exclude(payment_status=PaymentStatus.FORFEITED)
        .values("pool__kind")
        .order_by()
        .annotate(total=Sum("amount", default=0))
    }
    tie = {
        "rows": all(row.ties for row in org_rows) and all(t.ties for t in totals.values()),
        "pools": all(
            to_fen(pool.committed) == program_committed.get(kind, 0) for kind, pool in pools.items()
        ),
        "pools_detail": [
            {
                "label": pool.get_kind_display(),
                "committed": pool.committed,
                "ledger": from_fen(program_committed.get(kind, 0)),
            }
            for kind, pool in pools.items()
        ],
    }
    return [totals[k] for k in PoolKind.values if k in totals], org_rows, tie


def finance_headers() -> list[str]:
    return [
        _("Program"),
        _("Cycle"),
        _("Pool"),
        _("Organization"),
        _("Credit code"),
        _("Budget (CNY)"),
        _("Entries"),
        _("Posted (CNY)"),
        _("Committed (CNY)"),
        _("Held (CNY)"),
        _("Releasable (CNY)"),
        _("Exported (CNY)"),
        _("Paid (CNY)"),
        _("Failed (CNY)"),
        _("Forfeited (CNY)"),
        _("Clawed back (CNY)"),
        _("Ties to the ledger"),
    ]


def finance_rows(reward_list: RewardList):
    pool_rows, org_rows, _tie = cycle_reconciliation(reward_list)
    pools = dict(PoolKind.choices)
    cycle = reward_list.cycle
    for row in [*pool_rows, *org_rows]:
        yield (
            cycle.program.name,
            cycle.number,
            str(pools.get(row.pool, row.pool)),
            row.organization
            if row.organization_id
            else _("All (pool total)")
            if row.budget is not None
            else "",
            row.credit_code,
            row.budget if row.budget is not None else "",
            row.entries,
            row.amount("posted"),
            row.amount("committed"),
            *(row.amount(name) for name, _state in STATE_COLUMNS),
            row.amount("clawed_back"),
            _("yes") if row.ties else _("NO"),
        )


# --- the result file against the exports ----------------------------------------------------------

DIFFERENCE_KINDS = {
    "missing": gettext_lazy("Exported, not in the result file"),
    "extra": gettext_lazy("In the result file, never exported from this list"),
    "different": gettext_lazy("Amount differs from the export"),
    "unreadable": gettext_lazy("Row not readable"),
}


@dataclass
class Difference:
    kind: str
    entry: int | None
    row: int | None
    exported: Decimal | None
    in_file: Decimal | None
    note: str = ""

    @property
    def label(self):
        return DIFFERENCE_KINDS[self.kind]


def result_check(reward_list: RewardList, upload, export: PaymentExport | None) -> dict:
    """Compare a result file with an export of the list (every export when None): entries
    exported but missing from the file, entries in the file never exported from this list, and
    amounts that differ. Changes nothing."""
    items = PaymentExportItem.objects.filter(export__reward_list=reward_list)
    if export is not None:
        items = items.filter(export=export)
    exported = {entry: to_fen(amount) for entry, amount in items.values_list("entry_id", "amount")}
    differences, seen, rows = [], set(), 0
    for number, row in read_table(
        upload,
        RESULT_COLUMNS,
        max_rows=MAX_RESULT_ROWS,
        max_bytes=MAX_RESULT_BYTES,
        max_seconds=RESULT_READ_SECONDS,
    ):
        rows += 1
        try:
            entry = parse_whole(row["entry"], 1, ENTRY_ID_MAX)
            amount = to_fen(
                parse_decimal(row["amount"], places=2, high=AMOUNT_MAX, low=-AMOUNT_MAX)
            )
        except RangeProblem:
            differences.append(
                Difference("unreadable", None, number, None, None, row["entry"][:40])
            )
            continue
        seen.add(entry)
        if entry not in exported:
            differences.append(Difference("extra", entry, number, None, from_fen(amount)))
        elif exported[entry] != amount:
            differences.append(
                Difference("different", entry, number, from_fen(exported[entry]), from_fen(amount))
            )
    for entry, amount in sorted(exported.items()):
        if entry not in seen:
            differences.append(Difference("missing", entry, None, from_fen(amount), None))
    counts = {kind: 0 for kind in DIFFERENCE_KINDS}
    for difference in differences:
        counts[difference.kind] += 1
    return {
        "rows": rows,
        "exported": len(exported),
        "differences": differences,
        "counts": counts,
        "matches": not differences,
    }
