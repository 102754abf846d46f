"""Every write to surfaces, nominations, placements and coupons (see each module)."""

from .config import inventory_set, placement_rule_add, surface_save
from .coupons import (
    DeliveryResult,
    DeliveryRow,
    coupons_close_cycle,
    coupons_grant_grades,
    deliveries_report,
)
from .scheduling import (
    eligibility_problems,
    fill_confirm,
    fill_propose,
    placement_accept,
    placement_decline,
    placement_nominate,
    placements_withdraw_video,
    quota_used,
)

__all__ = [
    "DeliveryResult",
    "DeliveryRow",
    "coupons_close_cycle",
    "coupons_grant_grades",
    "deliveries_report",
    "eligibility_problems",
    "fill_confirm",
    "fill_propose",
    "inventory_set",
    "placement_accept",
    "placement_decline",
    "placement_nominate",
    "placement_rule_add",
    "placements_withdraw_video",
    "quota_used",
    "surface_save",
]
