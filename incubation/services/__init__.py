from .pool import (
    entry_rules_apply,
    member_move,
    nomination_create,
    nomination_decide,
    nomination_limit_set,
    nomination_withdraw,
)
from .scoring import NoWeightsInForce, scores_compute
from .shortlist import (
    StaleShortlist,
    shortlist_add,
    shortlist_award,
    shortlist_exclude,
    shortlist_for,
    shortlist_freeze,
    shortlist_include,
    shortlist_propose,
    shortlist_publish,
    shortlist_snapshot_weekly,
)
from .weights import weights_draft, weights_publish, weights_update

__all__ = [
    "NoWeightsInForce",
    "StaleShortlist",
    "entry_rules_apply",
    "member_move",
    "nomination_create",
    "nomination_decide",
    "nomination_limit_set",
    "nomination_withdraw",
    "scores_compute",
    "shortlist_add",
    "shortlist_award",
    "shortlist_exclude",
    "shortlist_for",
    "shortlist_freeze",
    "shortlist_include",
    "shortlist_propose",
    "shortlist_publish",
    "shortlist_snapshot_weekly",
    "weights_draft",
    "weights_publish",
    "weights_update",
]
