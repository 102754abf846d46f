"""Atomic fixed-window counters in the shared cache.

`cache.incr` is a single atomic command on Redis (and under a lock in the local-memory cache), so
concurrent requests can never all slip under the limit, unlike read-then-write throttles.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window resets


def hit(key: str, *, limit: int, window: int) -> Verdict:
    """Count one event under `key`; allowed while the window's count stays within `limit`."""
    now = int(time.time())
    bucket = now // window
    cache_key = f"ratelimit:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        cache.add(cache_key, 0, timeout=window + 1)
        count = cache.incr(cache_key)
    return Verdict(allowed=count <= limit, count=count, retry_after=(bucket + 1) * window - now)
