"""Webhooks: domain events sent to partners' endpoints, signed, retried with backoff, recorded.

A service calls `emit(event_type, payload, organization=...)` inside its transaction, after the
change. The event is recorded once, with one delivery for every active endpoint subscribed to it
whose application holds the read scope of the event (`EVENT_SCOPES`) and could therefore read the
object through the API; each delivery is sent by `partners.tasks.deliver_webhook` once the
transaction commits (through the task outbox).

Every attempt POSTs the event's JSON body with these headers:

    Content-Type: application/json
    X-Portal-Event: organization.approved
    X-Portal-Delivery: 42
    X-Portal-Timestamp: 1767225600                    (unix seconds)
    X-Portal-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the endpoint secret>

Receivers check it with `verify_signature` (or the same few lines in their language), then
deduplicate by the event's `id` in the body: an event may arrive more than once.
"""

import hashlib
import hmac
import json
import random
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.queue import enqueue

from . import egress
from .models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)

SIGNATURE_VERSION = "v1"
TIMEOUT_SECONDS = 10
RESPONSE_BODY_LIMIT = 2048
BACKOFF_BASE_SECONDS = 60  # 1 min, 2, 4, 8 … before attempts 2, 3, 4, 5 …
BACKOFF_JITTER = 0.25  # up to a quarter more, so that failed deliveries do not retry in step
# An attempt claims its delivery for longer than it can last: a duplicate message waits.
CLAIM_SECONDS = TIMEOUT_SECONDS * 6
USER_AGENT = "Portal-Webhooks/1"


def max_attempts() -> int:
    return getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8)


# --- signing ------------------------------------------------------------------------------------


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-Portal-Signature` value of `body` sent at `timestamp`: `v1=<hex>`."""
    message = _bytes(str(timestamp)) + b"." + _bytes(body)
    digest = hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    tolerance: int = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when `signature` (the X-Portal-Signature header, possibly several comma-separated
    `v1=` values) signs `body` at `timestamp` with `secret`, and `timestamp` is within
    `tolerance` seconds of now (an old request replayed by someone else is refused).

    `body` must be the raw request body, exactly as received (not parsed and serialized again)."""
    try:
        sent = int(str(timestamp).strip())
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return False
    expected = sign(secret, sent, _bytes(body))
    candidates = [part.strip() for part in str(signature or "").split(",")]
    # Compare every candidate in constant time, without stopping at the first match.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(_bytes(candidate), _bytes(expected))
    return matched


# --- endpoints ----------------------------------------------------------------------------------


def _is_local_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """`url` if deliveries may go there: https, or plain http to this machine only in development
    (DEBUG) or when `WEBHOOKS_ALLOW_HTTP_LOCALHOST` is set (tests). ValidationError otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise ValidationError({"url": _("Enter a full https:// address without credentials.")})
    allow_http = settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP_LOCALHOST", False)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and allow_http and _is_local_host(host)
    ):
        raise ValidationError({"url": _("Webhook addresses must start with https://.")})
    try:
        port = parts.port
    except ValueError:
        message = _("Enter a full https:// address without credentials.")
        raise ValidationError({"url": message}) from None
    try:
        egress.check_host(host, port or (443 if parts.scheme == "https" else 80))
    except egress.BlockedAddress as blocked:
        raise ValidationError({"url": str(blocked)}) from None
    return url


def check_events(events) -> list[str]:
    events = list(dict.fromkeys(events))
    unknown = [code for code in events if code not in WebhookEventType.values]
    if unknown:
        raise ValidationError({"events": _("Unknown event: %(events)s.") % {"events": unknown}})
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [code for code in WebhookEventType.values if code in events]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# --- emitting -----------------------------------------------------------------------------------


def emit(
    event_type: str, payload: dict, *, organization=None, obj=None, actor=None
) -> WebhookEvent | None:
    """Record `event_type` about `obj` (its small public representation in `payload`) and queue
    one delivery per endpoint that receives it. Call inside the change's transaction, after it;
    nothing is sent if the transaction rolls back. Events about an organization partners cannot
    see (neither approved nor suspended) are not sent, nor events of a type webhooks do not carry
    (meant for another listener). `actor` is not sent: partners learn what changed, not who."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the change's transaction.")
    if event_type not in WebhookEventType.values:
        return None
    event_type = WebhookEventType(event_type)
    if organization is not None:
        from .visibility import ADMITTED

        if organization.status not in ADMITTED:
            return None
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("application")
        if endpoint.receives(event_type)
    ]
    if not endpoints:
        return None
    event_id = uuid.uuid4()
    now = timezone.now()
    body = {
        "id": str(event_id),
        "type": str(event_type),
        "occurred_at": now.isoformat().replace("+00:00", "Z"),
        "data": payload,
    }
    event = WebhookEvent.objects.create(
        uuid=event_id,
        event_type=event_type,
        # Stored as the JSON types it will be sent as (dates as ISO strings).
        payload=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        organization=organization,
    )
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, next_attempt_at=now
        )
        enqueue("partners.tasks.deliver_webhook", delivery_id=delivery.pk)
    return event


# --- delivering ---------------------------------------------------------------------------------


def body_of(event: WebhookEvent) -> bytes:
    """The exact bytes sent for `event`: the same at every attempt."""
    return json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()


def backoff(attempt_count: int) -> int:
    """Seconds before the next attempt after `attempt_count` failed ones: 1 min, 2, 4, 8 … plus
    up to a quarter of jitter."""
    base = BACKOFF_BASE_SECONDS * 2 ** max(attempt_count - 1, 0)
    return int(base + random.uniform(0, base * BACKOFF_JITTER))  # noqa: S311 (not for secrets)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to send the event (and its signature) to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """(status code or None, response body cut at 2 KB, error text) of one POST, sent to the
    address its host resolves to now, only when that address is public (`partners.egress`)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    parts = urlsplit(url)
    try:
        opener = egress.opener_for(parts.hostname or "", parts.scheme, parts.port, _NoRedirect)
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, _read(response), ""
    except egress.BlockedAddress as blocked:
        return None, "", str(blocked)[:2000]
    except urllib.error.HTTPError as error:  # an answer other than 2xx
        with error:
            return error.code, _read(error), ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(error).__name__}: {reason}"[:2000]


def _read(response) -> str:
    try:
        data = response.read(RESPONSE_BODY_LIMIT + 1)
    except (OSError, ValueError):
        return ""
    text = data[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")
    return text + ("…" if len(data) > RESPONSE_BODY_LIMIT else "")


def _claim(delivery_id: int) -> bool:
    """Take the delivery for one attempt, unless it is done, not due, or another worker has it."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
            next_attempt_at__lte=now + timedelta(seconds=5),
        ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def attempt_delivery(delivery_id: int, *, replayed_by_id: int | None = None) -> int | None:
    """Send one attempt of the delivery and record it. Returns the countdown in seconds before
    the next attempt when the delivery should be retried, else None (succeeded, gave up, or
    nothing to do). A replay is a single attempt: it is never retried automatically."""
    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint__application", "event").get(
        pk=delivery_id
    )
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.receives(event.event_type):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.GAVE_UP, next_attempt_at=None
        )
        return None
    body = body_of(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": event.event_type,
        "X-Portal-Delivery": str(delivery.pk),
        "X-Portal-Timestamp": str(timestamp),
        "X-Portal-Signature": sign(endpoint.secret, timestamp, body),
    }
    started_at = timezone.now()
    began = time.monotonic()
    status_code, response_body, error = post(endpoint.url, body, headers)
    duration_ms = int((time.monotonic() - began) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    if not succeeded and not error:
        error = _("The endpoint answered %(code)s.") % {"code": status_code}

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.attempt_count += 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempt_count,
            started_at=started_at,
            status_code=status_code,
            response_body=response_body,
            duration_ms=duration_ms,
            error="" if succeeded else error,
            succeeded=succeeded,
            replayed_by_id=replayed_by_id,
        )
        delivery.last_status_code = status_code
        countdown = None
        if succeeded:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        elif replayed_by_id is not None or delivery.attempt_count >= max_attempts():
            delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
        else:
            countdown = backoff(delivery.attempt_count)
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
        delivery.save(
            update_fields=[
                "attempt_count",
                "last_status_code",
                "status",
                "next_attempt_at",
                "updated_at",
            ]
        )
    return countdown


def due_deliveries(limit: int = 500) -> list[int]:
    """Deliveries whose next attempt is long overdue: their task message was lost (a worker died
    during an attempt, or the broker dropped a retry). `retry_due_webhooks` sends them again."""
    cutoff = timezone.now() - timedelta(seconds=CLAIM_SECONDS * 5)
    return list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=cutoff
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
