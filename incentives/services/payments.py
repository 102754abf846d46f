"""Paying a published list exactly once: the payment file, the payment result, adjustments.

The export lists the ledger entries still to pay (awaiting payment, or failed and to retry). The
payment system answers with a result file naming each entry, its amount, paid or failed, and its
reference. Reading a result is all or nothing: any bad row and nothing changes; a row for an
entry already paid with the same reference changes nothing (a file applied twice pays once);
another reference for a paid entry is refused. A correction is an adjusting line with its own
ledger entry, never an edit.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Sum, When, Window
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives.models import (
    COUPON_KINDS,
    LedgerEntry,
    LineKind,
    ListStatus,
    PaymentExport,
    PaymentStatus,
    Pool,
    PoolKind,
    RewardLine,
    RewardList,
)
from incentives.policy import require
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core.money import from_fen, money_sum, to_fen

from .payment_results import PaymentResult, _parse_result
from .review import _locked, check_room, commit_to_pools, lock_pools

TO_PAY = (PaymentStatus.PENDING, PaymentStatus.FAILED)  # what an export takes
# What keeps a list from being paid in full.
UNPAID = (PaymentStatus.HELD, PaymentStatus.PENDING, PaymentStatus.EXPORTED, PaymentStatus.FAILED)

# (Chinese, English): the payment system reads the file back, so headers are fixed texts; the
# result file adds "result" and "reference" columns.
EXPORT_HEADERS = (
    ("编号", "entry"),
    ("资金池", "pool"),
    ("类型", "kind"),
    ("平台账号ID", "platform account id"),
    ("达人", "creator"),
    ("统一社会信用代码", "credit code"),
    ("机构", "organization"),
    ("金额", "amount"),
    ("付款状态", "payment"),
    ("收款方本次净额", "payee net in this file"),
    ("更正条目", "corrects entry"),
)


class AdjustmentReason:
    CHOICES = (
        ("metric_correction", gettext_lazy("Metrics corrected after settlement")),
        ("binding_correction", gettext_lazy("Binding corrected after settlement")),
        ("rule_error", gettext_lazy("A rule was applied wrongly")),
        ("returned_payment", gettext_lazy("A payment was returned")),
        ("originality", gettext_lazy("Originality decision after settlement")),
        ("other", gettext_lazy("Other (see the note)")),
    )
    LABELS = dict(CHOICES)


def program_releasable(reward_list: RewardList):
    """Releasable entries (and failed ones, to pay again) of the list's program up to its cycle:
    an export pays what earlier exports carried over too. Traffic coupons are impressions, never
    paid out."""
    cycle = reward_list.cycle
    return LedgerEntry.objects.filter(
        cycle__program_id=cycle.program_id,
        cycle__starts_on__lte=cycle.starts_on,
        payment_status__in=TO_PAY,
    ).exclude(kind__in=COUPON_KINDS)


def entries_to_pay(reward_list: RewardList):
    """The entries the next export would consider (before the minimum payout and netting)."""
    return (
        program_releasable(reward_list)
        .select_related("creator", "organization", "pool")
        .order_by("pk")
    )


def exported_entries(export: PaymentExport):
    return (
        LedgerEntry.objects.filter(export_items__export=export)
        .select_related("creator", "organization", "pool")
        .order_by("pk")
    )


def payee_partition() -> list:
    """A payee's entries of one pool: a creator is paid as a creator, an organization's own
    entries (no creator) to the organization."""
    return [
        F("creator_id"),
        Case(When(creator_id__isnull=True, then=F("organization_id"))),
        F("pool_id"),
    ]


def payment_rows(entries):
    """The payment file's rows, in the order of EXPORT_HEADERS: one per entry, and the payee's
    net in this file (what the payment system pays, corrections netted), summed by the database
    over the file's entries (a window per payee and pool)."""
    pools, kinds = dict(PoolKind.choices), dict(LineKind.choices)
    statuses = dict(PaymentStatus.choices)
    entries = entries.annotate(
        payee_net=Window(Sum("amount"), partition_by=payee_partition())
    ).order_by("pk")
    for entry in entries.iterator(chunk_size=5000):
        creator, organization = entry.creator, entry.organization
        yield (
            entry.pk,
            str(pools[entry.pool.kind]),
            str(kinds.get(entry.kind, entry.kind)),
            creator.platform_account_id if creator else "",
            creator.display_name if creator else "",
            organization.credit_code if organization else "",
            organization.legal_name if organization else "",
            entry.amount,
            str(statuses[entry.payment_status]),
            entry.payee_net,
            entry.corrects_id or "",
        )


# One statement nets and exports: the releasable entries are locked in id order (as holds lock
# them), summed per payee and pool by a window, and each is either exported or marked with why it
# waits for the next export (a net not positive, or cash below the minimum payout). No id or
# amount travels to Python, so a million entries cost what the UPDATE costs.
EXPORT_SQL = """
WITH locked AS MATERIALIZED (
    SELECT e.id, e.creator_id, e.organization_id, e.pool_id, e.amount
    FROM incentives_ledgerentry e JOIN incentives_cycle c ON c.id = e.cycle_id
    WHERE c.program_id = %(program)s AND c.starts_on <= %(starts_on)s
      AND e.payment_status IN ('pending', 'failed') AND e.kind <> ALL(%(coupons)s)
    ORDER BY e.id
    FOR UPDATE OF e
), netted AS (
    SELECT id, pool_id, sum(amount) OVER (
        PARTITION BY creator_id, CASE WHEN creator_id IS NULL THEN organization_id END, pool_id
    ) AS net
    FROM locked
), decided AS (
    SELECT id, CASE
        WHEN net <= 0 THEN 'not_positive'
        WHEN pool_id = %(cash_pool)s AND net < %(minimum)s THEN 'minimum'
        ELSE '' END AS carry
    FROM netted
), moved AS (
    UPDATE incentives_ledgerentry e SET
        payment_status = CASE WHEN d.carry = '' THEN 'exported' ELSE e.payment_status END,
        exported_in_id = CASE WHEN d.carry = '' THEN %(export)s ELSE e.exported_in_id END,
        carry_reason = d.carry
    FROM decided d
    WHERE e.id = d.id AND e.payment_status IN ('pending', 'failed')
    RETURNING d.carry
)
SELECT count(*) FILTER (WHERE carry <> '') FROM moved
"""


# The same decisions on the embedded SQLite of `make run` (one writer at a time, so no row locks,
# and no UPDATE inside a WITH there): the window nets in the database, the carry is decided per
# entry and written by one UPDATE per outcome.
EMBEDDED_NET_SQL = """
SELECT e.id, e.pool_id, sum(e.amount) OVER (
    PARTITION BY e.creator_id, CASE WHEN e.creator_id IS NULL THEN e.organization_id END, e.pool_id
)
FROM incentives_ledgerentry e JOIN incentives_cycle c ON c.id = e.cycle_id
WHERE c.program_id = %s AND c.starts_on <= %s
  AND e.payment_status IN ('pending', 'failed') AND e.kind NOT IN ({coupons})
"""


def _export_embedded(cursor, params) -> int:
    coupons = ", ".join(["%s"] * len(params["coupons"]))
    cursor.execute(
        EMBEDDED_NET_SQL.format(coupons=coupons),
        [params["program"], params["starts_on"], *params["coupons"]],
    )
    outcome: dict[str, list[int]] = {}
    for entry_id, pool_id, net in cursor.fetchall():
        if net <= 0:
            carry = "not_positive"
        elif pool_id == params["cash_pool"] and net < params["minimum"]:
            carry = "minimum"
        else:
            carry = ""
        outcome.setdefault(carry, []).append(entry_id)
    for carry, ids in outcome.items():
        for start in range(0, len(ids), 500):
            chunk = LedgerEntry.objects.filter(pk__in=ids[start : start + 500])
            if carry:
                chunk.update(carry_reason=carry)
            else:
                chunk.update(
                    payment_status=PaymentStatus.EXPORTED,
                    exported_in_id=params["export"],
                    carry_reason="",
                )
    return sum(len(ids) for carry, ids in outcome.items() if carry)


@transaction.atomic
def settlement_export(*, actor, reward_list: RewardList) -> PaymentExport:
    """Export the releasable entries: lock them (in id order, as holds do), net them per payee,
    carry over what is below the minimum payout or not positive, mark the rest exported and
    record the file (`PaymentExport` and its items), set-based in the database. Held entries
    are never taken: a hold placed meanwhile waits for the lock and then finds the entry
    exported, a release made meanwhile is in the next export."""
    authorize(actor, "settlement.pay", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.export", reward_list)
    cycle = reward_list.cycle
    cash_pool = Pool.objects.get(program_id=cycle.program_id, kind=PoolKind.CASH)
    number = (reward_list.exports.aggregate(n=Max("number"))["n"] or 0) + 1
    export = PaymentExport.objects.create(
        reward_list=reward_list, number=number, created_by=None if actor is SYSTEM else actor
    )
    params = {
        "program": cycle.program_id,
        "starts_on": cycle.starts_on,
        "coupons": list(COUPON_KINDS),
        "cash_pool": cash_pool.pk,
        "minimum": max(to_fen(reward_list.rule_version.minimum_payout), 1),
        "export": export.pk,
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(EXPORT_SQL, params)
            (carried_over,) = cursor.fetchone()
        else:
            carried_over = _export_embedded(cursor, params)
        cursor.execute(
            "INSERT INTO incentives_paymentexportitem (export_id, entry_id, amount) "
            "SELECT %s, id, amount FROM incentives_ledgerentry WHERE exported_in_id = %s",
            [export.pk, export.pk],
        )
    totals = export.items.aggregate(n=Count("id"), total=money_sum())
    export.entry_count, export.total = totals["n"], totals["total"]
    export.carried_over = carried_over
    PaymentExport.objects.filter(pk=export.pk).update(
        entry_count=export.entry_count, total=export.total, carried_over=export.carried_over
    )
    before = reward_list.status
    if before == ListStatus.PUBLISHED:
        RewardList.objects.filter(pk=reward_list.pk).update(status=ListStatus.EXPORTED)
    audit_record(
        actor=actor,
        action="settlement.export",
        obj=reward_list,
        before={"status": before},
        after={
            "status": ListStatus.EXPORTED if before == ListStatus.PUBLISHED else before,
            "entries": export.entry_count,
            "total": export.total,
            "carried_over": export.carried_over,
        },
    )
    return export


@transaction.atomic
def settlement_mark_paid(*, actor, reward_list: RewardList, upload) -> PaymentResult:
    """Apply the payment system's result file; all rows or none (ValidationError with the row
    errors in `error_dict['rows']`)."""
    authorize(actor, "settlement.pay", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.result", reward_list)
    checked, errors = _parse_result(upload, reward_list)
    if errors:
        raise ValidationError(
            [
                ValidationError(_("Row %(row)s: %(message)s") % {"row": n, "message": m})
                for n, m in sorted(errors)[:200]
            ]
        )
    result, now = PaymentResult(), timezone.now()
    for entry, status, reference, reason in checked:
        if entry.payment_status == status and status in (PaymentStatus.PAID, PaymentStatus.FAILED):
            result.unchanged += 1
            continue
        LedgerEntry.objects.filter(pk=entry.pk, payment_status=PaymentStatus.EXPORTED).update(
            payment_status=status,
            payment_reference=reference,
            payment_failure=reason,
            paid_at=now if status == PaymentStatus.PAID else None,
        )
        if status == PaymentStatus.PAID:
            result.paid += 1
        else:
            result.failed += 1
    before = reward_list.status
    settled = (
        not LedgerEntry.objects.filter(cycle_id=reward_list.cycle_id, payment_status__in=UNPAID)
        .exclude(kind__in=COUPON_KINDS)
        .exists()
    )
    after = ListStatus.PAID if settled else ListStatus.EXPORTED
    if after != before:
        RewardList.objects.filter(pk=reward_list.pk).update(status=after)
    audit_record(
        actor=actor,
        action="settlement.payment_result",
        obj=reward_list,
        before={"status": before},
        after={
            "status": after,
            "paid": result.paid,
            "failed": result.failed,
            "unchanged": result.unchanged,
        },
    )
    return result


def _post_lines(
    reward_list: RewardList,
    pools: dict,
    *,
    pool: str,
    kind: str,
    reason_code: str,
    note: str,
    payees: list[tuple[int | None, int | None, Decimal]],
) -> list[RewardLine]:
    """The one posting path of a line outside the computed rules (adjustments, awards): for each
    (creator, organization, amount) a line and its ledger entry, the amounts committed to the
    (locked) pool, and the list's totals and line count moved; a paid list goes back to exported,
    since it has something to pay again. The callers check the amounts and the pool's room."""
    creator_ids = {creator_id for creator_id, _organization, _amount in payees if creator_id}
    known = set(
        RewardLine.objects.filter(reward_list=reward_list, creator_id__in=creator_ids)
        .values_list("creator_id", flat=True)
        .distinct()
    )
    lines = RewardLine.objects.bulk_create(
        RewardLine(
            reward_list=reward_list,
            kind=kind,
            pool=pool,
            creator_id=creator_id,
            organization_id=organization_id,
            amount=amount,
            rule_version=reward_list.rule_version,
            note=note.strip(),
        )
        for creator_id, organization_id, amount in payees
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            pool=pools[pool],
            cycle=reward_list.cycle,
            kind=kind,
            creator_id=line.creator_id,
            organization_id=line.organization_id,
            amount=line.amount,
            rule_version=reward_list.rule_version,
            reason_code=reason_code,
            line=line,
        )
        for line in lines
    )
    total = sum(to_fen(amount) for _creator, _organization, amount in payees)
    commit_to_pools(pools, {pool: total})
    field = "cash_total" if pool == PoolKind.CASH else "traffic_total"
    RewardList.objects.filter(pk=reward_list.pk).update(
        **{field: getattr(reward_list, field) + from_fen(total)},
        line_count=reward_list.line_count + len(lines),
        creator_count=reward_list.creator_count + len(creator_ids - known),
        **({"status": ListStatus.EXPORTED} if reward_list.status == ListStatus.PAID else {}),
    )
    return lines


@transaction.atomic
def settlement_adjust(
    *,
    actor,
    reward_list: RewardList,
    amount: Decimal,
    reason_code: str,
    note: str,
    creator=None,
    organization=None,
    pool: str = PoolKind.CASH,
) -> RewardLine:
    """A correction to an approved list: a new adjusting line and its ledger entry. A negative
    amount takes money back (recovered from the beneficiary's next payment)."""
    authorize(actor, "settlement.approve", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.adjust", reward_list)
    errors = {}
    if reason_code not in AdjustmentReason.LABELS:
        errors["reason_code"] = _("Choose a reason.")
    if not note.strip():
        errors["note"] = _("Explain the correction; the beneficiary reads it on their statement.")
    if amount is None or to_fen(amount) == 0:
        errors["amount"] = _("An adjustment is a non-zero amount.")
    if creator is None and organization is None:
        errors["creator"] = _("Choose who the adjustment is for.")
    if pool not in PoolKind.values:
        errors["pool"] = _("Choose a pool.")
    if errors:
        raise ValidationError(errors)
    if creator is not None and organization is None:
        organization = (
            RewardLine.objects.filter(reward_list=reward_list, creator=creator)
            .exclude(organization=None)
            .values_list("organization", flat=True)
            .first()
        )
        if organization is None:
            raise ValidationError({"creator": _("This creator has no line on this list.")})
    fen = to_fen(amount)
    pools = lock_pools(reward_list.cycle.program)
    if fen > 0:
        check_room(pools, {pool: fen})
    elif to_fen(pools[pool].committed) + fen < 0:
        raise ValidationError({"amount": _("The pool cannot give back more than it committed.")})
    organization_id = getattr(organization, "pk", organization)
    (line,) = _post_lines(
        reward_list,
        pools,
        pool=pool,
        kind=LineKind.ADJUSTMENT,
        reason_code=reason_code,
        note=note,
        payees=[(getattr(creator, "pk", None), organization_id, amount)],
    )
    before = reward_list.status
    audit_record(
        actor=actor,
        action="settlement.adjust",
        obj=reward_list,
        organization=line.organization,
        before={"status": before},
        after={
            "amount": amount,
            "pool": pool,
            "creator": getattr(creator, "pk", None),
            "organization": line.organization_id,
            "reason_code": reason_code,
        },
        reason=note.strip(),
    )
    return line


__all__ = [
    "EXPORT_HEADERS",
    "AdjustmentReason",
    "PaymentResult",
    "entries_to_pay",
    "exported_entries",
    "payment_rows",
    "settlement_adjust",
    "settlement_award",
    "settlement_export",
    "settlement_mark_paid",
]


@transaction.atomic
def settlement_award(
    *,
    actor,
    reward_list: RewardList,
    creators,
    amount: Decimal,
    pool: str,
    note: str,
    kind: str = LineKind.INCUBATION,
) -> int:
    """A reward outside the computed rules for many creators at once (the incubation reward of
    the published top-100): one line and one ledger entry each, on an approved list, within the
    pool's room. The unique keys make a second award of the same kind to a creator in the same
    cycle impossible; creators already awarded are skipped. Returns the number of new awards."""
    authorize(actor, "settlement.approve", reward_list.cycle.program)
    reward_list = _locked(reward_list)
    require(actor, "list.adjust", reward_list)
    if amount is None or to_fen(amount) <= 0:
        raise ValidationError({"amount": _("An award is a positive amount.")})
    if pool not in PoolKind.values:
        raise ValidationError({"pool": _("Choose a pool.")})
    if not note.strip():
        raise ValidationError({"note": _("Explain the award; the beneficiaries read it.")})
    from creators.models import Binding

    done = set(
        RewardLine.objects.filter(reward_list=reward_list, kind=kind).values_list(
            "creator_id", flat=True
        )
    )
    creator_ids = [c.pk for c in creators if c.pk not in done]
    bound = dict(
        Binding.objects.filter(creator_id__in=creator_ids, ended_on__isnull=True).values_list(
            "creator_id", "organization_id"
        )
    )
    if not creator_ids:
        return 0
    pools = lock_pools(reward_list.cycle.program)
    total = to_fen(amount) * len(creator_ids)
    check_room(pools, {pool: total})
    lines = _post_lines(
        reward_list,
        pools,
        pool=pool,
        kind=kind,
        reason_code=kind,
        note=note,
        payees=[(creator_id, bound.get(creator_id), amount) for creator_id in creator_ids],
    )
    audit_record(
        actor=actor,
        action="settlement.award",
        obj=reward_list,
        after={"kind": kind, "creators": len(lines), "amount": amount, "pool": pool},
        reason=note.strip(),
    )
    return len(lines)
