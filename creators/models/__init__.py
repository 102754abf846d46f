"""Video creators and the bindings that tie each one to an MCN organization.

One module per part: creators and bindings, consent, rules, metrics, transfers and disputes,
imports.
"""

from .consent import (
    SCOPE_HELP,
    BindingConsent,
    BindingConsentQuerySet,
    ConsentState,
    Scope,
)
from .creators import (
    Binding,
    BindingQuerySet,
    BindingSource,
    Creator,
    CreatorQuerySet,
    CreatorStage,
    avatar_path,
)
from .imports import (
    CreatorImportRow,
    ImportJob,
    ImportJobQuerySet,
    ImportKind,
    ImportStatus,
    MetricImportRow,
)
from .metrics import (
    DailyMetric,
    DailyMetricQuerySet,
)
from .rules import (
    EXCLUDING_FLAGS,
    AbnormalPlayRule,
    AbnormalPlayRuleQuerySet,
    PlayFlag,
    QualificationRule,
    QualificationRuleQuerySet,
)
from .transfers import (
    Dispute,
    DisputeQuerySet,
    DisputeStatus,
    TransferRequest,
    TransferRequestQuerySet,
    TransferStatus,
)

__all__ = [
    "EXCLUDING_FLAGS",
    "SCOPE_HELP",
    "AbnormalPlayRule",
    "AbnormalPlayRuleQuerySet",
    "Binding",
    "BindingConsent",
    "BindingConsentQuerySet",
    "BindingQuerySet",
    "BindingSource",
    "ConsentState",
    "Creator",
    "CreatorImportRow",
    "CreatorQuerySet",
    "CreatorStage",
    "DailyMetric",
    "DailyMetricQuerySet",
    "Dispute",
    "DisputeQuerySet",
    "DisputeStatus",
    "ImportJob",
    "ImportJobQuerySet",
    "ImportKind",
    "ImportStatus",
    "MetricImportRow",
    "PlayFlag",
    "QualificationRule",
    "QualificationRuleQuerySet",
    "Scope",
    "TransferRequest",
    "TransferRequestQuerySet",
    "TransferStatus",
    "avatar_path",
]
