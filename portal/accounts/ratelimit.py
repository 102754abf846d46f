"""Atomic fixed-window counters in the shared cache.

On Redis a hit is one round trip: a small Lua script increments the window's counter and sets its
expiry when it is new, atomically (Django's `add` then `incr` took three round trips, ~1 ms a
request); the script can read one more key in the same trip (the partner token cache's
generation). Elsewhere (the local-memory cache of development and tests) `add` then `incr`, under
the cache's lock. Either way concurrent requests can never all slip under the limit, unlike
read-then-write throttles.

If the shared cache cannot be reached (Redis down), the event is counted in this process instead
and a warning is logged: sign-in and the partner API keep working through the outage, still
limited (each web process counting on its own), rather than answering 500 to everyone.
"""

import contextlib
import logging
import time
import weakref
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

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
    read: object = None  # the value of `hit(..., read=key)`'s key; None when unreachable


# KEYS[1]: the counter, KEYS[2] (optional): a key to read; ARGV[1]: the counter's lifetime.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local read = false
if KEYS[2] then read = redis.call('GET', KEYS[2]) end
return {count, read}
"""
_script = []  # the registered script, made with the first client
_clients: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # Redis client per backend


def hit(key: str, *, limit: int, window: int, read: str | None = None) -> Verdict:
    """Count one event under `key`; allowed while the window's count stays within `limit`.
    `read` names a cache key whose value comes back in the same round trip (`Verdict.read`)."""
    now = int(time.time())
    bucket = now // window
    cache_key = f"ratelimit:{key}:{bucket}"
    value = None
    try:
        count, value = _count(caches["default"], cache_key, window, read)
    except CACHE_UNREACHABLE as error:
        logger.warning(
            "rate limit %s counted in this process: shared cache unreachable (%s)", key, error
        )
        count, value = _count(_this_process, cache_key, window, None)
    return Verdict(
        allowed=count <= limit,
        count=count,
        retry_after=(bucket + 1) * window - now,
        cache_key=cache_key,
        read=value,
    )


def redis_client(store):
    """The Redis client behind Django's Redis cache backend, None for any other backend. One
    client per backend (so per thread: Django's caches are): Django builds a new one per call,
    and a redis-py client costs ~0.2 ms to build (its response callbacks), more than the round
    trip it makes."""
    if not isinstance(store, RedisCache):
        return None
    backend = store._cache
    client = _clients.get(backend)
    if client is None:
        client = _clients[backend] = backend.get_client(write=True)
    return client


def _count(store, cache_key: str, window: int, read: str | None) -> tuple[int, object]:
    client = redis_client(store)
    if client is not None:
        if not _script:
            _script.append(client.register_script(_HIT_SCRIPT))
        keys = [store.make_and_validate_key(cache_key)]
        if read is not None:
            keys.append(store.make_and_validate_key(read))
        count, value = _script[0](keys=keys, args=[window + 1], client=client)
        return int(count), (store._cache._serializer.loads(value) if value else None)
    return _add_incr(store, cache_key, window), (store.get(read) if read is not None else None)


def _add_incr(store, cache_key: str, window: int) -> int:
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
