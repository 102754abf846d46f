"""Verifying the portal's webhook deliveries (stdlib only).

Each delivery is a POST with the headers `X-Portal-Event`, `X-Portal-Delivery`,
`X-Portal-Timestamp` (Unix seconds) and `X-Portal-Signature: v1=<hex>`, where `<hex>` is the
HMAC-SHA256, keyed with the endpoint's secret, of `"<timestamp>.<raw body>"`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Portal-Timestamp"
SIGNATURE_HEADER = "X-Portal-Signature"
EVENT_HEADER = "X-Portal-Event"
DELIVERY_HEADER = "X-Portal-Delivery"


def sign(secret: str | bytes, timestamp: str | int, body: bytes) -> str:
    """The `X-Portal-Signature` value for a delivery (`v1=<hex>`)."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify_webhook(
    secret: str | bytes,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """True when `body` (the raw bytes, before any JSON parsing) was signed with `secret` less
    than `tolerance` seconds ago. Header names are matched case-insensitively; the signature
    header may hold several comma-separated `v1=` values (any one matching is enough)."""
    timestamp = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not timestamp or not signature:
        return False
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    candidates = [part.strip() for part in signature.split(",")]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
