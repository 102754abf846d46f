"""Typed exceptions carrying the portal's error body: `{"code", "message", "errors"}`."""

from __future__ import annotations


class PortalError(Exception):
    """Base class of every error this client raises."""


class ApiError(PortalError):
    """The API answered with an error status; `code` is stable and machine-readable
    (`invalid`, `insufficient_scope`, `not_found`, `idempotency_key_reused`, ...)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: dict[str, list[str]] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors: dict[str, list[str]] = errors or {}
        self.headers: dict[str, str] = headers or {}


class RateLimited(ApiError):
    """429 `rate_limited`: wait `retry_after` seconds before the next request."""

    def __init__(
        self,
        retry_after: int,
        message: str = "Too many requests.",
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(429, "rate_limited", message, headers=headers)
        self.retry_after = retry_after


class NotModified(PortalError):
    """304: the copy named by the ETag sent in `If-None-Match` is still current."""

    def __init__(self, etag: str | None) -> None:
        super().__init__(f"not modified ({etag})")
        self.etag = etag


class TransportError(PortalError):
    """The API could not be reached (connection refused, timeout) after every retry."""
