"""Atomic fixed-window counters in the shared cache.

`cache.incr` is a single atomic command on Redis (and under a lock in the local-memory cache), so
concurrent requests can never all slip under the limit, unlike read-then-write throttles.

If the shared cache cannot be reached (Redis down), the event is counted in this process instead
and a warning is logged: sign-in and the partner API keep working through the outage, still
limited (each web process counting on its own), rather than answering 500 to everyone.
"""

import contextlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is installed with celery[redis]
    RedisError = OSError

logger = logging.getLogger("portal.security")

# What a cache backend raises when its server cannot be reached.
CACHE_UNREACHABLE = (RedisError, OSError)
_this_process = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


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
    try:
        count = _count(cache, cache_key, window)
    except CACHE_UNREACHABLE as error:
        logger.warning(
            "rate limit %s counted in this process: shared cache unreachable (%s)", key, error
        )
        count = _count(_this_process, cache_key, window)
    return Verdict(
        allowed=count <= limit,
        count=count,
        retry_after=(bucket + 1) * window - now,
        cache_key=cache_key,
    )


def _count(store, cache_key: str, window: int) -> int:
    store.add(cache_key, 0, timeout=window + 1)
    try:
        return store.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        store.add(cache_key, 0, timeout=window + 1)
        return store.incr(cache_key)


def give_back(verdict: Verdict) -> None:
    """Uncount the event `verdict` counted (it turned out not to be one that should count).
    Counting first and giving back afterwards keeps the limit atomic: concurrent attempts can
    never all pass a check made before any of them was counted."""
    for store in (cache, _this_process):
        with contextlib.suppress(ValueError, *CACHE_UNREACHABLE):  # the window has ended meanwhile
            store.decr(verdict.cache_key)
            return


def reset(verdict: Verdict) -> None:
    """Forget every event counted in `verdict`'s window."""
    _this_process.delete(verdict.cache_key)
    with contextlib.suppress(*CACHE_UNREACHABLE):
        cache.delete(verdict.cache_key)
