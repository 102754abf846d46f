"""Tampered cursors answer 404 "Invalid cursor" on every cursor-paginated list (issue 13,
finding 6), and a fuzz of cursors never reaches a 500. The lists are read from the live schema,
so a new list is covered without touching this file."""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.test_schemathesis import api_data  # noqa: F401 (a fixture)


def cursor_lists() -> list[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    )


LISTS = cursor_lists()


def encoded(querystring: str) -> str:
    return base64.b64encode(querystring.encode("utf-8", "surrogatepass")).decode("ascii")


@pytest.fixture
def lists(client, operator, api_data):  # noqa: F811
    """(client signed in as the operator, the list URLs with their path filled in)."""
    client.force_login(operator)
    return [path.replace("{reward_list_pk}", str(api_data.pk)) for path in LISTS]


def test_the_probes_lists_are_all_covered():
    for name in ("creators", "metrics", "bindings", "statements", "rankings", "audit-entries"):
        assert f"/api/v1/{name}/" in LISTS
    assert "/api/v1/reward-lists/{reward_list_pk}/lines/" in LISTS


@pytest.mark.parametrize(
    "cursor",
    [
        encoded("p=abc&o=1"),
        encoded("p=\x00"),
        encoded("p=99999999999999999999999"),
        encoded("p=1e5"),
        encoded("p=2026-13-45"),
        encoded("o=-1"),
        encoded("r=x"),
        "not base64!",
    ],
)
def test_a_tampered_cursor_is_an_invalid_cursor_on_every_list(lists, client, cursor):
    for url in lists:
        response = client.get(url, {"cursor": cursor}, headers={"Accept-Language": "en"})
        assert response.status_code == 404, (url, response.content)
        assert response.json() == {"code": "not_found", "message": "Invalid cursor"}, url


def test_the_cursors_the_portal_makes_still_work(lists, client):
    for url in lists:
        first = client.get(url, {"page_size": 1})
        assert first.status_code == 200, (url, first.content)
        following = first.json()["next"]
        if following:
            cursor = parse_qs(urlsplit(following).query)["cursor"][0]
            assert client.get(url, {"page_size": 1, "cursor": cursor}).status_code == 200, url


positions = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
    st.datetimes().map(str),
    st.sampled_from(["\x00", "NaN", "Infinity", "1e400", "-0", "٣", "１"]),
)
querystrings = st.builds(
    lambda p, o, r: "&".join(part for part in (p, o, r) if part),
    positions.map(lambda p: f"p={p}"),
    st.one_of(st.none(), st.text(max_size=8).map(lambda o: f"o={o}")),
    st.one_of(st.none(), st.sampled_from(["r=1", "r=0", "r=x"])),
)


@given(data=st.data())
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_a_fuzz_of_cursors_never_reaches_a_server_error(lists, client, data):
    url = data.draw(st.sampled_from(lists))
    cursor = data.draw(st.one_of(querystrings.map(encoded), st.text(max_size=40)), label="cursor")
    response = client.get(url, {"cursor": cursor})
    assert response.status_code in (200, 404), (url, cursor, response.content)
