"""Every write to creators, bindings, transfers, disputes, metrics and imports (see each module)."""

from .bindings import (
    binding_end,
    binding_start,
    bindings_end,
    creator_register,
    creator_set_avatar,
)

__all__ = [
    "binding_end",
    "binding_start",
    "bindings_end",
    "creator_register",
    "creator_set_avatar",
]
