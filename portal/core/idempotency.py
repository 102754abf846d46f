"""`Idempotency-Key` for state-changing API requests: a retry gets the first answer, the work is
done once.

A client that may send a request twice (a timeout, a double click, a retrying job) names it with an
`Idempotency-Key` header. The key is claimed in the same transaction as the work: the key's row is
inserted first, the view runs, its answer is stored in the row, and all of it commits together.

* Same user, same key, same method, path and body: the stored answer is sent again, with the
  header `Idempotent-Replayed: true`, and the view does not run.
* Same key with another path or body: 422 `idempotency_key_reused` (the house error body).
* Two requests with one key at once: on PostgreSQL the second one's insert waits for the first
  transaction; when that commits the second replays its answer, when it rolls back the second
  does the work. Either way the work is done once.
* Only answers below 400 are stored. An error (a refused transition, invalid input, a denial, a
  server error) rolls the transaction back, key included: nothing happened, so there is nothing to
  remember, and the client may send the corrected request again with the same key. A stored key
  therefore always means committed work.
* A key is kept 24 hours; an older row is replaced by the next request that uses the key.
* Without the header the view runs as usual.

Use `@idempotent` under `@action` (or on `create`/`post`), and document it with
`IDEMPOTENCY_PARAMETERS` and `IDEMPOTENCY_ERRORS` in `extend_schema`.
"""

import datetime
import hashlib
import json
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal.core.api.errors import ErrorSerializer
from portal.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 200
KEY_LIFETIME = datetime.timedelta(hours=24)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was already used for another request; use a new key for a new "
        "request."
    )


class IdempotencyKeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"
    default_detail = _(
        "A request with this Idempotency-Key is still being processed; try again in a moment."
    )


IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(
        HEADER,
        {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": "^[ -~]+$"},
        OpenApiParameter.HEADER,
        required=False,
        description=(
            "Optional; up to 200 printable ASCII characters, unique per request (a UUID). A retry "
            "with the same key, path and body within 24 hours gets the first answer again, "
            "marked `Idempotent-Replayed: true`, and the work is done only once. The same key "
            "with another path or body answers 422 `idempotency_key_reused`. Only successful "
            "answers are kept: after an error the same key may be sent again."
        ),
    ),
    OpenApiParameter(
        REPLAYED_HEADER,
        str,
        OpenApiParameter.HEADER,
        enum=["true"],
        response=[200, 201],
        description="Present when the answer is the stored answer to an earlier request.",
    ),
]

IDEMPOTENCY_ERRORS = {
    409: OpenApiResponse(
        ErrorSerializer, description="`idempotency_key_in_use`: the key is being used right now."
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="`idempotency_key_reused`: the key was used for another path or body.",
    ),
}


def _check_key(key: str) -> None:
    if not 1 <= len(key) <= KEY_MAX_LENGTH or not all(" " <= c <= "~" for c in key):
        raise exceptions.ValidationError(
            {HEADER: [_("An Idempotency-Key is 1 to 200 printable ASCII characters.")]}
        )


def _multipart_digest(request) -> str:
    """The body of a form already parsed (the CSRF check reads it): fields and file contents."""
    digest = hashlib.sha256()
    data = request.data
    for name in sorted(data):
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        for value in values:
            digest.update(name.encode() + b"\0")
            if hasattr(value, "chunks"):
                for chunk in value.chunks():
                    digest.update(chunk)
                value.seek(0)
            else:
                digest.update(str(value).encode())
            digest.update(b"\0")
    return digest.hexdigest()


def request_digest(request) -> str:
    """SHA-256 of the body. A JSON body is read as JSON first, so key order and spacing do not
    make two sends of the same data differ."""
    try:
        body = request.body
    except RawPostDataException:
        return _multipart_digest(request)
    if "json" in (request.content_type or "") and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            pass
        else:
            body = json.dumps(
                parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
    return hashlib.sha256(body).hexdigest()


def _replay(earlier: IdempotencyKey) -> Response:
    return Response(
        json.loads(earlier.response_body) if earlier.response_body else None,
        status=earlier.response_status,
        headers={REPLAYED_HEADER: "true"},
    )


def _claim(user, key: str, method: str, path: str, digest: str):
    """Insert the key's row, or return the answer stored under it. Inside the caller's
    transaction: the row commits (or rolls back) with the work."""
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - KEY_LIFETIME
    ).delete()
    try:
        with transaction.atomic():
            claimed = IdempotencyKey.objects.create(
                user=user, key=key, method=method, path=path, request_hash=digest
            )
        return claimed, None
    except IntegrityError:
        # Committed by another request meanwhile (on PostgreSQL the insert waited for it).
        pass
    earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
    if earlier is None or earlier.response_status is None:
        raise IdempotencyKeyInUse()
    if (earlier.method, earlier.path, earlier.request_hash) != (method, path, digest):
        raise IdempotencyKeyReused()
    return None, _replay(earlier)


def _rendered(response) -> str:
    if isinstance(response, Response):
        return JSONRenderer().render(response.data).decode() if response.data is not None else ""
    if getattr(response, "streaming", False):
        raise ImproperlyConfigured("An idempotent view cannot answer with a streaming response.")
    return response.content.decode()


def idempotent(view_method):
    """Make a DRF view method (an `@action`, `create`, `post`) honour `Idempotency-Key`."""

    @wraps(view_method)
    def wrapped(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        user = request.user
        if key is None or not getattr(user, "is_authenticated", False) or user.pk is None:
            return view_method(view, request, *args, **kwargs)
        _check_key(key)
        method, path, digest = request.method, request.get_full_path(), request_digest(request)
        with transaction.atomic():
            claimed, replay = _claim(user, key, method, path, digest)
            if replay is not None:
                return replay
            response = view_method(view, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            claimed.response_status = response.status_code
            claimed.response_body = _rendered(response)
            claimed.save(update_fields=["response_status", "response_body"])
        return response

    return wrapped


__all__ = [
    "HEADER",
    "IDEMPOTENCY_ERRORS",
    "IDEMPOTENCY_PARAMETERS",
    "KEY_LIFETIME",
    "REPLAYED_HEADER",
    "IdempotencyKeyInUse",
    "IdempotencyKeyReused",
    "idempotent",
    "request_digest",
]
