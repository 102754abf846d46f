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

Examples are bounded and derandomized so that the run is reproducible and takes seconds.
"""

import secrets

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
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


@pytest.fixture
def api_data(operator, organization, beauty):
    """Rows for every list the callers may read: the published list of a computed cycle (its
    creator, binding and metrics included) and a few more creators of the organization."""
    cycle = active_cycle(operator, organization, beauty)
    for _ in range(3):
        bind_with_metrics(organization)
    BindingFactory(creator=CreatorFactory(), organization=organization)
    return published(operator, cycle)


def live_schema():
    """The schema as the portal serves it, read once at collection (no database needed)."""
    from django.test import override_settings

    from portal.wsgi import application

    with override_settings(ALLOWED_HOSTS=[HOST]):
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


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
def operator_headers(client, operator, api_data, settings):
    client.force_login(operator)
    # Session POSTs need the CSRF pair, as the portal's own pages send it.
    csrf = secrets.token_hex(16)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
        "Accept-Language": "en",
    }


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
def test_operator_session(case, api_data, operator_headers):
    case.call_and_validate(headers=operator_headers, checks=CHECKS)


@as_partner.parametrize()
@EXAMPLES
def test_partner_token(case, api_data, partner_headers):
    case.call_and_validate(headers=partner_headers, checks=CHECKS)
