"""Only owners (and operators) grant or remove ownership (issue 13, finding 7): an admin can
neither make themselves or anyone owner, nor demote, remove or invite an owner."""

import pytest
from django.core.exceptions import PermissionDenied

from organizations import services
from organizations.models import Membership, OrgRole
from tests.organizations.factories import make_member

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(organization):
    return make_member(organization, OrgRole.ADMIN, email="admin@example.com")


def role_of(user) -> str:
    return Membership.objects.get(user=user).role


def test_an_admin_cannot_make_themselves_owner_through_the_page(client, admin, owner, organization):
    client.force_login(admin)
    mine = Membership.objects.get(user=admin)
    response = client.post(
        f"/organizations/{organization.pk}/members/{mine.pk}/role/", {"role": "owner"}, headers=EN
    )
    assert response.status_code in (302, 403)
    assert role_of(admin) == OrgRole.ADMIN


def test_an_admin_cannot_demote_or_remove_the_owner(client, admin, owner, organization):
    make_member(organization, OrgRole.OWNER, email="second.owner@example.com")  # not the last
    client.force_login(admin)
    theirs = Membership.objects.get(user=owner)
    client.post(f"/organizations/{organization.pk}/members/{theirs.pk}/role/", {"role": "member"})
    client.post(f"/organizations/{organization.pk}/members/{theirs.pk}/remove/")
    assert role_of(owner) == OrgRole.OWNER


@pytest.mark.parametrize("change", ["promote", "demote", "remove", "invite"])
def test_the_services_refuse_ownership_changes_by_an_admin(
    admin, owner, member, organization, change
):
    make_member(organization, OrgRole.OWNER, email="second.owner@example.com")  # not the last
    with pytest.raises(PermissionDenied):
        if change == "promote":
            services.membership_change_role(
                actor=admin, membership=Membership.objects.get(user=member), role=OrgRole.OWNER
            )
        elif change == "demote":
            services.membership_change_role(
                actor=admin, membership=Membership.objects.get(user=owner), role=OrgRole.ADMIN
            )
        elif change == "remove":
            services.membership_remove(actor=admin, membership=Membership.objects.get(user=owner))
        else:
            services.invitation_create(
                actor=admin, organization=organization, email="boss@example.com", role="owner"
            )
    assert role_of(owner) == OrgRole.OWNER and role_of(member) == OrgRole.MEMBER


def test_an_admin_still_manages_members_and_admins(admin, member, organization):
    services.membership_change_role(
        actor=admin, membership=Membership.objects.get(user=member), role=OrgRole.ADMIN
    )
    assert role_of(member) == OrgRole.ADMIN
    services.membership_remove(actor=admin, membership=Membership.objects.get(user=member))
    assert not Membership.objects.filter(user=member).exists()


def test_an_owner_grants_and_hands_over_ownership(owner, admin, organization):
    services.membership_change_role(
        actor=owner, membership=Membership.objects.get(user=admin), role=OrgRole.OWNER
    )
    new_owner = type(admin).objects.get(pk=admin.pk)  # as the next request loads them
    services.membership_change_role(
        actor=new_owner, membership=Membership.objects.get(user=owner), role=OrgRole.MEMBER
    )
    assert (role_of(admin), role_of(owner)) == (OrgRole.OWNER, OrgRole.MEMBER)


def test_an_operator_may_change_ownership(operator, owner, admin):
    services.membership_change_role(
        actor=operator, membership=Membership.objects.get(user=admin), role=OrgRole.OWNER
    )
    assert role_of(admin) == OrgRole.OWNER


def test_an_admin_is_not_offered_ownership_on_the_page(client, admin, owner, organization):
    client.force_login(admin)
    page = client.get(f"/organizations/{organization.pk}/members/", headers=EN)
    html = page.content.decode()
    theirs = Membership.objects.get(user=owner)
    assert f"/members/{theirs.pk}/remove/" not in html
    assert f"/members/{theirs.pk}/role/" not in html
    assert 'value="owner"' not in html
    client.force_login(owner)
    assert (
        'value="owner"' in client.get(f"/organizations/{organization.pk}/members/").content.decode()
    )
