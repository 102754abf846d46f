"""Atomic fixed-window counters in the shared cache.

`cache.incr` is a single atomic command on Redis (and under a lock in the local-memory cache), so
concurrent requests can never all slip under the limit, unlike read-then-write throttles.
"""

import contextlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window resets
    cache_key: str = ""  # the window's counter, for give_back() and reset()


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
    return Verdict(
        allowed=count <= limit,
        count=count,
        retry_after=(bucket + 1) * window - now,
        cache_key=cache_key,
    )


def give_back(verdict: Verdict) -> None:
    """Uncount the event `verdict` counted (it turned out not to be one that should count).
    Counting first and giving back afterwards keeps the limit atomic: concurrent attempts can
    never all pass a check made before any of them was counted."""
    with contextlib.suppress(ValueError):  # the window has ended meanwhile
        cache.decr(verdict.cache_key)


def reset(verdict: Verdict) -> None:
    """Forget every event counted in `verdict`'s window."""
    cache.delete(verdict.cache_key)
