from .programs import (
    cycles_for,
    program_create,
    rule_version_draft,
    rule_version_in_force,
    rule_version_publish,
)
from .settlement import settlement_compute

__all__ = [
    "cycles_for",
    "program_create",
    "rule_version_draft",
    "rule_version_in_force",
    "rule_version_publish",
    "settlement_compute",
]
