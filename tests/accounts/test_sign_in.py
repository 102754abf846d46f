import re
import threading

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.accounts import ratelimit
from portal.accounts.services import user_set_active
from portal.audit.models import AuditEntry
from tests.accounts.factories import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(
        LOGIN, {"username": email, "password": password}, headers={"Accept-Language": "en"}, **extra
    )


def test_sign_in_with_email_and_password_opens_the_dashboard(client, operator):
    response = sign_in(client, "OP@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("core:dashboard")
    assert client.get("/").status_code == 200


def test_wrong_password_shows_a_clear_error_on_the_form(client, operator):
    response = sign_in(client, operator.email, "wrong-password")
    assert response.status_code == 200
    assert "The email address or password is not correct." in response.content.decode()


def test_login_is_csrf_checked(operator):
    strict = Client(enforce_csrf_checks=True)
    assert sign_in(strict, operator.email).status_code == 403


def test_session_key_rotates_at_sign_in(client, operator):
    client.get(LOGIN)
    client.session["probe"] = 1
    before = client.session.session_key
    sign_in(client, operator.email)
    assert client.session.session_key != before


def test_disabling_an_account_ends_its_session_at_the_next_request(client, operator, owner):
    client.force_login(owner)
    assert client.get("/").status_code == 200
    user_set_active(actor=operator, user=owner, is_active=False, reason="离职")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert sign_in(Client(), owner.email).status_code == 200  # cannot sign in again either


def test_sessions_expire_when_idle(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    # Saved when a tenth of their age has passed at most (tests/accounts/test_sessions.py).
    assert 0 < settings.SESSION_REFRESH_SECONDS <= settings.SESSION_COOKIE_AGE // 10


def test_sign_out_needs_a_post(client, operator):
    client.force_login(operator)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_too_many_attempts_on_one_account_are_refused_even_with_the_right_password(
    client, operator, settings
):
    settings.LOGIN_RATE_LIMIT = {**settings.LOGIN_RATE_LIMIT, "per_account": 3}
    for _ in range(3):
        sign_in(client, operator.email, "wrong-password")
    response = sign_in(client, operator.email)
    assert response.status_code == 200
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_rate_limit_counts_atomically_under_concurrency():
    """Forty threads hit a limit of ten at once: exactly ten are allowed, never more."""
    allowed = []
    barrier = threading.Barrier(40)

    def attempt():
        barrier.wait()
        allowed.append(ratelimit.hit("concurrency-test", limit=10, window=60).allowed)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 10


@pytest.mark.redis
def test_rate_limit_counts_atomically_on_redis(settings, redis_cache_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_cache_url,
        }
    }
    from django.core.cache import cache

    cache.clear()
    test_rate_limit_counts_atomically_under_concurrency()


def test_password_reset_emails_a_link_that_sets_a_new_password(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)

    page = client.get(link, follow=True)
    assert page.context["validlink"]
    confirm_url = page.redirect_chain[-1][0]
    done = client.post(
        confirm_url, {"new_password1": "a-brand-new-pass-9", "new_password2": "a-brand-new-pass-9"}
    )
    assert done.status_code == 302
    assert sign_in(Client(), owner.email, "a-brand-new-pass-9").status_code == 302
    assert AuditEntry.objects.filter(action="account.password_reset", actor=owner).exists()
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_password_reset_answers_the_same_for_unknown_addresses(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_password_reset_email_is_in_the_language_the_person_used(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/reset/",
            {"email": owner.email},
            headers={"Accept-Language": "zh-hans"},
        )
    assert "重置" in mail.outbox[0].subject


def test_password_change_is_audited_without_the_password(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-good-pass-7",
            "new_password2": "another-good-pass-7",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="account.password_change")
    assert entry.actor == owner
    assert "another-good-pass-7" not in str(entry.before) + str(entry.after) + entry.reason
    assert client.get("/").status_code == 200  # still signed in on this device


def test_signing_in_normally_never_locks_an_account_out(client, operator, settings):
    """Only failures count: successful sign-ins used to, locking an operator out after about ten."""
    settings.LOGIN_RATE_LIMIT = {**settings.LOGIN_RATE_LIMIT, "per_account": 3, "per_ip": 3}
    for _ in range(6):
        assert sign_in(Client(), operator.email).status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures(client, operator, settings):
    settings.LOGIN_RATE_LIMIT = {**settings.LOGIN_RATE_LIMIT, "per_account": 3, "per_ip": 100}
    for _ in range(2):
        sign_in(Client(), operator.email, "wrong-password")
    assert sign_in(Client(), operator.email).status_code == 302
    for _ in range(2):
        sign_in(Client(), operator.email, "wrong-password")
    assert sign_in(Client(), operator.email).status_code == 302


def test_many_people_behind_one_proxy_address_all_sign_in(db, settings):
    """Behind a proxy with TRUSTED_PROXY_COUNT=0 everyone has the proxy's address; their
    successful sign-ins must not use up the address's limit."""
    from tests.accounts.factories import UserFactory

    settings.LOGIN_RATE_LIMIT = {**settings.LOGIN_RATE_LIMIT, "per_ip": 3}
    people = [UserFactory(email=f"staff{n}@example.com") for n in range(6)]
    for person in people:
        response = sign_in(Client(), person.email, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302


def test_failures_from_one_address_are_still_limited_across_accounts(db, settings):
    from tests.accounts.factories import UserFactory

    settings.LOGIN_RATE_LIMIT = {**settings.LOGIN_RATE_LIMIT, "per_ip": 3, "per_account": 100}
    people = [UserFactory(email=f"target{n}@example.com") for n in range(4)]
    for person in people[:3]:
        sign_in(Client(), person.email, "guess", REMOTE_ADDR="198.51.100.7")
    refused = sign_in(Client(), people[3].email, REMOTE_ADDR="198.51.100.7")
    assert "Too many sign-in attempts" in refused.content.decode()
    # A refused attempt checks no password and does not count: another address signs in.
    assert sign_in(Client(), people[3].email, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_the_password_reset_link_starts_with_the_portals_address_not_the_requests_host(
    client, owner, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": owner.email}, HTTP_HOST="localhost")
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert link.startswith("https://portal.example.com/accounts/password/reset/")
