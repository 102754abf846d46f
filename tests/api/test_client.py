"""The typed client in `client/portal_client`: checked against the OpenAPI schema (every operation,
parameter and field it uses is declared there), then run end to end against a live server with a
real partner token, and its example script too."""

import datetime
import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from creators.models import DailyMetric
from portal.accounts import ratelimit
from portal.audit.models import AuditEntry
from tests.creators.factories import BindingFactory
from tests.partners.factories import issue, partner_application

from .conftest import CLIENT

from portal_client import (  # isort: skip  (on sys.path through conftest)
    ENDPOINTS,
    ApiError,
    MetricRow,
    NotModified,
    PortalClient,
    RateLimited,
    sign,
    verify_webhook,
)
from portal_client import client as client_module  # isort: skip
from portal_client import types as client_types  # isort: skip

PARTNER_SCOPES = [
    "organizations:read",
    "creators:read",
    "metrics:write",
    "reward-lists:read",
    "shortlist:read",
]


# --- the client against the schema --------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def operation_for(schema, method: str, path: str):
    """The schema's operation for a concrete request path (`/api/v1/organizations/7/`)."""
    for template, operations in schema["paths"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", template)
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    return None, None


def typed_keys(typed_dict) -> set[str]:
    return set(typed_dict.__required_keys__) | set(typed_dict.__optional_keys__)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_every_operation_of_the_client_is_in_the_schema(schema, endpoint):
    operation = schema["paths"].get(endpoint.path, {}).get(endpoint.method.lower())
    assert operation is not None, f"{endpoint.method} {endpoint.path} is not in the schema"
    parameters = operation.get("parameters", [])
    query = {p["name"] for p in parameters if p["in"] == "query"}
    assert endpoint.query <= query, f"undeclared query parameters {endpoint.query - query}"
    path_params = {p["name"] for p in parameters if p["in"] == "path"}
    assert path_params == set(re.findall(r"\{([^}]+)\}", endpoint.path))
    if endpoint.body:
        body = resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])
        assert endpoint.body <= set(body["properties"])


def test_metric_rows_are_what_the_schema_declares(schema):
    operation = schema["paths"]["/api/v1/metrics/"]["post"]
    batch = resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    row = resolve(schema, batch["properties"]["rows"]["items"])
    assert typed_keys(MetricRow) == set(row["properties"])
    assert set(MetricRow.__required_keys__) == set(row["required"])
    result = resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert typed_keys(client_types.MetricBatchResult) == set(result["properties"])


@pytest.mark.parametrize(
    ("typed_dict", "path"),
    [
        (client_types.Me, "/api/v1/me/"),
        (client_types.Organization, "/api/v1/organizations/{id}/"),
        (client_types.Creator, "/api/v1/creators/{id}/"),
        (client_types.RewardList, "/api/v1/reward-lists/{id}/"),
        (client_types.RewardLine, "/api/v1/statements/{id}/"),
        (client_types.Shortlist, "/api/v1/shortlist/{year}/"),
    ],
)
def test_the_answer_types_name_only_fields_of_the_schema(schema, typed_dict, path):
    answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    properties = set(resolve(schema, answer["schema"])["properties"])
    assert typed_keys(typed_dict) <= properties


# --- end to end against a live server -----------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """Every request the client sends: (method, url, body, headers)."""
    requests = []
    original = PortalClient._once

    def recording(self, method, url, body, headers):
        requests.append((method, url, body, dict(headers)))
        return original(self, method, url, body, headers)

    monkeypatch.setattr(PortalClient, "_once", recording)
    return requests


@pytest.fixture
def token(operator):
    return issue(operator, partner_application(operator, scopes=PARTNER_SCOPES))


@pytest.fixture
def portal(live_server, token):
    return PortalClient(
        live_server.url, token, timeout=10, language="en", sleep=lambda seconds: None
    )


@pytest.fixture
def published(operator, organization, beauty):
    from incentives.models import ProgramStatus
    from incentives.services import (
        program_set_status,
        settlement_approve,
        settlement_compute,
        settlement_publish,
        settlement_submit,
    )
    from tests.incentives.test_computation import setup_cycle

    cycle, _version = setup_cycle(operator, organization, beauty)
    program_set_status(actor=operator, program=cycle.program, status=ProgramStatus.ACTIVE)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)


def yesterday() -> str:
    return str(timezone.localdate() - datetime.timedelta(days=1))


def test_every_request_sent_is_an_operation_of_the_schema(schema, portal, sent, published):
    portal.me()
    list(portal.list_organizations(page_size=1))
    list(portal.list_creators(page_size=1))
    list(portal.list_reward_lines(published.pk, page_size=2))
    assert sent
    for method, url, _body, _headers in sent:
        path = url.split("//", 1)[1].split("/", 1)[1].split("?", 1)[0]
        template, operation = operation_for(schema, method, "/" + path)
        assert operation is not None, f"{method} /{path} is not in the schema"
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        query = re.findall(r"[?&]([^=&]+)=", url)
        assert set(query) <= declared, (template, query)


def test_metrics_pushed_twice_with_one_key_are_written_once(portal, sent, organization):
    creator = BindingFactory(organization=organization).creator
    rows: list[MetricRow] = [
        {
            "platform_account_id": creator.platform_account_id,
            "date": yesterday(),
            "plays": 1200,
            "valid_plays": 900,
            "gmv": "12.50",
        }
    ]
    first = portal.push_metrics(rows, idempotency_key="day-1")
    again = portal.push_metrics(rows, idempotency_key="day-1")
    assert (
        first
        == again
        == {
            "received": 1,
            "written": 1,
            "rejected": 0,
            "creators": 1,
            "source": "api",
            "from": yesterday(),
            "to": yesterday(),
            "errors": {},
        }
    )
    assert AuditEntry.objects.filter(action="metrics.ingest").count() == 1
    assert DailyMetric.objects.get(creator=creator).valid_plays == 900
    # Without a key the client makes one per call.
    portal.push_metrics(rows)
    assert sent[-1][3]["Idempotency-Key"] not in ("", "day-1")
    # The same key for another batch: a typed error with the house body.
    with pytest.raises(ApiError) as refused:
        portal.push_metrics([{**rows[0], "plays": 1300}], idempotency_key="day-1")
    assert (refused.value.status, refused.value.code) == (422, "idempotency_key_reused")


def test_a_lost_answer_is_retried_with_the_same_key_and_written_once(
    portal, sent, organization, monkeypatch
):
    creator = BindingFactory(organization=organization).creator
    original = client_module.PortalClient._once
    calls = []

    def answer_lost_once(self, method, url, body, headers):
        answer = original(self, method, url, body, headers)  # the server did the work ...
        calls.append(answer)
        if len(calls) == 1:  # ... but the first answer never arrives
            raise client_module.TransportError("connection reset")
        return answer

    monkeypatch.setattr(client_module.PortalClient, "_once", answer_lost_once)
    row: MetricRow = {
        "platform_account_id": creator.platform_account_id,
        "date": yesterday(),
        "plays": 5,
        "valid_plays": 5,
    }
    result = portal.push_metrics([row])
    assert result["written"] == 1 and len(calls) == 2
    assert calls[1].headers.get("idempotent-replayed") == "true"
    assert AuditEntry.objects.filter(action="metrics.ingest").count() == 1


def test_invalid_rows_and_missing_scopes_raise_typed_errors(live_server, operator, portal):
    with pytest.raises(ApiError) as invalid:
        portal.push_metrics([])
    assert (invalid.value.status, invalid.value.code) == (400, "invalid")
    assert invalid.value.errors == {"rows": ["This list may not be empty."]}
    future: MetricRow = {
        "platform_account_id": "x",
        "date": "2099-01-01",
        "plays": -1,
        "valid_plays": 1,
    }
    with pytest.raises(ApiError) as nested:
        portal.push_metrics([future])
    assert nested.value.errors == {
        "rows.0.date": ["The date is in the future."],
        "rows.0.plays": ["Ensure this value is greater than or equal to 0."],
    }
    with pytest.raises(ApiError) as missing:
        portal.get_organization(999_999)
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(ApiError) as unknown:
        PortalClient(live_server.url, "ppk_nothing_here").me()
    assert (unknown.value.status, unknown.value.code) == (401, "invalid_token")
    reader = PortalClient(
        live_server.url,
        issue(operator, partner_application(operator, name="reader", scopes=["creators:read"])),
    )
    with pytest.raises(ApiError) as scope:
        list(reader.list_reward_lists())
    assert (scope.value.status, scope.value.code) == (403, "insufficient_scope")
    with pytest.raises(ApiError) as shortlist:
        portal.get_shortlist(1999)
    assert shortlist.value.status == 404


def test_the_published_reward_list_and_its_lines_page_by_page(portal, sent, published):
    lists = list(portal.list_reward_lists())
    assert [item["id"] for item in lists] == [published.pk]
    assert sent[0][1].endswith("status=published")
    lines = list(portal.list_reward_lines(published.pk, page_size=2))
    assert len(lines) == lists[0]["line_count"] > 2
    assert len({line["id"] for line in lines}) == len(lines)
    assert sum(1 for request in sent if "/lines/" in request[1]) > 1  # followed `next`


def test_an_unchanged_resource_raises_not_modified(portal, published, organization):
    first = portal.get_organization(organization.pk)
    assert first.data["id"] == organization.pk and first.etag.startswith('W/"')
    with pytest.raises(NotModified) as unchanged:
        portal.get_organization(organization.pk, etag=first.etag)
    assert unchanged.value.etag == first.etag
    tagged = portal.get_reward_list(published.pk)
    with pytest.raises(NotModified):
        portal.get_reward_list(published.pk, etag=tagged.etag)
    assert portal.get_organization(organization.pk, etag='W/"stale"').data == first.data


def test_rate_limited_waits_retry_after_then_retries(live_server, operator, monkeypatch):
    raw = issue(
        operator, partner_application(operator, name="slow", scopes=PARTNER_SCOPES, rate_limit=2)
    )
    clock = SimpleNamespace(now=1_800_000_000 - 15)  # 15 seconds before a minute boundary
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: clock.now))
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        clock.now += seconds

    impatient = PortalClient(live_server.url, raw, max_retries=0)
    impatient.me()
    impatient.me()
    with pytest.raises(RateLimited) as limited:
        impatient.me()
    assert (limited.value.status, limited.value.code, limited.value.retry_after) == (
        429,
        "rate_limited",
        15,
    )
    patient = PortalClient(live_server.url, raw, sleep=sleep)
    assert patient.me()["role"] == "partner"
    assert waits == [15]


def test_webhook_signatures():
    body = b'{"event": "reward_list.published", "id": 7}'
    now = 1_800_000_000
    headers = {"x-portal-timestamp": str(now), "X-Portal-Signature": sign("whsec", now, body)}
    assert verify_webhook("whsec", headers, body, now=now + 10)
    assert PortalClient.verify_webhook("whsec", headers, body) is False  # too old now
    assert not verify_webhook("other", headers, body, now=now)
    assert not verify_webhook("whsec", headers, body + b" ", now=now)
    assert not verify_webhook("whsec", headers, body, now=now + 301)
    assert not verify_webhook("whsec", {"X-Portal-Timestamp": str(now)}, body, now=now)


# --- the example script -------------------------------------------------------------------------


def load_example():
    path = CLIENT / "examples" / "push_metrics_and_read_rewards.py"
    spec = importlib.util.spec_from_file_location("push_metrics_and_read_rewards", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_pushes_a_day_and_prints_the_latest_published_list(
    live_server, token, organization, published, monkeypatch, capsys, tmp_path
):
    creator = BindingFactory(organization=organization).creator
    monkeypatch.setenv("PORTAL_TOKEN", token)
    example = load_example()
    argv = ["--base-url", live_server.url, "--date", yesterday(), "--lines", "3"]
    assert example.main([*argv, f"{creator.platform_account_id}:1500:1200", "nobody:1:1"]) == 0
    out = capsys.readouterr().out
    assert "received 2, written 1, rejected 1" in out
    assert "row 1 (nobody)" in out
    assert f"reward list {published.pk} (cycle 1" in out
    assert f"cash {published.cash_total}" in out
    assert (
        len([line for line in out.splitlines() if line.startswith("  ") and "row" not in line]) == 3
    )
    assert DailyMetric.objects.get(creator=creator).plays == 1500

    day = Path(tmp_path / "day.csv")
    day.write_text(
        f"platform_account_id,plays,valid_plays,gmv\n{creator.platform_account_id},1600,1300,9.90\n"
    )
    assert example.main([*argv, "--csv", str(day)]) == 0
    assert "received 1, written 1" in capsys.readouterr().out
    assert DailyMetric.objects.get(creator=creator).plays == 1600

    monkeypatch.setenv("PORTAL_TOKEN", "ppk_not_a_token")
    assert example.main([*argv, "x:1:1"]) == 1
    assert "401 invalid_token" in capsys.readouterr().err
