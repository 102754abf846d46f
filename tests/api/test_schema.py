"""The OpenAPI schema is complete: every route of the API is in it, every operation has a summary,
documents the errors that apply with the house error body, and names how a partner token may use
it (the security scheme and the scope)."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from partners.scopes import SCOPE_NAMES

ERROR = "#/components/schemas/Error"
SAFE = {"get", "head", "options"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def api_routes():
    """(path template, methods) of every route under /api/v1/, from the URL resolver."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns, ""):
        if not route.startswith("api/v1/") or "format" in route:
            continue
        initkwargs = getattr(callback, "actions", None)
        if route in ("api/v1/", "api/v1/^$"):
            continue  # the router's root view
        methods = set(initkwargs) if initkwargs else {"get"}
        yield route, methods


def to_template(route: str) -> str:
    """`api/v1/^organizations/(?P<pk>[^/.]+)/$` → `/api/v1/organizations/{id}/`."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<([a-z_]+)>[^)]*\)", lambda m: "{" + m.group(1) + "}", path)
    return "/" + path.replace("{pk}", "{id}")


def test_every_route_of_the_api_is_in_the_schema(schema):
    routes = list(api_routes())
    assert len(routes) > 20
    for route, methods in routes:
        template = to_template(route)
        if template == "/api/v1/":
            continue
        assert template in schema["paths"], f"{template} is missing from the schema"
        documented = set(schema["paths"][template])
        assert methods - {"head", "options"} <= documented, (template, methods, documented)


def test_every_operation_has_a_summary_and_an_operation_id(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        assert operation.get("operationId")


def test_every_operation_documents_the_errors_that_apply(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"401", "403"}
        if "{" in path or any(p["name"] == "cursor" for p in operation.get("parameters", [])):
            expected.add("404")
        if method not in SAFE:
            expected |= {"400", "409", "422"}  # invalid input; Idempotency-Key
        if operation.get("x-partner-scope") or {"partnerToken": []} in operation["security"]:
            expected.add("429")
        assert expected <= set(responses), (method, path, expected - set(responses))
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": ERROR}, (
                    method,
                    path,
                    status,
                )
                assert response["description"], (method, path, status)
        if "429" in responses:
            assert "Retry-After" in responses["429"]["headers"]


def test_the_error_body_is_code_message_errors(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    assert set(error["required"]) == {"code", "message"}


def test_security_schemes_and_a_scope_for_every_operation_tokens_may_use(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["partnerToken"] == {
        **schemes["partnerToken"],
        "type": "http",
        "scheme": "bearer",
    }
    assert schemes["session"]["in"] == "cookie"
    for scope in SCOPE_NAMES:
        assert f"`{scope}`" in schemes["partnerToken"]["description"]
    for path, method, operation in operations(schema):
        security = operation["security"]
        assert {"session": []} in security
        scope = operation.get("x-partner-scope")
        if {"partnerToken": []} in security:
            any_token = "Any partner token may use this operation." in operation["description"]
            assert scope or any_token, (method, path)
            if scope:
                assert re.fullmatch(r"[a-z-]+:(read|write)", scope)
                assert f"`{scope}`" in operation["description"]
                assert scope.endswith(":read") == (method in SAFE)
        else:
            assert scope is None
            assert "Partner tokens cannot use this operation." in operation["description"]


def test_every_scope_an_operator_may_grant_opens_some_operation(schema):
    used = {operation.get("x-partner-scope") for _p, _m, operation in operations(schema)}
    assert set(SCOPE_NAMES) <= used


def test_detail_reads_document_conditional_get(schema):
    organization = schema["paths"]["/api/v1/organizations/{id}/"]["get"]
    assert "ETag" in organization["responses"]["200"]["headers"]
    assert "304" in organization["responses"]
    assert any(p["name"] == "If-None-Match" for p in organization["parameters"])


def test_the_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_docs_link_the_guide(schema):
    assert "/api/guide/" in schema["info"]["description"]
