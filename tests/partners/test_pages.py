"""The operators' partner pages: create an application, issue a token (shown once), revoke it;
only operators; every change audited."""

import pytest
from django.urls import reverse

from partners import services
from partners.models import PartnerApplication, PartnerToken
from portal.audit.models import AuditEntry
from tests.partners.factories import bearer, partner_application

EN = {"Accept-Language": "en"}
FORM = {
    "name": "远山数据接口",
    "contact_name": "王芳",
    "contact_email": "API@partner.example.com",
    "scopes": ["organizations:read", "metrics:write"],
    "allowed_networks": "203.0.113.0/24\n2001:db8::/32",
    "rate_limit": "120",
    "expires_on": "",
}


def test_an_operator_creates_an_application_issues_a_token_and_revokes_it(client, operator):
    client.force_login(operator)
    assert client.get(reverse("partners:list"), headers=EN).status_code == 200

    created = client.post(reverse("partners:list"), FORM, headers=EN)
    application = PartnerApplication.objects.get()
    assert created["Location"] == reverse("partners:detail", args=[application.pk])
    assert application.scopes == ["organizations:read", "metrics:write"]
    assert application.allowed_networks == ["203.0.113.0/24", "2001:db8::/32"]
    assert application.rate_limit == 120 and application.contact_email == "api@partner.example.com"
    assert AuditEntry.objects.get(action="partner.create").actor == operator

    page = client.get(created["Location"], headers=EN)
    assert "No token yet." in page.content.decode()

    issued = client.post(reverse("partners:token_issue", args=[application.pk]), headers=EN)
    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    raw = issued.context["raw"]
    assert raw in issued.content.decode()
    assert "shown only on this page" in issued.content.decode()
    token = PartnerToken.objects.get()
    entry = AuditEntry.objects.get(action="partner.token_issue")
    assert entry.after["token"] == token.prefix and raw not in str(entry.after)
    # Shown once: the application's page names the token by its prefix only.
    page = client.get(reverse("partners:detail", args=[application.pk]), headers=EN).content
    assert raw not in page.decode() and token.prefix in page.decode()
    assert (
        client.get("/api/v1/organizations/", headers=bearer(raw), REMOTE_ADDR="203.0.113.5")
    ).status_code == 200

    revoked = client.post(
        reverse("partners:token_revoke", args=[application.pk, token.pk]), headers=EN
    )
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == operator
    assert AuditEntry.objects.filter(action="partner.token_revoke").count() == 1
    assert (
        client.get("/api/v1/organizations/", headers=bearer(raw), REMOTE_ADDR="203.0.113.5")
    ).status_code == 401
    # Revoking twice changes nothing more.
    client.post(reverse("partners:token_revoke", args=[application.pk, token.pk]), headers=EN)
    assert AuditEntry.objects.filter(action="partner.token_revoke").count() == 1


def test_invalid_input_is_shown_on_the_form_and_nothing_is_created(client, operator):
    client.force_login(operator)
    bad = {**FORM, "scopes": [], "allowed_networks": "10.0.0.0/33", "rate_limit": "0"}
    response = client.post(reverse("partners:list"), bad, headers=EN)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"scopes", "rate_limit"} <= set(errors)
    response = client.post(reverse("partners:list"), {**FORM, "allowed_networks": "nope"})
    assert "allowed_networks" in response.context["form"].errors
    assert not PartnerApplication.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="partner.").exists()


def test_the_operators_navigation_links_the_page(client, operator, owner):
    client.force_login(operator)
    page = client.get(reverse("core:dashboard"), headers=EN).content.decode()
    assert reverse("partners:list") in page
    client.force_login(owner)
    assert reverse("partners:list") not in client.get(reverse("core:dashboard")).content.decode()


@pytest.mark.parametrize("role", ["manager", "owner", "member"])
def test_only_operators_manage_partners(client, request, operator, role):
    application = partner_application(operator)
    token, _raw = services.token_issue(actor=operator, application=application)
    client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("partners:list"),
        reverse("partners:detail", args=[application.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("partners:list"), FORM).status_code == 403
    assert client.post(reverse("partners:token_issue", args=[application.pk])).status_code == 403
    revoke = reverse("partners:token_revoke", args=[application.pk, token.pk])
    assert client.post(revoke).status_code == 403
    assert PartnerApplication.objects.count() == 1 and PartnerToken.objects.count() == 1
    assert PartnerToken.objects.get().revoked_at is None


def test_the_services_refuse_non_operators(manager, operator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        partner_application(manager)
    application = partner_application(operator)
    with pytest.raises(PermissionDenied):
        services.token_issue(actor=manager, application=application)
