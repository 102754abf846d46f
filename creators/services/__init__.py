"""Every write to creators, bindings, transfers, disputes, metrics and imports (see each module)."""

from .bindings import (
    binding_end,
    binding_start,
    bindings_end,
    creator_register,
    creator_set_avatar,
)
from .consent import (
    consent_check,
    consent_decline,
    consent_give,
    consent_link_send,
    consent_path,
    consent_withdraw,
)
from .imports import import_commit, import_confirm, import_create, import_discard, import_validate
from .metrics import MetricRow, metric_flag_review, metrics_upsert
from .transfers import (
    dispute_open,
    dispute_resolve,
    transfer_cancel,
    transfer_check,
    transfer_confirm,
    transfer_decline,
    transfer_path,
    transfer_request,
)

__all__ = [
    "MetricRow",
    "binding_end",
    "binding_start",
    "bindings_end",
    "consent_check",
    "consent_decline",
    "consent_give",
    "consent_link_send",
    "consent_path",
    "consent_withdraw",
    "creator_register",
    "creator_set_avatar",
    "dispute_open",
    "dispute_resolve",
    "import_commit",
    "import_confirm",
    "import_create",
    "import_discard",
    "import_validate",
    "metric_flag_review",
    "metrics_upsert",
    "transfer_cancel",
    "transfer_check",
    "transfer_confirm",
    "transfer_decline",
    "transfer_path",
    "transfer_request",
]
