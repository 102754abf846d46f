"""Schemathesis against the live API schema (issue #8): every operation of /api/schema/ is called
in-process through the WSGI application with generated parameters and bodies, and every answer
must be no server error, have a documented status code, and match the documented schema.

Two callers, on the same small data set (an approved organization with bound creators, their daily
metrics, a published reward list):

* an operator session: every operation, the POSTs included (generated bodies mostly answer 4xx,
  which is fine as long as the 4xx is documented and has the documented error body);
* a partner token holding every scope: every operation a token may use. Operations closed to
  tokens (no `x-partner-scope` in the schema: assignments, coaching, audit log, incubation's own
  views, ...) are excluded from this run only: a token gets 403 there by design, and the operator
  run covers them.

Raised in issue 13 until it found finding 4 (with the code before it, this run answers 500 to
POST /api/v1/metrics/: `orders` 2**63 - 2 into an integer column):

* the operator's session goes as cookies, and generated `Authorization` headers are dropped for
  that run (the WSGI client drops a `Cookie` header: every operator case used to answer 401);
* every integer gets bounds (its own, or a bigint's), so the coverage phase sends each integer
  parameter and field its boundary values;
* generated bodies name an existing creator and every case its own Idempotency-Key, so that
  those values reach the database instead of stopping at "unknown account" or 422.

Examples are bounded and derandomized so that the run is reproducible and takes seconds.
"""

import secrets
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.modes import GenerationMode
from schemathesis.python.wsgi import HOST

from tests.creators.factories import BindingFactory, CreatorFactory
from tests.incentives.test_api import active_cycle, bind_with_metrics, published
from tests.partners.factories import issue, partner_application

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# A creator of the data set: generated bodies name it (see `known_accounts`), so that generated
# figures reach the database instead of stopping at "unknown account".
KNOWN_ACCOUNT = "u100000000042"


@pytest.fixture
def api_data(operator, organization, beauty):
    """Rows for every list the callers may read: the published list of a computed cycle (its
    creator, binding and metrics included) and a few more creators of the organization."""
    cycle = active_cycle(operator, organization, beauty)
    for _ in range(3):
        bind_with_metrics(organization)
    BindingFactory(creator=CreatorFactory(), organization=organization)
    BindingFactory(
        creator=CreatorFactory(platform_account_id=KNOWN_ACCOUNT), organization=organization
    )
    return published(operator, cycle)


def as_session(case):
    """The operator run authenticates with its session: a generated `Authorization` header (the
    phases try the bearer scheme's variants) would be read first and answer 401, and the
    operation itself would never run."""
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
    return case


def fresh_keys(case):
    """A generated Idempotency-Key is one value for every case of an operation: after the first,
    each would answer 422 (the key reused with another body) and its body would never be read.
    Each case gets a key of its own."""
    if case.headers and case.headers.get("Idempotency-Key"):
        case.headers = {**case.headers, "Idempotency-Key": uuid.uuid4().hex}
    return case


def known_accounts(case):
    """Every platform account id in the generated body becomes one that exists."""

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "platform_account_id" and isinstance(value, str):
                    node[key] = KNOWN_ACCOUNT
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(case.body)
    return case


# The widest integer any column holds. Where the schema gives an integer no bound, the run gives
# it this one, so that the coverage phase sends its boundary values (the largest and smallest a
# bigint holds) to every integer parameter and field: an API that forwards an unbounded number to
# a narrower column (issue 13, finding 4: `orders` 2**40 into an integer column) answers 500 to
# them. Where the schema states a bound, the boundary values are the stated ones.
BIGINT = (-(2**63), 2**63 - 1)


def with_integer_bounds(node):
    """`node` (a part of the schema) with a minimum and a maximum on every integer."""
    if isinstance(node, dict):
        node = {key: with_integer_bounds(value) for key, value in node.items()}
        if node.get("type") == "integer":
            node.setdefault("minimum", BIGINT[0])
            node.setdefault("maximum", BIGINT[1])
        return node
    if isinstance(node, list):
        return [with_integer_bounds(item) for item in node]
    return node


def live_schema():
    """The schema as the portal serves it, read once at collection (no database needed), with
    bounds on every integer (see BIGINT)."""
    from django.test import override_settings

    from portal.wsgi import application

    with override_settings(ALLOWED_HOSTS=[HOST]):
        served = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema = schemathesis.openapi.from_dict(with_integer_bounds(served.raw_schema))
    schema.app, schema.location = application, served.location
    # The coverage phase sends valid boundary values only: its invalid variants of every field
    # (wrong types, nulls) took the run from about one minute to three; invalid values are the
    # Hypothesis tests' subject (tests/*/test_*_inputs.py), and the fuzzing phase still mixes some.
    schema.config.phases.coverage.generation.modes = [GenerationMode.POSITIVE]
    return schema


@pytest.fixture(autouse=True)
def _wsgi_host(settings):
    settings.ALLOWED_HOSTS = [HOST]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A WSGI call ends with `close_old_connections`, which would close the database connection
    holding the test's transaction (PostgreSQL then answers "the connection is closed"). Django's
    own test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def operator_session(client, operator, api_data, settings):
    """(headers, cookies) of an operator's session. The cookies go as cookies: the WSGI client
    drops a `Cookie` header, and a run with one was never signed in (every case answered 401)."""
    client.force_login(operator)
    # Session POSTs need the CSRF pair, as the portal's own pages send it.
    csrf = secrets.token_hex(16)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: csrf}
    return {"X-CSRFToken": csrf, "Accept-Language": "en"}, cookies


@pytest.fixture
def partner_headers(operator, api_data):
    from partners.scopes import SCOPE_NAMES

    application = partner_application(operator, scopes=SCOPE_NAMES, rate_limit=100_000)
    return {"Authorization": f"Bearer {issue(operator, application)}", "Accept-Language": "en"}


def closed_to_tokens(ctx) -> bool:
    return "x-partner-scope" not in ctx.operation.definition.raw


SCHEMA = live_schema()
as_operator = SCHEMA
as_partner = SCHEMA.exclude(closed_to_tokens)


@as_operator.parametrize()
@EXAMPLES
def test_operator_session(case, api_data, operator_session):
    headers, cookies = operator_session
    known_accounts(fresh_keys(as_session(case))).call_and_validate(
        headers=headers, cookies=cookies, checks=CHECKS
    )


@as_partner.parametrize()
@EXAMPLES
def test_partner_token(case, api_data, partner_headers):
    known_accounts(fresh_keys(case)).call_and_validate(headers=partner_headers, checks=CHECKS)
