"""Partner tokens: issued once, stored as a keyed digest, checked on every request (expiry,
revocation, scope, read-only, address), and the service account behind them."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from partners import services, token_cache, tokens
from partners.models import PartnerToken
from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from tests.partners.factories import bearer, issue, partner_application

CATEGORIES = "/api/v1/categories/"
ROW = {
    "date": str(timezone.localdate() - datetime.timedelta(days=1)),
    "plays": 10,
    "valid_plays": 8,
}


@pytest.fixture
def application(operator):
    return partner_application(operator)


def get(client, raw, path=CATEGORIES, **extra):
    return client.get(path, headers=bearer(raw), **extra)


def test_a_token_is_random_long_and_works_until_revoked(client, operator, application):
    raw = issue(operator, application)
    assert raw.startswith("ppk_") and len(raw.split("_", 2)[2]) == 43  # 256 random bits
    assert issue(operator, application) != raw
    response = get(client, raw)
    assert response.status_code == 200
    assert response.json()["results"]
    me = client.get("/api/v1/me/", headers=bearer(raw)).json()
    assert me["role"] == "partner" and me["email"] == application.account.email

    token = PartnerToken.objects.get(prefix=tokens.prefix_of(raw))
    services.token_revoke(actor=operator, token=token)
    refused = get(client, raw)  # the very next request
    assert refused.status_code == 401
    assert refused.json() == {"code": "invalid_token", "message": "The token was revoked."}
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'


def test_only_a_keyed_digest_is_stored_never_the_token(operator, application, settings):
    raw = issue(operator, application)
    secret = raw.split("_", 2)[2]
    token = PartnerToken.objects.get()
    assert token.digest == tokens.digest(raw) and token.digest not in (raw, secret)
    # Nowhere in the database: every text column of every table, the audit log included.
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if field.get_internal_type() not in ("CharField", "TextField", "JSONField"):
                    continue
                column = connection.ops.quote_name(field.column)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE CAST({column} AS TEXT) LIKE %s",
                    [f"%{secret}%"],
                )
                assert cursor.fetchone()[0] == 0, f"{table}.{field.column}"
    # The digest is keyed: another key gives another digest, and the token no longer matches.
    settings.PARTNER_TOKEN_KEY = "another-key-" + "k" * 40
    assert tokens.digest(raw) != token.digest
    assert get(Client(), raw).status_code == 401


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",
        "Bearer ppk_abc",
        "Bearer ppk_000000000000_" + "A" * 43,
        "Bearer one two",
        "bearer ppk_000000000000_" + "A" * 43,
    ],
)
def test_unknown_or_malformed_tokens_answer_401(client, value, application):
    response = client.get(CATEGORIES, headers={"Authorization": value, "Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_changed_character_is_refused(client, operator, application):
    raw = issue(operator, application)
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert get(client, forged).status_code == 401


def test_without_a_token_the_session_works_as_before(client, owner):
    assert client.get(CATEGORIES).status_code == 401
    client.force_login(owner)
    assert client.get(CATEGORIES).status_code == 200


def test_a_token_expires_with_itself_or_with_its_application(client, operator, application):
    now = timezone.now()
    raw = issue(operator, application, expires_at=now + datetime.timedelta(hours=1))
    assert get(client, raw).status_code == 200
    PartnerToken.objects.update(expires_at=now - datetime.timedelta(seconds=1))
    token_cache.bump()  # a write outside save() (this test's shortcut) announces itself
    expired = get(client, raw)
    assert expired.status_code == 401
    assert expired.json() == {"code": "invalid_token", "message": "The token has expired."}

    other = partner_application(operator, name="Other", expires_at=now + datetime.timedelta(days=1))
    raw = issue(operator, other)
    assert get(client, raw).status_code == 200
    type(other).objects.filter(pk=other.pk).update(expires_at=now - datetime.timedelta(seconds=1))
    token_cache.bump()
    assert get(client, raw).status_code == 401


def test_a_token_cannot_outlive_its_application(operator):
    from django.core.exceptions import ValidationError

    ends = timezone.now() + datetime.timedelta(days=7)
    application = partner_application(operator, expires_at=ends)
    with pytest.raises(ValidationError):
        issue(operator, application, expires_at=ends + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        issue(operator, application, expires_at=timezone.now() - datetime.timedelta(days=1))


def test_a_missing_scope_is_named(client, operator):
    application = partner_application(operator, scopes=["organizations:read"])
    raw = issue(operator, application)
    assert get(client, raw, "/api/v1/organizations/").status_code == 200
    refused = get(client, raw, "/api/v1/creators/")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "insufficient_scope",
        "message": "This token needs the scope creators:read.",
    }
    assert 'scope="creators:read"' in refused["WWW-Authenticate"]
    # Reading does not grant writing.
    write = client.post(
        "/api/v1/metrics/", {"rows": []}, content_type="application/json", headers=bearer(raw)
    )
    assert write.status_code == 403 and "metrics:write" in write.json()["message"]


def test_endpoints_without_a_scope_are_closed_to_every_token(client, operator, application):
    raw = issue(operator, application)
    for path in ("/api/v1/audit-entries/", "/api/v1/assignments/", "/api/v1/coaching-sessions/"):
        response = get(client, raw, path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "insufficient_scope"


def test_a_read_only_token_refuses_every_unsafe_method(client, operator):
    application = partner_application(
        operator, scopes=["metrics:read", "metrics:write"], read_only=True
    )
    raw = issue(operator, application)
    assert get(client, raw, "/api/v1/metrics/").status_code == 200
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            "/api/v1/metrics/", {}, content_type="application/json", headers=bearer(raw)
        )
        assert response.status_code == 403, method
        assert response.json()["code"] == "read_only_token"


def test_addresses_outside_the_allowed_ranges_are_refused(client, operator, settings):
    application = partner_application(
        operator, allowed_networks=["203.0.113.0/24", "2001:db8::/32"]
    )
    assert application.allowed_networks == ["203.0.113.0/24", "2001:db8::/32"]
    raw = issue(operator, application)
    assert get(client, raw, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert get(client, raw, REMOTE_ADDR="2001:db8::1").status_code == 200
    refused = get(client, raw, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 403
    assert refused.json()["code"] == "ip_not_allowed"
    # Behind a trusted proxy the client's address is the forwarded one.
    settings.TRUSTED_PROXY_COUNT = 1
    assert (
        get(client, raw, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
        == 200
    )


def test_ip_ranges_are_checked_when_the_application_is_created(operator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        partner_application(operator, allowed_networks=["203.0.113.0/24", "not-a-range"])
    assert "not-a-range" in str(error.value)


def test_last_use_is_recorded_at_most_once_a_minute(client, operator, application):
    raw = issue(operator, application)
    assert PartnerToken.objects.get().last_used_at is None
    get(client, raw)
    first = PartnerToken.objects.get().last_used_at
    assert first is not None
    get(client, raw)
    assert PartnerToken.objects.get().last_used_at == first
    PartnerToken.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    from django.core.cache import cache

    cache.clear()
    get(client, raw)
    assert PartnerToken.objects.get().last_used_at > first - datetime.timedelta(minutes=1)


def test_the_service_account_cannot_sign_in_or_reset_a_password(client, operator, application):
    account = application.account
    assert account.role == Role.PARTNER and not account.has_usable_password()
    assert account.email == f"partner-{application.pk}@partners.invalid"
    account.set_password("a-password-somebody-set-9")
    account.save()
    response = client.post(
        "/accounts/login/",
        {"username": account.email, "password": "a-password-somebody-set-9"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    from portal.accounts.forms import PasswordResetForm

    assert list(PasswordResetForm().get_users(account.email)) == []


def test_changes_made_with_a_token_are_audited_under_the_application(
    client, operator, organization
):
    from tests.creators.factories import BindingFactory

    creator = BindingFactory(organization=organization).creator
    application = partner_application(operator, scopes=["metrics:write"])
    raw = issue(operator, application)
    response = client.post(
        "/api/v1/metrics/",
        {"rows": [{**ROW, "platform_account_id": creator.platform_account_id}]},
        content_type="application/json",
        headers=bearer(raw),
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(action="metrics.ingest")
    assert entry.actor == application.account
    assert entry.actor_label == f"partner-{application.pk}@partners.invalid"


def test_refusals_go_to_the_security_log_by_prefix_never_the_token(
    client, operator, application, caplog
):
    raw = issue(operator, application)
    token = PartnerToken.objects.get()
    services.token_revoke(actor=operator, token=token)
    with caplog.at_level("INFO", logger="portal.security"):
        get(client, raw)
        get(client, raw, "/api/v1/audit-entries/")
    refusals = [r.getMessage() for r in caplog.records if "partner token refused" in r.getMessage()]
    assert len(refusals) == 2
    assert f"code=invalid_token token={token.prefix} application={application.pk}" in refusals[0]
    assert raw.split("_", 2)[2] not in caplog.text
