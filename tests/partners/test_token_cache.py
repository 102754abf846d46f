"""Live tokens remembered between requests: no database query for a known token, and every
change (revocation, a disabled account, scopes) seen at the next request, in this process and,
through the shared generation, in every other."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services, token_cache
from partners.models import PartnerToken
from portal.accounts import ratelimit
from portal.accounts.services import user_set_active
from tests.partners.factories import bearer, issue, partner_application

CATEGORIES = "/api/v1/categories/"


@pytest.fixture
def raw(operator):
    return issue(operator, partner_application(operator))


def token_queries(client, raw) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(CATEGORIES, headers=bearer(raw)).status_code
    found = [q for q in queries.captured_queries if "partners_partnertoken" in q["sql"]]
    return status, len(found)


def test_a_known_token_costs_no_query_after_its_first_request(client, raw):
    assert token_queries(client, raw) == (200, 2)  # found, and its first use written
    assert token_queries(client, raw) == (200, 0)


def test_a_revocation_is_seen_at_the_next_request(client, operator, raw):
    token_queries(client, raw)
    services.token_revoke(actor=operator, token=PartnerToken.objects.get(), reason="leaked")
    response = client.get(CATEGORIES, headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["message"] == "The token was revoked."


def test_another_process_bump_makes_this_one_read_again(client, raw):
    token_queries(client, raw)
    # Another process revoked it: the row and the shared generation changed, not this
    # process's memory.
    PartnerToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert token_queries(client, raw) == (200, 0)  # nothing announced: remembered
    cache.incr(token_cache.GENERATION_KEY)
    assert client.get(CATEGORIES, headers=bearer(raw)).status_code == 401


def test_a_disabled_service_account_is_refused_at_once(client, operator, raw):
    token_queries(client, raw)
    account = PartnerToken.objects.select_related("application__account").get()
    user_set_active(
        actor=operator, user=account.application.account, is_active=False, reason="contract ended"
    )
    assert client.get(CATEGORIES, headers=bearer(raw)).status_code == 401


def test_a_scope_taken_away_is_refused_at_once(client, raw):
    token_queries(client, raw)
    application = PartnerToken.objects.get().application
    application.scopes = []
    application.save()
    assert client.get(CATEGORIES, headers=bearer(raw)).status_code == 403


def test_without_the_shared_cache_the_database_decides(client, raw, monkeypatch):
    token_queries(client, raw)
    PartnerToken.objects.update(revoked_at="2026-01-01T00:00:00Z")

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis down")

    count = ratelimit._count

    def count_here_only(store, *args):
        if store is not ratelimit._this_process:
            unreachable()
        return count(store, *args)

    monkeypatch.setattr(ratelimit, "_count", count_here_only)
    monkeypatch.setattr(token_cache, "generation", lambda: None)
    assert client.get(CATEGORIES, headers=bearer(raw)).status_code == 401


def test_a_forged_token_with_a_known_prefix_is_refused(client, raw):
    token_queries(client, raw)
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert client.get(CATEGORIES, headers=bearer(forged)).status_code == 401
