"""Per-token rate limits: atomic counters in the shared cache, so concurrent requests can never
all slip under the limit; beyond it 429 with Retry-After and the house error body."""

import threading
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from partners.models import PartnerToken
from portal.accounts import ratelimit
from tests.partners.factories import bearer, issue, partner_application

CATEGORIES = "/api/v1/categories/"


def test_beyond_the_limit_429_with_retry_after_until_the_next_window(client, operator, monkeypatch):
    raw = issue(operator, partner_application(operator, rate_limit=3))
    now = 1_800_000_000 - 15  # 15 seconds before a minute boundary
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))
    assert [client.get(CATEGORIES, headers=bearer(raw)).status_code for _ in range(3)] == [200] * 3
    refused = client.get(CATEGORIES, headers=bearer(raw))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    assert refused.json() == {
        "code": "rate_limited",
        "message": "Too many requests with this token. Try again in 15 seconds.",
    }
    now += 15  # the next window
    assert client.get(CATEGORIES, headers=bearer(raw)).status_code == 200


def test_each_token_has_its_own_count(client, operator):
    application = partner_application(operator, rate_limit=1)
    first, second = issue(operator, application), issue(operator, application)
    assert client.get(CATEGORIES, headers=bearer(first)).status_code == 200
    assert client.get(CATEGORIES, headers=bearer(first)).status_code == 429
    assert client.get(CATEGORIES, headers=bearer(second)).status_code == 200


def test_a_refused_address_does_not_use_up_the_partners_quota(client, operator):
    application = partner_application(operator, rate_limit=1, allowed_networks=["203.0.113.0/24"])
    raw = issue(operator, application)
    for _ in range(3):
        response = client.get(CATEGORIES, headers=bearer(raw), REMOTE_ADDR="198.51.100.1")
        assert response.status_code == 403
    assert client.get(CATEGORIES, headers=bearer(raw), REMOTE_ADDR="203.0.113.1").status_code == 200


THREADS, LIMIT = 16, 5


def hit_at_once(operator):
    """THREADS requests with one token at the same moment, each on its own connection."""
    raw = issue(operator, partner_application(operator, rate_limit=LIMIT))
    # Last use already recorded: the threads only read the database.
    PartnerToken.objects.update(last_used_at=timezone.now())
    barrier = threading.Barrier(THREADS)
    responses = []

    def send():
        try:
            client = Client()
            barrier.wait()
            responses.append(client.get(CATEGORIES, headers=bearer(raw)))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def assert_exactly_the_limit_passed(responses):
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * LIMIT + [429] * (THREADS - LIMIT)
    for refused in (r for r in responses if r.status_code == 429):
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert refused.json()["code"] == "rate_limited"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_token_never_exceed_the_limit(operator):
    assert_exactly_the_limit_passed(hit_at_once(operator))


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_counted_atomically_on_redis(operator, settings, redis_cache_url):
    # A prefix of this run's own: other runs may share the Redis database, so it is not flushed.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_cache_url,
            "KEY_PREFIX": f"test-partners-{uuid.uuid4().hex}",
            "TIMEOUT": 120,
        }
    }
    assert_exactly_the_limit_passed(hit_at_once(operator))


@pytest.mark.redis
def test_each_cache_backend_keeps_one_redis_client(settings, redis_cache_url, monkeypatch):
    # Django's Redis backend builds a client per call (~0.2 ms); the rate limit keeps the first.
    from django.core.cache import caches

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000))

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_cache_url,
            "KEY_PREFIX": f"test-partners-{uuid.uuid4().hex}",
        }
    }
    store = caches["default"]
    client = ratelimit.redis_client(store)
    assert client is not None and ratelimit.redis_client(store) is client
    counts = [ratelimit.hit("reused", limit=5, window=60).count for _ in range(3)]
    assert counts == [1, 2, 3]
    assert ratelimit.redis_client(caches.create_connection("default")) is not client
