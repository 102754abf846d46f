"""Reading the payment system's result file: its columns, the limits of a file, and the row checks
(amounts, entry numbers, one outcome for each payee's netted entries). All rows or none: the
caller applies nothing when any row has an error."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives.models import LedgerEntry, PaymentExportItem, PaymentStatus
from portal.core.money import from_fen, to_fen
from portal.core.ranges import RangeProblem, parse_decimal, parse_whole
from portal.core.tabular import Column, read_table


def shown(text: str) -> str:
    """A value quoted in an error, cut short: a cell may hold 500 characters."""
    return text if len(text) <= 40 else text[:40] + "…"


def _payee_key(creator_id, organization_id):
    return ("creator", creator_id) if creator_id else ("organization", organization_id)


RESULT_COLUMNS = [
    Column("entry", ("entry", "编号", "条目", "entry id")),
    Column("amount", ("amount", "金额", "amount (cny)", "金额(元)")),
    Column("status", ("status", "result", "结果", "状态")),
    Column("reference", ("reference", "payment reference", "流水号", "付款流水号"), required=False),
    # Why a payment failed (the payee's account is closed, the name does not match...): the
    # beneficiary reads it on its statement.
    Column("reason", ("reason", "failure reason", "原因", "失败原因"), required=False),
]
PAID_WORDS = {"paid", "success", "ok", "已支付", "成功", "已付款"}
FAILED_WORDS = {"failed", "fail", "失败", "未支付"}
MAX_RESULT_ROWS = 1_000_000
MAX_RESULT_BYTES = 100 * 1024 * 1024
# The result file is read while the operator waits: a workbook slower than this is refused.
RESULT_READ_SECONDS = 120


# The largest amount and entry number the ledger can hold (integer fen, bigint ids).
AMOUNT_MAX = from_fen(2**63 - 1)
ENTRY_ID_MAX = 2**63 - 1
AMOUNT_PROBLEMS = {
    "number": gettext_lazy("“%(value)s” is not an amount."),
    "decimals": gettext_lazy("“%(value)s” has more than two decimals (fen)."),
    "too_large": gettext_lazy("“%(value)s” is larger than any entry's amount."),
    "too_small": gettext_lazy("“%(value)s” is larger than any entry's amount."),
    "negative": gettext_lazy("“%(value)s” is not an amount."),
    "whole": gettext_lazy("“%(value)s” is not an amount."),
}


@dataclass
class PaymentResult:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0


def _parse_result(upload, reward_list) -> tuple[list, list[tuple[int, str]]]:
    errors, rows, seen = [], [], {}
    for number, row in read_table(
        upload,
        RESULT_COLUMNS,
        max_rows=MAX_RESULT_ROWS,
        max_bytes=MAX_RESULT_BYTES,
        max_seconds=RESULT_READ_SECONDS,
    ):
        try:
            entry_id = parse_whole(row["entry"], 1, ENTRY_ID_MAX)
        except RangeProblem:
            errors.append(
                (number, _("“%(value)s” is not an entry number.") % {"value": shown(row["entry"])})
            )
            continue
        try:
            amount = parse_decimal(row["amount"], places=2, high=AMOUNT_MAX, low=-AMOUNT_MAX)
        except RangeProblem as problem:
            errors.append((number, AMOUNT_PROBLEMS[problem.code] % {"value": shown(row["amount"])}))
            continue
        word = row["status"].strip().lower()
        if word in PAID_WORDS:
            status = PaymentStatus.PAID
        elif word in FAILED_WORDS:
            status = PaymentStatus.FAILED
        else:
            errors.append(
                (
                    number,
                    _("The result must be paid or failed, not “%(value)s”.")
                    % {"value": row["status"]},
                )
            )
            continue
        if status == PaymentStatus.PAID and not row["reference"]:
            errors.append((number, _("A paid entry needs its payment reference.")))
            continue
        if entry_id in seen:
            errors.append(
                (
                    number,
                    _("Entry %(entry)s is also on row %(row)s.")
                    % {"entry": entry_id, "row": seen[entry_id]},
                )
            )
            continue
        seen[entry_id] = number
        reason = row["reason"][:200] if status == PaymentStatus.FAILED else ""
        rows.append((number, entry_id, amount, status, row["reference"][:100], reason))
    entries = (
        LedgerEntry.objects.select_for_update().order_by("pk").in_bulk(sorted({r[1] for r in rows}))
    )
    exported_here = set(
        PaymentExportItem.objects.filter(
            export__reward_list=reward_list, entry_id__in=list(entries)
        ).values_list("entry_id", flat=True)
    ) | {  # exported before exports were recorded (the migration marked them)
        e.pk
        for e in entries.values()
        if e.exported_in_id is None
        and e.cycle_id == reward_list.cycle_id
        and e.payment_status in (PaymentStatus.EXPORTED, PaymentStatus.PAID, PaymentStatus.FAILED)
    }
    checked = []
    for number, entry_id, amount, status, reference, reason in rows:
        entry = entries.get(entry_id)
        if entry is None or entry.pk not in exported_here:
            errors.append(
                (
                    number,
                    _("Entry %(entry)s was not exported from this list.") % {"entry": entry_id},
                )
            )
        elif to_fen(amount) != to_fen(entry.amount):
            errors.append(
                (
                    number,
                    _("Entry %(entry)s is for %(expected)s CNY, not %(amount)s.")
                    % {"entry": entry_id, "expected": entry.amount, "amount": amount},
                )
            )
        elif entry.payment_status == PaymentStatus.PAID and (
            status != PaymentStatus.PAID or reference != entry.payment_reference
        ):
            errors.append(
                (
                    number,
                    _("Entry %(entry)s was already paid (reference %(reference)s).")
                    % {"entry": entry_id, "reference": entry.payment_reference},
                )
            )
        elif entry.payment_status not in (PaymentStatus.EXPORTED, PaymentStatus.PAID) and not (
            entry.payment_status == status == PaymentStatus.FAILED
        ):
            errors.append(
                (
                    number,
                    _("Entry %(entry)s is not waiting for a payment result (it is %(status)s).")
                    % {"entry": entry_id, "status": entry.get_payment_status_display().lower()},
                )
            )
        else:
            checked.append((entry, status, reference, reason))
    numbers = {entry_id: number for number, entry_id, *_rest in rows}
    errors.extend(_payee_group_errors(checked, numbers))
    return checked, errors


def _payee_group_errors(checked, numbers) -> list[tuple[int, str]]:
    """A payee's entries of one pool in one file that include a correction are one payment (the
    correction netted): the result must name all of them, with one outcome, or the payee could be
    paid a negative amount. Without a correction each entry is paid on its own, as before."""
    changing = [c for c in checked if c[0].payment_status == PaymentStatus.EXPORTED]
    groups: dict = {}
    for entry, status, _reference, _reason in changing:
        key = (entry.exported_in_id, _payee_key(entry.creator_id, entry.organization_id))
        groups.setdefault((key, entry.pool_id), []).append((entry, status))
    errors = []
    for ((export_id, _payee), pool_id), members in groups.items():
        if export_id is None:
            continue
        named = {entry.pk for entry, _status in members}
        first = members[0][0]
        group = dict(
            LedgerEntry.objects.filter(
                exported_in_id=export_id,
                payment_status=PaymentStatus.EXPORTED,
                pool_id=pool_id,
                creator_id=first.creator_id,
                **({} if first.creator_id else {"organization_id": first.organization_id}),
            ).values_list("pk", "amount")
        )
        if all(amount > 0 for amount in group.values()):
            continue
        together = set(group)
        if named != together or len({status for _entry, status in members}) > 1:
            others = ", ".join(str(pk) for pk in sorted(together))
            for entry, _status in members:
                errors.append(
                    (
                        numbers[entry.pk],
                        _(
                            "Entry %(entry)s is one payment with entries %(others)s (the same "
                            "payee): give all of them the same result in one file."
                        )
                        % {"entry": entry.pk, "others": others},
                    )
                )
    return errors
