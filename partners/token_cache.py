"""Live partner tokens remembered in this process between requests.

Finding a token is a database query with its application and account (~1.5 ms of every API
request). This process keeps the three rows' values by token prefix, with the *generation* they
were read under: a counter in the shared cache that every change to a token, an application or a
partner account bumps once its transaction has committed. Each request reads the generation in the
round trip that counts it against the rate limit (no extra trip); a different generation means
something changed, and the token is read again from the database. So a revocation, a scope change
or a disabled account takes effect at the next request of every process. An entry is also dropped
after MAX_AGE seconds, bounding what a bump missed while the shared cache was down could leave.

Only with a shared cache (Redis, `PARTNER_TOKEN_CACHE`): a cache local to each process would not
see another process's bump, so nothing is remembered there. Each request gets its own model
instances, built from the remembered values: nothing a request caches on `request.user` outlives
it.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal.accounts import ratelimit

logger = logging.getLogger("portal.security")

GENERATION_KEY = "partners:tokens:generation"
MAX_AGE = 300  # seconds
MAX_ENTRIES = 10_000

_entries: dict[str, "_Entry"] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class _Entry:
    generation: int
    stored_at: float
    token: dict
    application: dict
    account: dict


def enabled() -> bool:
    return bool(getattr(settings, "PARTNER_TOKEN_CACHE", False))


def generation():
    """The current generation (set to 0 when the shared cache has none, so that a missing key
    always means "read again"), None when the shared cache cannot be reached (nothing is
    remembered then)."""
    try:
        cache.add(GENERATION_KEY, 0, timeout=None)
        return cache.get(GENERATION_KEY)
    except ratelimit.CACHE_UNREACHABLE:
        return None


def _values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def remember(token, read_generation) -> None:
    """Keep `token` (with its application and account, as found) under the generation read
    before it was loaded."""
    if not enabled() or read_generation is None:
        return
    entry = _Entry(
        generation=read_generation,
        stored_at=time.monotonic(),
        token=_values(token),
        application=_values(token.application),
        account=_values(token.application.account),
    )
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[token.prefix] = entry


def recall(prefix: str):
    """(generation, a fresh token instance with its application and account) or None."""
    if not enabled():
        return None
    entry = _entries.get(prefix)
    if entry is None:
        return None
    if time.monotonic() - entry.stored_at > MAX_AGE:
        forget(prefix)
        return None
    from portal.accounts.models import User

    from .models import PartnerApplication, PartnerToken

    account = User(**entry.account)
    application = PartnerApplication(**entry.application)
    application.account = account
    token = PartnerToken(**entry.token)
    token.application = application
    for instance in (account, application, token):
        instance._state.adding = False
        instance._state.db = "default"
    return entry.generation, token


def note_used(prefix: str, when) -> None:
    """The time of last use was recorded (a queryset update, which bumps nothing)."""
    entry = _entries.get(prefix)
    if entry is not None:
        entry.token["last_used_at"] = when


def forget(prefix: str) -> None:
    with _lock:
        _entries.pop(prefix, None)


def forget_all() -> None:
    with _lock:
        _entries.clear()


def bump() -> None:
    """Tell every process that a token, an application or a partner account changed: at once,
    and again once the change is committed (a process reading the rows between the two, still
    the old ones, remembers them under the first bump's generation, which the second ends)."""
    _bump_now()
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    forget_all()
    try:
        if not cache.add(GENERATION_KEY, 1, timeout=None):
            cache.incr(GENERATION_KEY)
    except ValueError:  # expired or evicted between add and incr
        cache.add(GENERATION_KEY, 1, timeout=None)
    except ratelimit.CACHE_UNREACHABLE as error:
        logger.error(
            "partner token change not announced (shared cache unreachable: %s); other "
            "processes may use what they remember for up to %d seconds",
            error,
            MAX_AGE,
        )


def _changed(sender, instance, **kwargs) -> None:
    if sender._meta.label != "accounts.User" or getattr(instance, "role", None) == "partner":
        bump()


def connect() -> None:
    """Bump on every saved or deleted token, application or partner account (services, the
    admin, a disabled account)."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from .models import PartnerApplication, PartnerToken

    for model in (PartnerToken, PartnerApplication, get_user_model()):
        post_save.connect(_changed, sender=model, dispatch_uid=f"token-cache-{model._meta.label}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"token-cache-del-{model._meta.label}"
        )
