"""`Authorization: Bearer <token>` for partner applications.

A token is checked completely here, before the view runs, in this order:

1. known, not revoked, not expired, its account active — otherwise 401 `invalid_token`;
2. sent from an allowed address (when the application lists IP ranges) — otherwise 403
   `ip_not_allowed`;
3. within the application's requests per minute, counted per token with an atomic counter in the
   shared cache (Redis in production) — otherwise 429 `rate_limited` with `Retry-After`;
4. allowed by the endpoint: a read-only token refuses every unsafe method (403 `read_only_token`)
   and the token's application must hold the scope the endpoint needs (403 `insufficient_scope`,
   naming the scope; see `portal.core.api.scopes`).

Checking here rather than in each view's permission classes means no API view can forget it: a view
that names no scope refuses tokens. Each process remembers live tokens between requests
(`partners.token_cache`) and learns in the rate limit's round trip whether any token, application
or partner account changed since, reading it again if so: a revocation takes effect at the next
request. The time of last use is written at most once a minute per token.

The request then runs as the application's service account, so services authorize it with the
usual rules and the audit log names it.
"""

import datetime
import logging

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from portal.accounts import ratelimit
from portal.audit.context import client_ip
from portal.core.api.scopes import ANY_SCOPE, required_scope

from . import token_cache, tokens
from .scopes import SCOPES

security_log = logging.getLogger("portal.security")

KEYWORD = "Bearer"
LAST_USED_EVERY = datetime.timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"
    default_detail = _("The token is not valid.")

    def __init__(self, detail=None, *, token=None):
        super().__init__(detail)
        self.token = token  # for the security log, when the token is known


class AddressNotAllowed(exceptions.PermissionDenied):
    default_code = "ip_not_allowed"
    default_detail = _("This token may not be used from your address.")


class ReadOnlyToken(exceptions.PermissionDenied):
    default_code = "read_only_token"
    default_detail = _("This token is read-only.")


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"

    def __init__(self, scope: str | None):
        if scope is None:
            detail = _("Partner tokens cannot use this endpoint.")
        else:
            detail = _("This token needs the scope %(scope)s.") % {"scope": scope}
        super().__init__(detail)
        # RFC 6750: the missing scope in the challenge too.
        if scope:
            self.auth_header = f'{KEYWORD} realm="api", error="insufficient_scope", scope="{scope}"'


class RateLimited(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"

    def __init__(self, wait: int):
        self.wait = wait  # DRF's handler sends it as Retry-After
        super().__init__(
            _("Too many requests with this token. Try again in %(seconds)d seconds.")
            % {"seconds": wait}
        )


def find_token(raw: str):
    """The token row for `raw`, or None. The digest is compared in constant time."""
    from .models import PartnerToken

    prefix = tokens.prefix_of(raw)
    if prefix is None:
        return None
    token = (
        PartnerToken.objects.select_related("application__account").filter(prefix=prefix).first()
    )
    if token is None or not tokens.matches(raw, token.digest):
        return None
    return token


def _touch(token, now) -> None:
    """Record the time of use, at most once a minute per token (one `add` in the cache decides
    which request writes)."""
    from .models import PartnerToken

    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    try:
        first = cache.add(
            f"partners:used:{token.pk}", 1, timeout=int(LAST_USED_EVERY.total_seconds())
        )
    except ratelimit.CACHE_UNREACHABLE:
        return  # recorded again once the shared cache is back; the request goes on
    if first:
        PartnerToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token_cache.note_used(token.prefix, now)  # written, or being written by another request


def check_request(token, request, view) -> None:
    """Refuse what this token may not do on this endpoint (steps 2 to 4 of the module's doc)."""
    _check_address(token.application, request)
    verdict = ratelimit.hit(
        f"partner-token:{token.pk}", limit=token.application.rate_limit, window=RATE_WINDOW_SECONDS
    )
    _check_verdict(verdict, token.application, request, view)


def _check_address(application, request) -> None:
    if not application.allows_address(client_ip(request)):
        raise AddressNotAllowed()


def _check_verdict(verdict, application, request, view) -> None:
    if verdict.count > application.rate_limit:
        raise RateLimited(wait=verdict.retry_after)
    if application.read_only and request.method not in SAFE_METHODS:
        raise ReadOnlyToken()
    scope = required_scope(view, request.method) if view is not None else None
    if scope is None or (scope != ANY_SCOPE and not application.has_scope(scope)):
        raise InsufficientScope(scope)


def _raw_token(header: list[bytes]) -> str:
    if len(header) != 2:
        raise InvalidToken(_("Send the token as: Authorization: Bearer <token>."))
    try:
        return header[1].decode("ascii")
    except UnicodeDecodeError as error:
        raise InvalidToken() from error


def _stored_token(raw: str):
    """The token from the database, remembered under the generation read before it (a change
    committed after that read bumps past it)."""
    read = token_cache.generation() if token_cache.enabled() else None
    token = find_token(raw)
    if token is not None and read is not None:
        token_cache.remember(token, read)
    return token


def _remembered_token(raw: str, prefix: str | None, request, view):
    """The token as this process remembers it, checked completely, if nothing changed since it
    was read; None otherwise (read it from the database). The generation comes back with the
    rate limit's count: one round trip to the shared cache, none to the database. A token the
    remembered rows would refuse before counting is read again rather than refused, so that a
    change lifting a refusal is seen at once too."""
    remembered = token_cache.recall(prefix) if prefix else None
    if remembered is None or not tokens.matches(raw, remembered[1].digest):
        return None, None
    generation, token = remembered
    try:
        _live_token(token)
        _check_address(token.application, request)
    except exceptions.APIException:
        token_cache.forget(prefix)
        return None, None
    verdict = ratelimit.hit(
        f"partner-token:{token.pk}",
        limit=token.application.rate_limit,
        window=RATE_WINDOW_SECONDS,
        read=token_cache.GENERATION_KEY,
    )
    if verdict.read is None or verdict.read != generation:
        token_cache.forget(prefix)
        return None, verdict  # this request is counted already
    try:
        _check_verdict(verdict, token.application, request, view)
    except exceptions.APIException as refusal:
        refusal.token = token
        raise
    return token, verdict


def authenticate_token(raw: str, request, view):
    """The live token `raw` names, if it may call `view` now; refusals raise (naming the token
    for the security log)."""
    prefix = tokens.prefix_of(raw)
    token, verdict = _remembered_token(raw, prefix, request, view)
    if token is not None:
        return token
    token = _live_token(_stored_token(raw))
    try:
        if verdict is None:
            check_request(token, request, view)
        else:
            _check_address(token.application, request)
            _check_verdict(verdict, token.application, request, view)
    except exceptions.APIException as refusal:
        refusal.token = token
        raise
    return token


def _live_token(token):
    """`token` if it may be used now (step 1)."""
    if token is None:
        raise InvalidToken()
    if token.revoked_at is not None:
        raise InvalidToken(_("The token was revoked."), token=token)
    ends_at = token.ends_at()
    if ends_at is not None and timezone.now() >= ends_at:
        raise InvalidToken(_("The token has expired."), token=token)
    if not token.application.account.is_active:
        raise InvalidToken(token=token)
    return token


def _log_refusal(refusal: exceptions.APIException, token, request) -> None:
    """Every refused token request goes to the security log (by prefix: never the token)."""
    codes = refusal.get_codes()
    security_log.log(
        logging.INFO if isinstance(refusal, RateLimited) else logging.WARNING,
        "partner token refused: code=%s token=%s application=%s ip=%s path=%s",
        codes if isinstance(codes, str) else "-",
        token.prefix if token is not None else "-",
        token.application_id if token is not None else "-",
        client_ip(request),
        request.path,
    )


class PartnerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        token = None
        try:
            token = authenticate_token(
                _raw_token(header), request._request, request.parser_context.get("view")
            )
        except exceptions.APIException as refusal:
            _log_refusal(refusal, token or getattr(refusal, "token", None), request._request)
            raise
        _touch(token, timezone.now())
        return token.application.account, token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = PartnerTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        with translation.override("en"):
            scopes = "\n".join(f"* `{name}`: {label}" for name, label in SCOPES)
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A partner application's token, issued by an operator on the portal's Partners "
                "page and shown once: `Authorization: Bearer ppk_…`. Each operation names the "
                "scope it needs (`x-partner-scope`); reads need `<resource>:read` and writes "
                "`<resource>:write`. A read-only token is refused every change. A token is "
                "limited in requests per minute (429 with `Retry-After` beyond) and may be "
                "limited to IP ranges (403 `ip_not_allowed`). An unknown, expired or revoked "
                "token answers 401 `invalid_token`; a missing scope 403 `insufficient_scope`.\n\n"
                f"Scopes:\n\n{scopes}"
            ),
        }

    def get_security_requirement(self, auto_schema):
        if required_scope(auto_schema.view, auto_schema.method) is None:
            return None  # closed to tokens
        return {self.name: []}
