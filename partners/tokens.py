"""Partner API tokens: made with `secrets`, kept only as a keyed digest.

A token reads `ppk_<prefix>_<secret>`. The prefix (48 random bits) names the token in the portal and
finds its row; the secret (256 random bits) proves possession. The database holds the prefix and an
HMAC-SHA256 of the whole token under a key derived from `PARTNER_TOKEN_KEY` (or, when that is not
set, `SECRET_KEY`), so a copy of the database gives nobody a working token. The digest is compared
in constant time. Changing the key invalidates every token: set `PARTNER_TOKEN_KEY` to rotate
`SECRET_KEY` without disturbing partners.
"""

import hmac
import re
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX_BYTES = 6
SECRET_BYTES = 32
_SHAPE = re.compile(r"\Appk_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})\Z")


def new_prefix() -> str:
    return secrets.token_hex(PREFIX_BYTES)


def new_token(prefix: str) -> str:
    return f"ppk_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def digest(token: str) -> str:
    key = settings.PARTNER_TOKEN_KEY or settings.SECRET_KEY
    return salted_hmac("partners.token", token, secret=key, algorithm="sha256").hexdigest()


def prefix_of(token: str) -> str | None:
    """The prefix of a well-formed token, None for anything else."""
    match = _SHAPE.match(token)
    return match["prefix"] if match else None


def matches(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(token), stored_digest)
