"""`PortalClient`: the partner operations of the portal's REST API (v1), stdlib only.

Every request sends `Authorization: Bearer <token>`. Errors raise `ApiError` (with the house error
body), `RateLimited` on 429 once retries are used up, `NotModified` on 304. GETs and POSTs that
carry an `Idempotency-Key` are retried on connection errors, 5xx, 409 `idempotency_key_in_use`
and 429 (after `Retry-After`), always with the same key, so the work is done once.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from .errors import ApiError, NotModified, RateLimited, TransportError
from .types import (
    Creator,
    Me,
    MetricBatchResult,
    MetricRow,
    Organization,
    RewardLine,
    RewardList,
    Shortlist,
    Tagged,
)
from .webhooks import verify_webhook as _verify_webhook

QueryValue = str | int | bool
Query = Mapping[str, QueryValue | Sequence[QueryValue]]


@dataclass(frozen=True)
class Endpoint:
    """One operation of the API as the OpenAPI schema names it: the method, the path template
    and the query parameters and body fields this client may send (checked against the schema
    by the tests)."""

    method: str
    path: str
    query: frozenset[str] = field(default_factory=frozenset)
    body: frozenset[str] = field(default_factory=frozenset)

    def url_path(self, **params: object) -> str:
        path = self.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        return path


PAGING = frozenset({"cursor", "page_size"})
ME = Endpoint("GET", "/api/v1/me/")
ORGANIZATIONS = Endpoint(
    "GET",
    "/api/v1/organizations/",
    PAGING | {"status", "category", "created_after", "created_before", "q"},
)
ORGANIZATION = Endpoint("GET", "/api/v1/organizations/{id}/")
CREATORS = Endpoint("GET", "/api/v1/creators/", PAGING | {"q", "category", "stage", "organization"})
METRICS_PUSH = Endpoint("POST", "/api/v1/metrics/", body=frozenset({"rows"}))
REWARD_LISTS = Endpoint("GET", "/api/v1/reward-lists/", PAGING | {"status", "program", "cycle"})
REWARD_LIST = Endpoint("GET", "/api/v1/reward-lists/{id}/")
REWARD_LINES = Endpoint(
    "GET",
    "/api/v1/reward-lists/{reward_list_pk}/lines/",
    PAGING | {"kind", "pool", "organization", "creator"},
)
SHORTLIST = Endpoint("GET", "/api/v1/shortlist/{year}/")
ENDPOINTS = (
    ME,
    ORGANIZATIONS,
    ORGANIZATION,
    CREATORS,
    METRICS_PUSH,
    REWARD_LISTS,
    REWARD_LIST,
    REWARD_LINES,
    SHORTLIST,
)

RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: Any


class PortalClient:
    """A partner application's client of the portal API.

    `max_retries` bounds the retries of one call; `max_wait` the seconds it will sleep for one
    `Retry-After` (a longer wait raises `RateLimited` at once); `language` (`"en"`) is sent as
    `Accept-Language`, for error messages in that language (the portal's default is Simplified
    Chinese); `sleep` is `time.sleep` unless a caller (a test, a scheduler) wants another.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_wait: float = 120.0,
        backoff: float = 0.5,
        user_agent: str = "portal-client/1.0",
        language: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("base_url must be an http:// or https:// URL")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.user_agent = user_agent
        self.language = language
        self.sleep = sleep

    # --- operations -----------------------------------------------------------------------------

    def me(self) -> Me:
        """The application's service account (any valid token may ask)."""
        return cast(Me, self._call(ME).body)

    def list_organizations(
        self, *, page_size: int | None = None, **filters: QueryValue | Sequence[QueryValue]
    ) -> Iterator[Organization]:
        """Every organization the token may see, all pages (`organizations:read`). Filters:
        `status`, `category`, `created_after`, `created_before`, `q`."""
        return cast(Iterator[Organization], self._paginate(ORGANIZATIONS, page_size, filters))

    def get_organization(
        self, organization_id: int, etag: str | None = None
    ) -> Tagged[Organization]:
        """One organization with its `ETag`. With `etag` (from an earlier answer), raises
        `NotModified` when the organization has not changed since."""
        answer = self._call(ORGANIZATION, {"id": organization_id}, etag=etag)
        return Tagged(cast(Organization, answer.body), answer.headers.get("etag"))

    def list_creators(
        self, *, page_size: int | None = None, **filters: QueryValue | Sequence[QueryValue]
    ) -> Iterator[Creator]:
        """Every creator the token may see, all pages (`creators:read`). Filters: `q`,
        `category`, `stage`, `organization`."""
        return cast(Iterator[Creator], self._paginate(CREATORS, page_size, filters))

    def push_metrics(
        self, rows: Sequence[MetricRow], idempotency_key: str | None = None
    ) -> MetricBatchResult:
        """Send daily metrics (up to 5,000 rows; `metrics:write`). A day sent again replaces the
        earlier figures. The call carries an `Idempotency-Key` (a new UUID unless given) that
        every retry repeats, so a batch is written once however often it is sent."""
        key = idempotency_key or str(uuid.uuid4())
        answer = self._call(METRICS_PUSH, body={"rows": list(rows)}, idempotency_key=key)
        return cast(MetricBatchResult, answer.body)

    def list_reward_lists(
        self, published: bool = True, *, page_size: int | None = None, **filters: QueryValue
    ) -> Iterator[RewardList]:
        """Reward lists, newest first (`reward-lists:read`); only published ones by default
        (partners see no others). Filters: `program`, `cycle`."""
        query: dict[str, QueryValue | Sequence[QueryValue]] = dict(filters)
        if published:
            query["status"] = "published"
        return cast(Iterator[RewardList], self._paginate(REWARD_LISTS, page_size, query))

    def get_reward_list(self, reward_list_id: int, etag: str | None = None) -> Tagged[RewardList]:
        answer = self._call(REWARD_LIST, {"id": reward_list_id}, etag=etag)
        return Tagged(cast(RewardList, answer.body), answer.headers.get("etag"))

    def list_reward_lines(
        self, reward_list_id: int, *, page_size: int | None = None, **filters: QueryValue
    ) -> Iterator[RewardLine]:
        """The lines of one reward list the token may see. Filters: `kind`, `pool`,
        `organization`, `creator`."""
        return cast(
            Iterator[RewardLine],
            self._paginate(REWARD_LINES, page_size, filters, {"reward_list_pk": reward_list_id}),
        )

    def get_shortlist(self, year: int) -> Tagged[Shortlist]:
        """A published top-100 shortlist with its rows (`shortlist:read`)."""
        answer = self._call(SHORTLIST, {"year": year})
        return Tagged(cast(Shortlist, answer.body), answer.headers.get("etag"))

    @staticmethod
    def verify_webhook(
        secret: str | bytes, headers: Mapping[str, str], body: bytes, *, tolerance: int = 300
    ) -> bool:
        """True when a webhook delivery is authentic and recent (see `portal_client.webhooks`)."""
        return _verify_webhook(secret, headers, body, tolerance=tolerance)

    # --- plumbing -------------------------------------------------------------------------------

    def _paginate(
        self,
        endpoint: Endpoint,
        page_size: int | None,
        filters: Mapping[str, QueryValue | Sequence[QueryValue]],
        path_params: Mapping[str, object] | None = None,
    ) -> Iterator[dict[str, Any]]:
        query: dict[str, QueryValue | Sequence[QueryValue]] = dict(filters)
        if page_size is not None:
            query["page_size"] = page_size
        answer = self._call(endpoint, path_params, query)
        while True:
            yield from answer.body["results"]
            next_url = answer.body.get("next")
            if not next_url:
                return
            answer = self._send(endpoint.method, next_url)

    def _call(
        self,
        endpoint: Endpoint,
        path_params: Mapping[str, object] | None = None,
        query: Query | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        etag: str | None = None,
        idempotency_key: str | None = None,
    ) -> _Answer:
        query = {k: v for k, v in (query or {}).items() if v is not None}
        unknown = set(query) - endpoint.query
        if unknown:
            raise ValueError(f"{endpoint.path} takes no parameter {sorted(unknown)}")
        if body is not None and set(body) - endpoint.body:
            raise ValueError(f"{endpoint.path} takes no field {sorted(set(body) - endpoint.body)}")
        url = self.base_url + endpoint.url_path(**(path_params or {}))
        if query:
            url += "?" + urllib.parse.urlencode(_flatten(query), doseq=True)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._send(endpoint.method, url, body, headers)

    def _send(
        self,
        method: str,
        url: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> _Answer:
        """One call, retried when that is safe: a GET, or a POST with an Idempotency-Key."""
        retryable = method == "GET" or bool(headers and "Idempotency-Key" in headers)
        attempt = 0
        while True:
            try:
                return self._once(method, url, body, headers or {})
            except RateLimited as limited:
                if (
                    not retryable
                    or attempt >= self.max_retries
                    or limited.retry_after > self.max_wait
                ):
                    raise
                self.sleep(max(limited.retry_after, 0))
            except ApiError as error:
                in_use = error.status == 409 and error.code == "idempotency_key_in_use"
                if (
                    not retryable
                    or attempt >= self.max_retries
                    or not (error.status in RETRY_STATUSES or in_use)
                ):
                    raise
                self.sleep(self.backoff * 2**attempt)
            except TransportError:
                if not retryable or attempt >= self.max_retries:
                    raise
                self.sleep(self.backoff * 2**attempt)
            attempt += 1

    def _once(
        self, method: str, url: str, body: Mapping[str, Any] | None, headers: Mapping[str, str]
    ) -> _Answer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http(s) only)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", self.user_agent)
        if self.language:
            request.add_header("Accept-Language", self.language)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _Answer(response.status, _headers(response.headers), _json(response.read()))
        except urllib.error.HTTPError as error:
            status, answer_headers = error.code, _headers(error.headers)
            raw = error.read()
            error.close()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise TransportError(f"{method} {url}: {error}") from error
        if status == 304:
            raise NotModified(answer_headers.get("etag"))
        payload = _json(raw)
        if not isinstance(payload, dict):
            payload = {}
        code = str(payload.get("code") or "error")
        message = str(payload.get("message") or f"HTTP {status}")
        if status == 429:
            retry_after = answer_headers.get("retry-after", "1")
            raise RateLimited(
                int(retry_after) if retry_after.isdigit() else 1, message, headers=answer_headers
            )
        raise ApiError(status, code, message, payload.get("errors"), headers=answer_headers)


def _headers(message: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in message.items()} if message else {}


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _flatten(query: Query) -> list[tuple[str, str]]:
    pairs = []
    for name, value in query.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            pairs.append((name, str(item).lower() if isinstance(item, bool) else str(item)))
    return pairs
