"""Video creators and the bindings that tie each one to an MCN organization.

One module per part: creators and bindings, rules, metrics, transfers and disputes, imports.
"""

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
    "AbnormalPlayRule",
    "AbnormalPlayRuleQuerySet",
    "Binding",
    "BindingQuerySet",
    "BindingSource",
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
    "TransferRequest",
    "TransferRequestQuerySet",
    "TransferStatus",
    "avatar_path",
]
