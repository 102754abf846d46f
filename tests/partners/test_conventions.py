"""Conventions that hold across the whole API: ETag and If-None-Match on every detail resource,
Idempotency-Key on every POST, and a documented scope (or an explicit refusal) for partner tokens."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from portal.core.api.conditional import ConditionalRetrieveMixin
from tests.partners.factories import bearer, issue, partner_application

# Viewsets whose detail answers carry an ETag of their own meaning (a version for If-Match).
OWN_ETAG = {"ShortlistViewSet"}


def api_viewsets():
    """(class, actions by method) of every viewset route under /api/v1/."""
    found = {}

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None)
                if cls is not None and actions:
                    found.setdefault(cls, {}).update(actions)

    walk(get_resolver("portal.api_urls").url_patterns)
    return found


def test_every_detail_resource_is_conditional():
    missing = [
        cls.__name__
        for cls, actions in api_viewsets().items()
        if "retrieve" in actions.values()
        and not issubclass(cls, ConditionalRetrieveMixin)
        and cls.__name__ not in OWN_ETAG
    ]
    assert missing == []


def test_every_post_documents_the_idempotency_key(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    posts = [
        (path, operations["post"])
        for path, operations in schema["paths"].items()
        if "post" in operations
    ]
    assert posts
    for path, operation in posts:
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in names, path
        assert {"409", "422"} <= set(operation["responses"]), path


def test_the_schema_documents_the_bearer_scheme_and_each_operations_scope(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["partnerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "`metrics:write`" in scheme["description"]
    metrics = schema["paths"]["/api/v1/metrics/"]
    assert metrics["post"]["x-partner-scope"] == "metrics:write"
    assert metrics["get"]["x-partner-scope"] == "metrics:read"
    assert {"partnerToken": []} in metrics["post"]["security"]
    assert "429" in metrics["post"]["responses"]
    audit = schema["paths"]["/api/v1/audit-entries/"]["get"]
    assert "x-partner-scope" not in audit
    assert all("partnerToken" not in requirement for requirement in audit["security"])
    detail = schema["paths"]["/api/v1/organizations/{id}/"]["get"]
    assert "If-None-Match" in {p["name"] for p in detail["parameters"]}
    assert "304" in detail["responses"] and "ETag" in detail["responses"]["200"]["headers"]


# --- ETag and If-None-Match --------------------------------------------------------------------


def test_a_detail_answers_with_an_etag_and_304_while_it_is_unchanged(
    client, operator, organization
):
    client.force_login(operator)
    url = f"/api/v1/organizations/{organization.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Authorization" in first["Vary"]

    same = client.get(url, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == etag
    # Weak comparison; a list of tags; any tag.
    strong = etag.removeprefix("W/")
    assert client.get(url, headers={"If-None-Match": strong}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

    type(organization).objects.filter(pk=organization.pk).update(declared_roster_size=80)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["declared_roster_size"] == 80


def test_the_same_object_has_another_etag_for_a_caller_who_sees_it_differently(
    client, operator, rewards_cycle, owner
):
    """A cycle shows its reward list only to whom may see it: operators always."""
    url = f"/api/v1/cycles/{rewards_cycle.pk}/"
    client.force_login(operator)
    as_operator = client.get(url)
    client.force_login(owner)
    as_owner = client.get(url, headers={"If-None-Match": as_operator["ETag"]})
    assert as_owner.status_code == 200
    assert as_owner["ETag"] != as_operator["ETag"]


@pytest.fixture
def rewards_cycle(operator, organization, beauty):
    from incentives.models import ProgramStatus
    from incentives.services import program_set_status, settlement_compute
    from tests.incentives.test_computation import setup_cycle

    cycle, _version = setup_cycle(operator, organization, beauty)
    program_set_status(actor=operator, program=cycle.program, status=ProgramStatus.ACTIVE)
    settlement_compute(actor=operator, cycle=cycle)  # a draft list: operators only
    return cycle


def test_lists_and_errors_carry_no_etag(client, operator):
    client.force_login(operator)
    assert "ETag" not in client.get("/api/v1/organizations/")
    assert "ETag" not in client.get("/api/v1/organizations/999999/")


def test_conditional_requests_work_with_a_token(client, operator, organization):
    raw = issue(operator, partner_application(operator))
    url = f"/api/v1/organizations/{organization.pk}/"
    etag = client.get(url, headers=bearer(raw))["ETag"]
    assert client.get(url, headers={**bearer(raw), "If-None-Match": etag}).status_code == 304
