"""Incentive pages: programs and their rules (operators), reward lists from computation to payment,
statements and the special incentive list (everyone, once published)."""

from .confirm import (
    list_adjust,
    list_approve,
    list_publish,
    program_close,
    program_reopen,
    rules_publish,
)
from .holds import entry_forfeit_view, hold_release_view, holds, holds_release_due_view
from .invoices import (
    invoice_file,
    invoice_reject_view,
    invoice_upload_view,
    invoice_verify_view,
    invoices,
)
from .lists import (
    list_adjust_organizations,
    list_export,
    list_result,
    list_return,
    list_submit,
    reward_list_detail,
)
from .programs import (
    cycle_compute,
    index,
    program_detail,
    program_open,
    rule_version,
    rules_draft,
    rules_save,
)
from .reconciliation import reconciliation, reconciliation_export
from .statements import special, statement, statement_export

__all__ = [
    "cycle_compute",
    "entry_forfeit_view",
    "hold_release_view",
    "holds",
    "holds_release_due_view",
    "index",
    "invoice_file",
    "invoice_reject_view",
    "invoice_upload_view",
    "invoice_verify_view",
    "invoices",
    "list_adjust",
    "list_adjust_organizations",
    "list_approve",
    "list_export",
    "list_publish",
    "list_result",
    "list_return",
    "list_submit",
    "program_close",
    "program_detail",
    "program_open",
    "program_reopen",
    "reconciliation",
    "reconciliation_export",
    "reward_list_detail",
    "rule_version",
    "rules_draft",
    "rules_publish",
    "rules_save",
    "special",
    "statement",
    "statement_export",
]
