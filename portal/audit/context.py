"""Where a change comes from: the request's client address and id, kept for the audit log.

Services receive the actor explicitly; the origin of the call is ambient, so the middleware puts it in
a context variable that the audit helper reads. Outside a request (Celery tasks, commands) it is empty.
"""

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    request_id: str
    path: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "portal_request_context", default=None
)


def current_request_context() -> RequestContext | None:
    return _current.get()


def client_ip(request) -> str | None:
    """The client address, trusting X-Forwarded-For only for the configured number of proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def enter(request) -> contextvars.Token:
    request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
    return _current.set(
        RequestContext(ip=client_ip(request), request_id=request_id, path=request.path)
    )


def leave(token: contextvars.Token) -> None:
    _current.reset(token)
