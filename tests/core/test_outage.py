"""Redis unreachable (the broker and the shared cache): pages render, sign-in and the partner API
answer, and the work they ask for waits in the outbox until Redis is back. The broker and cache
URLs point at a port where nothing listens, so every call really fails to connect.
(`bench/drills/` stops a real Redis under gunicorn and a worker; this is the fast version.)"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.core.models import QueuedTask
from portal.core.queue import deliver_pending
from tests.accounts.factories import PASSWORD
from tests.partners.factories import bearer, issue, partner_application

NOWHERE = "redis://127.0.0.1:1/0"  # connection refused at once


def _reset_broker_pools(app):
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """The broker and the shared cache are Redis servers that cannot be reached."""
    from portal.accounts import ratelimit
    from portal.celery import app

    ratelimit._this_process.clear()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": NOWHERE}
    }
    app.conf.task_always_eager = False
    app.conf.broker_write_url = NOWHERE  # where tasks are published
    _reset_broker_pools(app)
    yield
    app.conf.broker_write_url = None
    app.conf.task_always_eager = True
    _reset_broker_pools(app)


def test_pages_render_while_redis_is_down(client, owner, operator, redis_down):
    client.force_login(owner)
    for url in ("/", "/creators/", f"/organizations/{owner.membership.organization_id}/"):
        assert client.get(url).status_code == 200, url
    client.force_login(operator)
    assert client.get("/audit/").status_code == 200


def test_sign_in_works_while_the_shared_cache_is_down_and_is_still_limited(
    client, owner, settings, redis_down
):
    response = client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302

    # Counted in this process meanwhile: guessing is still cut off.
    settings.LOGIN_RATE_LIMIT = {**settings.LOGIN_RATE_LIMIT, "per_account": 3}
    guesser = Client()
    attempts = [
        guesser.post(
            "/accounts/login/",
            {"username": "nobody@example.com", "password": "wrong"},
            headers={"Accept-Language": "en"},
        ).content.decode()
        for _ in range(4)
    ]
    assert "Too many" not in attempts[2]
    assert "Too many" in attempts[3]


def test_the_partner_api_answers_while_the_shared_cache_is_down(client, operator, redis_down):
    raw = issue(operator, partner_application(operator))
    response = client.get("/api/v1/categories/", headers=bearer(raw))
    assert response.status_code == 200


def test_work_asked_for_while_the_broker_is_down_waits_and_is_sent_once_it_is_back(
    client, owner, redis_down, django_capture_on_commit_callbacks
):
    from portal.celery import app

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    waiting = QueuedTask.objects.get()
    assert waiting.published_at is None
    assert "Connection refused" in waiting.last_error
    assert mail.outbox == []

    # Redis is back (the eager broker of the test run stands in for it).
    app.conf.task_always_eager = True
    QueuedTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert deliver_pending() == (1, 0)
    assert len(mail.outbox) == 1
    assert deliver_pending() == (0, 0), "sent once"
