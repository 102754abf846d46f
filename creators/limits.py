"""How large a creator's figures may be, wherever they come from (imports, the metrics API).

Each value must fit its column, and more: the portal adds figures up (30-day rolling figures on
the creator, a cycle's totals in fen in the settlement, a roster's followers), so a day's value is
also held below a limit that keeps every such sum inside its column. The limits are far above
anything real (a trillion plays, a hundred billion yuan of GMV in one day for one creator); a
value above them is a typing or export mistake, reported on its row or field.
"""

import functools
from decimal import Decimal

from portal.core.ranges import decimal_bounds, integer_bounds

from .models import Creator, DailyMetric

# field: (lowest, highest) a single day (or a creator's follower count) may hold.
DAY_LIMITS = {
    "plays": (0, 10**12),
    "valid_plays": (0, 10**12),
    "interactions": (0, 10**12),
    "new_followers": (-(10**10), 10**10),
    "videos_published": (0, 10**6),
    "original_videos": (0, 10**6),
    "orders": (0, 10**9),
    "gmv": (0, 10**11),
    "commission": (0, 10**11),
}
FOLLOWERS_LIMIT = (0, 10**11)
MODELS = {"follower_count": Creator} | dict.fromkeys(DAY_LIMITS, DailyMetric)


@functools.cache
def whole_limits(field: str) -> tuple[int, int]:
    """(lowest, highest) of a whole-number figure: the column's range narrowed to the limit."""
    column_low, column_high = integer_bounds(MODELS[field], field)
    low, high = FOLLOWERS_LIMIT if field == "follower_count" else DAY_LIMITS[field]
    return max(low, column_low), min(high, column_high)


@functools.cache
def amount_limits(field: str) -> tuple[int, int, Decimal]:
    """(max_digits, decimal_places, highest) of an amount (GMV, commission)."""
    digits, places = decimal_bounds(MODELS[field], field)
    column_high = Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
    return digits, places, min(Decimal(DAY_LIMITS[field][1]), column_high)


def is_amount(field: str) -> bool:
    return field in ("gmv", "commission")
