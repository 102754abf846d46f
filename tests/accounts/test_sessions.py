"""Idle sessions expire; a request pushes the expiry forward, writing the session only when a
part of its age has passed since its last save (portal.accounts.middleware)."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.middleware import REFRESHED_AT

LOGIN = "/accounts/login/"


def session_writes(client, url="/") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def age_session(client, *, refreshed_ago: int, expires_in: int) -> str:
    """The signed-in session as if it were last saved `refreshed_ago` seconds ago."""
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - refreshed_ago
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=expires_in)
    )
    return session.session_key


def test_a_request_soon_after_the_last_save_does_not_write_the_session(client, operator):
    client.force_login(operator)  # signing in saves the session, and starts its idle clock
    assert session_writes(client) == []
    assert settings.SESSION_COOKIE_NAME not in client.get("/").cookies


def test_a_request_after_the_refresh_interval_pushes_the_expiry_forward(client, operator):
    client.force_login(operator)
    key = age_session(
        client,
        refreshed_ago=settings.SESSION_REFRESH_SECONDS,
        expires_in=settings.SESSION_COOKIE_AGE - settings.SESSION_REFRESH_SECONDS,
    )
    writes = session_writes(client)
    assert len(writes) == 1 and writes[0].startswith("UPDATE")
    left = Session.objects.get(pk=key).expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert client.session[REFRESHED_AT] >= int(time.time()) - 60
    assert session_writes(client) == []  # and not again until the interval has passed


def test_the_refresh_sends_the_cookie_with_the_new_expiry(client, operator):
    client.force_login(operator)
    age_session(client, refreshed_ago=settings.SESSION_REFRESH_SECONDS + 1, expires_in=60)
    cookie = client.get("/").cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_a_session_idle_longer_than_its_age_is_signed_out(client, operator):
    client.force_login(operator)
    age_session(client, refreshed_ago=settings.SESSION_COOKIE_AGE + 1, expires_in=-1)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_a_session_used_within_its_age_stays_open(client, operator):
    # Last saved just over the refresh interval ago, a minute before it would expire.
    client.force_login(operator)
    age_session(client, refreshed_ago=settings.SESSION_COOKIE_AGE - 60, expires_in=60)
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 60
    )


def test_anonymous_visits_and_signing_out_store_no_session(client, operator):
    assert client.get(LOGIN).status_code == 200
    assert not Session.objects.exists()
    client.force_login(operator)
    client.post("/accounts/logout/")
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
