"""Transfers the creator confirms and disputes an operator decides."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from creators.models import (
    Binding,
    BindingSource,
    Dispute,
    DisputeStatus,
    TransferRequest,
    TransferStatus,
)
from creators.services import (
    dispute_open,
    dispute_resolve,
    transfer_cancel,
    transfer_confirm,
    transfer_decline,
    transfer_path,
    transfer_request,
)
from portal.audit.models import AuditEntry
from portal.core.models import Notification
from tests.creators.factories import BindingFactory

EN = {"Accept-Language": "en"}


@pytest.fixture
def held(organization):
    """A creator on the beauty organization's roster."""
    return BindingFactory(organization=organization).creator


def token_of(transfer):
    return transfer_path(transfer).rstrip("/").rsplit("/", 1)[-1]


def test_a_confirmed_transfer_moves_the_creator_and_is_recorded_for_both(
    held, organization, other_organization, other_owner, owner
):
    transfer = transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    assert Notification.objects.filter(recipient=owner, event="transfer.requested").exists()

    new = transfer_confirm(transfer=transfer, token=token_of(transfer))

    old = Binding.objects.get(creator=held, organization=organization)
    assert old.ended_on == timezone.localdate()
    assert (new.organization, new.source, new.ended_on) == (
        other_organization,
        BindingSource.TRANSFERRED,
        None,
    )
    entries = AuditEntry.objects.filter(action="binding.transfer")
    assert {e.organization for e in entries} == {organization, other_organization}
    assert all(e.actor_label == f"creator:{held.platform_account_id}" for e in entries)


def test_the_confirmation_page_works_once(held, other_organization, other_owner):
    transfer = transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    link = transfer_path(transfer)
    client = Client()
    page = client.get(link, headers=EN)
    assert page.status_code == 200 and other_organization.legal_name in page.content.decode()
    assert client.post(link, {"decision": "confirm"}).status_code == 200
    again = client.get(link, headers=EN)
    assert again.status_code == 410 and "already closed" in again.content.decode()


def test_a_declined_or_expired_or_cancelled_transfer_changes_nothing(
    held, organization, other_organization, other_owner
):
    first = transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    transfer_decline(transfer=first, token=token_of(first))
    second = transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    TransferRequest.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    second.refresh_from_db()
    with pytest.raises(ValidationError, match="expired"):
        transfer_confirm(transfer=second, token=token_of(second))
    TransferRequest.objects.filter(pk=second.pk).update(status=TransferStatus.EXPIRED)
    third = transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    transfer_cancel(actor=other_owner, transfer=third)
    with pytest.raises(ValidationError):
        transfer_confirm(transfer=third, token=token_of(third))
    assert Binding.objects.get(creator=held, ended_on__isnull=True).organization == organization


def test_a_wrong_token_is_refused(held, other_organization, other_owner):
    transfer = transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    with pytest.raises(ValidationError, match="not valid"):
        transfer_confirm(transfer=transfer, token="0" * 40)


def test_one_pending_transfer_per_creator(held, other_organization, other_owner):
    transfer_request(actor=other_owner, creator=held, to_organization=other_organization)
    with pytest.raises(ValidationError, match="already waiting"):
        transfer_request(actor=other_owner, creator=held, to_organization=other_organization)


def test_plain_members_cannot_request_transfers(held, other_organization):
    from organizations.models import OrgRole
    from tests.organizations.factories import make_member

    with pytest.raises(PermissionDenied):
        transfer_request(
            actor=make_member(other_organization, OrgRole.MEMBER),
            creator=held,
            to_organization=other_organization,
        )


def test_a_dispute_awarded_to_the_claimant_moves_the_creator_with_the_claimed_source(
    held, organization, other_organization, other_owner, operator
):
    dispute = dispute_open(
        actor=other_owner,
        creator=held,
        claimant=other_organization,
        statement="我们先签的独家合同，合同号 A-1。",
        claimed_source=BindingSource.RECRUITED,
    )
    assert Notification.objects.filter(recipient=operator, event="dispute.opened").exists()
    dispute_resolve(
        actor=operator, dispute=dispute, award_to_claimant=True, reason="合同日期在前，判给申诉方。"
    )
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AWARDED and dispute.resolved_by == operator
    binding = Binding.objects.get(creator=held, ended_on__isnull=True)
    assert (binding.organization, binding.source) == (other_organization, BindingSource.RECRUITED)
    assert AuditEntry.objects.filter(action="dispute.resolve").count() == 2


def test_a_dispute_kept_leaves_the_binding_and_cannot_be_decided_twice(
    held, organization, other_organization, other_owner, operator
):
    dispute = dispute_open(
        actor=other_owner,
        creator=held,
        claimant=other_organization,
        statement="达人在我们机构起号，有聊天记录为证。",
    )
    dispute_resolve(actor=operator, dispute=dispute, award_to_claimant=False, reason="证据不足。")
    assert Binding.objects.get(creator=held, ended_on__isnull=True).organization == organization
    with pytest.raises(ValidationError):
        dispute_resolve(actor=operator, dispute=dispute, award_to_claimant=True, reason="改判")


def test_only_operators_resolve_and_a_reason_is_required(
    held, other_organization, other_owner, manager, operator
):
    dispute = dispute_open(
        actor=other_owner,
        creator=held,
        claimant=other_organization,
        statement="达人在我们机构起号，有聊天记录为证。",
    )
    with pytest.raises(PermissionDenied):
        dispute_resolve(actor=manager, dispute=dispute, award_to_claimant=True, reason="x")
    with pytest.raises(ValidationError):
        dispute_resolve(actor=operator, dispute=dispute, award_to_claimant=True, reason=" ")


def test_the_holder_sees_the_dispute_and_an_outsider_does_not(
    client, held, other_organization, other_owner, owner, db
):
    from organizations.models import OrgRole
    from tests.organizations.factories import OrganizationFactory, make_member

    dispute = dispute_open(
        actor=other_owner,
        creator=held,
        claimant=other_organization,
        statement="达人在我们机构起号，有聊天记录为证。",
    )
    client.force_login(owner)
    assert client.get(f"/creators/disputes/{dispute.pk}/").status_code == 200
    client.force_login(make_member(OrganizationFactory(), OrgRole.OWNER))
    assert client.get(f"/creators/disputes/{dispute.pk}/").status_code == 404


def test_the_claim_page_offers_transfer_or_dispute_without_naming_the_holder(
    client, held, other_owner, organization
):
    client.force_login(other_owner)
    page = client.get(
        "/creators/claim/", {"platform_account_id": held.platform_account_id}, headers=EN
    )
    html = page.content.decode()
    assert page.context["state"] == "elsewhere"
    assert "Request the transfer" in html and "Open the dispute" in html
    assert organization.legal_name not in html


def test_claiming_a_new_creator_registers_and_binds_it(client, owner, organization, beauty):
    client.force_login(owner)
    response = client.post(
        "/creators/claim/bind/",
        {
            "platform_account_id": "u777000000001",
            "display_name": "新达人",
            "primary_category": beauty.pk,
            "follower_count": 10,
            "started_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    binding = Binding.objects.get(creator__platform_account_id="u777000000001")
    assert binding.organization == organization and str(binding.started_on) == "2026-11-20"
    assert re.match(r"/creators/\d+/", response["Location"])


def test_dispute_records_are_unique_while_open(held, other_organization, other_owner):
    dispute_open(
        actor=other_owner,
        creator=held,
        claimant=other_organization,
        statement="达人在我们机构起号，有聊天记录为证。",
    )
    with pytest.raises(ValidationError):
        dispute_open(
            actor=other_owner,
            creator=held,
            claimant=other_organization,
            statement="再次申诉，请尽快处理此事。",
        )
    assert Dispute.objects.count() == 1
