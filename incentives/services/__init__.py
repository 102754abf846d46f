from .payments import (
    AdjustmentReason,
    exported_entries,
    settlement_adjust,
    settlement_award,
    settlement_export,
    settlement_mark_paid,
)
from .programs import (
    cycles_for,
    program_close,
    program_create,
    program_open,
    program_reopen,
    program_set_status,
    rule_version_draft,
    rule_version_publish,
    rule_version_update,
)
from .review import (
    settlement_approve,
    settlement_publish,
    settlement_return,
    settlement_submit,
)
from .settlement import settlement_compute, settlement_request

__all__ = [
    "AdjustmentReason",
    "cycles_for",
    "exported_entries",
    "program_close",
    "program_create",
    "program_open",
    "program_reopen",
    "program_set_status",
    "rule_version_draft",
    "rule_version_publish",
    "rule_version_update",
    "settlement_adjust",
    "settlement_approve",
    "settlement_award",
    "settlement_compute",
    "settlement_export",
    "settlement_mark_paid",
    "settlement_publish",
    "settlement_request",
    "settlement_return",
    "settlement_submit",
]
