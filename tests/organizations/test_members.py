"""Members, roles and invitations."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from organizations import services
from organizations.models import Invitation, Membership, Organization, OrganizationStatus, OrgRole
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.organizations.factories import make_member

EN = {"Accept-Language": "en"}


@pytest.fixture
def invite(owner, organization, django_capture_on_commit_callbacks):
    def send(email="new.editor@xinghe.cn", role=OrgRole.MEMBER):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_create(
                actor=owner, organization=organization, email=email, role=role
            )
        link = re.search(r"https?://[^/]+(/invitations/\S+/)", mail.outbox[-1].body).group(1)
        return invitation, link

    return send


def test_an_invitation_email_carries_a_link_and_no_token_is_stored(invite, organization):
    invitation, link = invite()
    assert mail.outbox[-1].to == ["new.editor@xinghe.cn"]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) == 40
    stored = " ".join(str(v) for v in Invitation.objects.values().get(pk=invitation.pk).values())
    assert token not in stored


def test_a_new_person_creates_an_account_on_the_invitation_page_and_joins(invite, organization):
    _invitation, link = invite(role=OrgRole.ADMIN)
    client = Client()
    page = client.get(link, headers=EN)
    assert page.context["sign_up_form"].fields["email"].disabled
    response = client.post(
        link,
        {
            "full_name": "陈杰",
            "password1": "Editor-2026-xinghe",
            "password2": "Editor-2026-xinghe",
            "email": "evil@attacker.cn",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.editor@xinghe.cn")  # the invited address, not the posted one
    assert user.membership.organization == organization and user.membership.role == OrgRole.ADMIN
    assert user.email_verified_at is not None
    assert not User.objects.filter(email="evil@attacker.cn").exists()


def test_a_signed_in_person_with_the_invited_address_joins_with_a_click(invite, organization):
    _invitation, link = invite(email="existing@xinghe.cn")
    person = UserFactory(email="existing@xinghe.cn")
    client = Client()
    client.force_login(person)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=person).organization == organization
    assert AuditEntry.objects.filter(action="invitation.accept", actor=person).exists()


def test_an_invitation_works_once(invite):
    _invitation, link = invite(email="existing@xinghe.cn")
    client = Client()
    client.force_login(UserFactory(email="existing@xinghe.cn"))
    client.post(link)
    second = Client().get(link, headers=EN)
    assert second.status_code == 410
    assert "already been used" in second.content.decode()


def test_an_expired_invitation_is_refused(invite):
    invitation, link = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Client().get(link, headers=EN)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_a_withdrawn_invitation_is_refused(invite, owner):
    invitation, link = invite()
    services.invitation_revoke(actor=owner, invitation=invitation)
    response = Client().get(link, headers=EN)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_a_wrong_token_is_not_found(invite):
    _invitation, link = invite()
    assert Client().get(link.replace(link[-6:-1], "00000")).status_code == 404


def test_someone_signed_in_with_another_address_cannot_accept(invite, organization):
    _invitation, link = invite()
    client = Client()
    client.force_login(UserFactory(email="someone.else@xinghe.cn"))
    assert client.get(link).context["wrong_account"]
    client.post(link)
    assert not Membership.objects.filter(user__email="someone.else@xinghe.cn").exists()


def test_two_acceptances_at_once_make_one_membership(invite, organization):
    invitation, link = invite(email="existing@xinghe.cn")
    person = UserFactory(email="existing@xinghe.cn")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    services.invitation_accept(user=person, invitation=invitation, token=token)
    with pytest.raises(ValidationError):
        services.invitation_accept(user=person, invitation=invitation, token=token)
    assert Membership.objects.filter(user=person).count() == 1


def test_inviting_again_replaces_the_open_invitation(invite):
    first, _link = invite()
    second, _link = invite()
    first.refresh_from_db()
    assert first.revoked_at is not None and second.state == "pending"


def test_the_members_page_invites_with_htmx_and_shows_errors_on_the_field(
    client, owner, organization
):
    client.force_login(owner)
    response = client.post(
        f"/organizations/{organization.pk}/members/invite/",
        {"email": "not-an-email", "role": "member"},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "<html" not in response.content.decode()
    assert "Enter a valid email address." in response.content.decode()


def test_plain_members_read_the_page_but_cannot_invite(client, member, organization):
    client.force_login(member)
    page = client.get(f"/organizations/{organization.pk}/members/")
    assert page.status_code == 200 and page.context["can_manage"] is False
    response = client.post(
        f"/organizations/{organization.pk}/members/invite/", {"email": "x@y.cn", "role": "member"}
    )
    assert response.status_code == 403


def test_the_last_owner_can_be_neither_demoted_nor_removed(owner, organization):
    membership = owner.membership
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_change_role(actor=owner, membership=membership, role=OrgRole.ADMIN)
    with pytest.raises(ValidationError, match="last owner"):
        services.membership_remove(actor=owner, membership=membership)


def test_with_a_second_owner_an_owner_can_step_down(owner, organization):
    make_member(organization, OrgRole.OWNER, email="co-owner@xinghe.cn")
    services.membership_change_role(actor=owner, membership=owner.membership, role=OrgRole.ADMIN)
    owner.membership.refresh_from_db()
    assert owner.membership.role == OrgRole.ADMIN
    entry = AuditEntry.objects.get(action="membership.role")
    assert (entry.before, entry.after) == ({"role": "owner"}, {"role": "admin"})


def test_removing_a_member_through_the_page(client, owner, member, organization):
    client.force_login(owner)
    response = client.post(
        f"/organizations/{organization.pk}/members/{member.membership.pk}/remove/"
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()
    assert AuditEntry.objects.filter(action="membership.remove").exists()


def test_a_suspended_organization_reads_but_does_not_change(client, owner, member, organization):
    Organization.objects.filter(pk=organization.pk).update(status=OrganizationStatus.SUSPENDED)
    organization.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=owner, organization=organization, email="x@y.cn", role="member"
        )
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=owner, membership=member.membership)
    client.force_login(owner)
    page = client.get(f"/organizations/{organization.pk}/members/", headers=EN)
    assert page.status_code == 200 and "suspended" in page.content.decode()


def test_another_organization_cannot_touch_these_members(client, other_owner, member, organization):
    client.force_login(other_owner)
    url = f"/organizations/{organization.pk}/members/{member.membership.pk}/remove/"
    assert client.post(url).status_code == 404
    assert client.get(f"/organizations/{organization.pk}/members/").status_code == 404
