import re

import pytest
from django.core import mail, signing
from django.test import Client

from portal.accounts.models import Role, User
from portal.accounts.services import VERIFICATION_SALT, email_verification_token
from portal.audit.models import AuditEntry

FORM = {
    "full_name": "王芳",
    "email": "Wang.Fang@Xinghe.cn",
    "phone": "+86 138-0013-8000",
    "password1": "Xinghe-2026-media",
    "password2": "Xinghe-2026-media",
}


def sign_up(client, **changes):
    with_changes = FORM | changes
    return client.post("/accounts/sign-up/", with_changes, headers={"Accept-Language": "en"})


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit work (the emails) right after each block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_sign_up_makes_an_unverified_organization_account_and_emails_a_link(client, db, on_commit):
    with on_commit():
        response = sign_up(client)

    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    user = User.objects.get()
    assert (user.email, user.role, user.phone) == (
        "wang.fang@xinghe.cn",
        Role.ORGANIZATION,
        "13800138000",
    )
    assert user.email_verified_at is None
    assert user.language == "en"
    assert AuditEntry.objects.filter(action="account.sign_up", actor=user).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang.fang@xinghe.cn"]
    assert "/accounts/verify/" in mail.outbox[0].body


def test_the_link_verifies_the_address_and_opens_the_application(client, db, on_commit):
    with on_commit():
        sign_up(client)
    link = re.search(r"https?://[^/]+(/accounts/verify/\S+/)", mail.outbox[0].body).group(1)

    response = client.get(link)

    assert response.status_code == 302 and response["Location"] == "/organizations/apply/"
    assert User.objects.get().email_verified_at is not None
    assert client.get("/organizations/apply/organization/").status_code == 200


def test_an_unverified_account_cannot_start_an_application(client, db, on_commit):
    sign_up(client)
    response = client.get("/organizations/apply/organization/")
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"


def test_a_tampered_or_expired_link_is_refused(client, db, on_commit, settings):
    sign_up(client)
    user = User.objects.get()
    token = email_verification_token(user)
    assert client.get(f"/accounts/verify/{token}x/").status_code == 400
    settings.EMAIL_VERIFICATION_MAX_AGE = -1
    assert client.get(f"/accounts/verify/{token}/").status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_for_an_old_address_does_not_verify_a_new_one(client, db, on_commit):
    sign_up(client)
    user = User.objects.get()
    forged = signing.dumps(
        {"u": user.pk, "e": "someone.else@example.com"}, salt=VERIFICATION_SALT, compress=True
    )
    assert client.get(f"/accounts/verify/{forged}/").status_code == 400


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"phone": "12345"}, "phone", "Enter a mainland China mobile number"),
        ({"password2": "something-else-1"}, "password2", "The two passwords differ."),
        (
            {"password1": "12345678", "password2": "12345678"},
            "password1",
            "This password is entirely numeric.",
        ),
    ],
)
def test_bad_input_is_reported_on_its_field(client, db, changes, field, message):
    response = sign_up(client, **changes)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not User.objects.exists()


def test_an_existing_address_is_told_to_sign_in(client, owner):
    response = sign_up(client, email=owner.email.upper())
    assert "already exists" in response.context["form"].errors["email"][0]


def test_errors_speak_chinese_by_default(client, db):
    response = client.post("/accounts/sign-up/", FORM | {"password2": "different-pass-1"})
    assert "两次" in str(response.context["form"].errors["password2"])


def test_resending_the_link_is_limited(client, db, on_commit):
    with on_commit():
        sign_up(client)
    for _ in range(3):
        with on_commit():
            client.post("/accounts/verify/resend/")
    response = client.post(
        "/accounts/verify/resend/", follow=True, headers={"Accept-Language": "en"}
    )
    assert "wait an hour" in response.content.decode()
    assert len(mail.outbox) == 4  # the first link and three resends


def test_sign_ups_from_one_address_are_limited(db):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(10):
        sign_up(client, email=f"person{n}@example.cn")
        client.logout()
    response = sign_up(client, email="one-more@example.cn")
    assert response.status_code == 200
    assert "Too many sign-ups" in response.content.decode()
    assert User.objects.count() == 10
