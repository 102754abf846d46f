"""Suspension and its one appeal (issue 18): a suspension holds the organization's unpaid payouts,
reinstating releases those holds and only those, the organization appeals once within the
window with a statement and documents, and an operator reinstates, keeps or forfeits."""

import datetime
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from incentives.models import Hold, HoldReason, LedgerEntry, PaymentStatus, Pool
from incentives.services.holds import hold_place
from organizations.models import (
    AppealDecision,
    AppealWindow,
    OrganizationStatus,
    Suspension,
    SuspensionAppeal,
)
from organizations.services import (
    appeal_decide,
    appeal_submit,
    appeal_window_set,
    organization_reinstate,
    organization_suspend,
)
from portal.audit.models import AuditEntry
from portal.core.models import Notification
from tests.incentives.test_holds import publish, with_rules

D = datetime.date


def png(name="proof.png"):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def own_entries(organization):
    return LedgerEntry.objects.filter(organization=organization, creator__isnull=True)


@pytest.fixture
def paid_world(operator, organization, beauty):
    """A published cycle: the organization's own incentives and its creator's, all releasable."""
    publish(operator, with_rules(operator, organization, beauty))
    assert own_entries(organization).count() >= 2
    return organization


@pytest.fixture
def suspended(operator, owner, paid_world):
    return organization_suspend(actor=operator, organization=paid_world, reason="Fake recruits")


def test_suspending_holds_the_organizations_unpaid_entries_with_the_reason(
    operator, owner, organization, suspended
):
    own = list(own_entries(organization))
    assert own and all(e.payment_status == PaymentStatus.HELD for e in own)
    holds = Hold.objects.filter(entry__in=own, reason=HoldReason.SUSPENSION, released_at=None)
    assert holds.count() == len(own)
    assert {h.note for h in holds} == {"Fake recruits"}
    assert {h.placed_by for h in holds} == {operator}
    # Its creators' entries are theirs: not held for the organization's suspension.
    creators = LedgerEntry.objects.filter(organization=organization, creator__isnull=False)
    assert not Hold.objects.filter(entry__in=creators, reason=HoldReason.SUSPENSION).exists()
    suspension = Suspension.objects.get(organization=organization)
    assert suspension.ended_at is None and suspension.reason == "Fake recruits"
    for person in (owner, operator):
        assert Notification.objects.filter(recipient=person, event="organization.suspend").exists()


def test_reinstating_releases_only_the_suspension_holds(operator, organization, paid_world):
    own = list(own_entries(organization).order_by("pk"))
    reviewed = own[0]
    hold_place(actor=operator, entries=[reviewed], reason=HoldReason.REVIEW, note="Check")
    organization_suspend(actor=operator, organization=organization, reason="Fake recruits")
    organization_reinstate(actor=operator, organization=organization, reason="Cleared")
    reviewed.refresh_from_db()
    assert reviewed.payment_status == PaymentStatus.HELD  # its review hold stays
    assert reviewed.holds.filter(released_at=None).get().reason == HoldReason.REVIEW
    for entry in own[1:]:
        entry.refresh_from_db()
        assert entry.payment_status == PaymentStatus.PENDING
    assert not Hold.objects.filter(reason=HoldReason.SUSPENSION, released_at=None).exists()
    assert Suspension.objects.get(organization=organization).ended_at is not None


def test_entries_posted_while_suspended_are_held_too(operator, owner, organization, beauty):
    cycle = with_rules(operator, organization, beauty)
    organization_suspend(actor=operator, organization=organization, reason="Fake recruits")
    from organizations.models import Organization

    # The list was computed before the suspension; posting it now holds the organization's share.
    Organization.objects.filter(pk=organization.pk).update(status=OrganizationStatus.APPROVED)
    from incentives.services import settlement_compute, settlement_submit

    draft = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    Organization.objects.filter(pk=organization.pk).update(status=OrganizationStatus.SUSPENDED)
    from incentives.services import settlement_approve

    settlement_approve(actor=operator, reward_list=draft, revision=draft.revision)
    own = list(own_entries(organization))
    assert own and all(e.payment_status == PaymentStatus.HELD for e in own)
    assert all(e.holds.get(released_at=None).reason == HoldReason.SUSPENSION for e in own)
    organization_reinstate(actor=operator, organization=organization, reason="Cleared")
    assert all(e.payment_status == PaymentStatus.PENDING for e in own_entries(organization))


def test_the_hold_shows_on_the_statement_and_through_the_api(client, owner, suspended):
    from rest_framework.test import APIClient

    from incentives.models import RewardList

    reward_list = RewardList.objects.get()
    client.force_login(owner)
    page = client.get(reverse("incentives:statement", args=[reward_list.pk]))
    assert page.status_code == 200
    assert "Organization suspended" in page.content.decode()
    api = APIClient()
    api.force_authenticate(owner)
    rows = api.get("/api/v1/ledger-entries/", {"payment_status": "held"}).json()
    if "results" in rows:
        rows = rows["results"]
    reasons = {h["reason"] for row in rows for h in row.get("holds", [])}
    assert "suspension" in reasons


def test_an_owner_appeals_once_with_documents_and_everyone_is_told(
    operator, owner, organization, suspended
):
    appeal = appeal_submit(
        actor=owner, organization=organization, statement="They are real.", documents=[png()]
    )
    assert appeal.documents.get().content_type == "image/png"
    assert AuditEntry.objects.filter(action="organization.appeal").count() == 1
    assert Notification.objects.filter(recipient=owner, event="appeal.sent").exists()
    assert Notification.objects.filter(recipient=operator, event="appeal.waiting").exists()
    with pytest.raises(ValidationError, match="already been appealed"):
        appeal_submit(actor=owner, organization=organization, statement="Again")
    assert SuspensionAppeal.objects.count() == 1


def test_a_late_appeal_is_refused(owner, organization, suspended, monkeypatch):
    deadline = Suspension.objects.get().appeal_until
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *a, **k: deadline + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="closed on"):
        appeal_submit(actor=owner, organization=organization, statement="Late")
    assert not SuspensionAppeal.objects.exists()


def test_the_window_is_the_operators_rule(operator, owner, organization, paid_world):
    appeal_window_set(actor=operator, days=3)
    organization_suspend(actor=operator, organization=organization, reason="x")
    suspension = Suspension.objects.get()
    assert (suspension.appeal_until - suspension.suspended_at.date()).days in (3, 4)
    with pytest.raises(ValidationError):
        appeal_window_set(actor=operator, days=0)
    with pytest.raises(PermissionDenied):
        appeal_window_set(actor=owner, days=30)
    assert AppealWindow.objects.count() == 1


def test_wrong_roles_and_other_organizations_cannot_appeal_or_decide(
    operator, owner, member, other_owner, organization, suspended
):
    with pytest.raises(PermissionDenied):
        appeal_submit(actor=member, organization=organization, statement="x")
    with pytest.raises(PermissionDenied):
        appeal_submit(actor=other_owner, organization=organization, statement="x")
    with pytest.raises(PermissionDenied):
        appeal_submit(actor=operator, organization=organization, statement="x")
    appeal = appeal_submit(actor=owner, organization=organization, statement="x")
    with pytest.raises(PermissionDenied):
        appeal_decide(actor=owner, appeal=appeal, decision="reinstate", note="me")


def test_a_bad_document_refuses_the_whole_appeal(owner, organization, suspended):
    fake = SimpleUploadedFile("x.png", b"<html><script>1</script>", content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        appeal_submit(actor=owner, organization=organization, statement="x", documents=[fake])
    assert "documents" in refused.value.message_dict
    assert not SuspensionAppeal.objects.exists()


def test_reinstating_on_appeal_releases_the_holds(operator, owner, organization, suspended):
    appeal = appeal_submit(actor=owner, organization=organization, statement="x")
    appeal_decide(actor=operator, appeal=appeal, decision=AppealDecision.REINSTATE, note="ok")
    organization.refresh_from_db()
    assert organization.status == OrganizationStatus.APPROVED
    assert all(e.payment_status == PaymentStatus.PENDING for e in own_entries(organization))
    assert Notification.objects.filter(recipient=owner, event="appeal.decided").exists()
    with pytest.raises(ValidationError, match="already decided"):
        appeal_decide(actor=operator, appeal=appeal, decision="keep", note="again")


def test_keeping_suspended_leaves_the_holds(operator, owner, organization, suspended):
    appeal = appeal_submit(actor=owner, organization=organization, statement="x")
    appeal_decide(actor=operator, appeal=appeal, decision=AppealDecision.KEEP, note="no")
    organization.refresh_from_db()
    assert organization.status == OrganizationStatus.SUSPENDED
    assert all(e.payment_status == PaymentStatus.HELD for e in own_entries(organization))


def test_forfeiting_forfeits_the_held_entries_through_the_ledger(
    operator, owner, organization, suspended
):
    committed = sum(p.committed for p in Pool.objects.all())
    held = sum(e.amount for e in own_entries(organization))
    appeal = appeal_submit(actor=owner, organization=organization, statement="x")
    appeal_decide(actor=operator, appeal=appeal, decision=AppealDecision.FORFEIT, note="Fraud")
    organization.refresh_from_db()
    assert organization.status == OrganizationStatus.SUSPENDED
    entries = list(own_entries(organization))
    assert all(e.payment_status == PaymentStatus.FORFEITED for e in entries)
    assert sum(p.committed for p in Pool.objects.all()) == committed - held
    forfeits = AuditEntry.objects.filter(action="payouts.forfeit")
    assert forfeits.count() == len(entries) and {a.reason for a in forfeits} == {"Fraud"}


def test_the_pages_show_the_suspension_the_queue_and_the_decision(
    client, operator, owner, organization, suspended
):
    client.force_login(owner)
    page = client.get(reverse("organizations:suspension")).content.decode()
    assert "Fake recruits" in page and "Send the appeal" in page
    refused = client.post(reverse("organizations:appeal_send"), {"statement": ""})
    assert refused.status_code == 400
    sent = client.post(
        reverse("organizations:appeal_send"), {"statement": "Real", "documents": [png()]}
    )
    assert sent.status_code == 302
    page = client.get(reverse("organizations:suspension")).content.decode()
    assert "Real" in page and "Send the appeal" not in page
    appeal = SuspensionAppeal.objects.get()
    document = appeal.documents.get()
    assert (
        client.get(reverse("organizations:my_appeal_document", args=[document.pk])).status_code
        == 200
    )
    client.force_login(operator)
    queue = client.get(reverse("organizations:appeals")).content.decode()
    assert organization.legal_name in queue
    decided = client.post(
        reverse("organizations:appeal_decide", args=[appeal.pk]),
        {"decision": "keep", "note": "Stays"},
    )
    assert decided.status_code == 302
    assert client.get(reverse("organizations:appeal", args=[appeal.pk])).status_code == 200
    assert (
        client.get(reverse("organizations:appeal_document", args=[document.pk])).status_code == 200
    )


def test_both_suspension_pages_show_what_it_holds_and_what_became_of_it(
    client, operator, owner, organization, suspended
):
    """The owner's page and the operator's decision page show the payouts held (incentives'
    section, through the core registry), then the forfeited amount once decided."""
    from incentives.sections import suspension_holds
    from portal.core.templatetags.portal_tags import money as format_money

    held = sum(e.amount for e in own_entries(organization))
    assert held > 0
    client.force_login(owner)
    page = client.get(reverse("organizations:suspension")).content.decode()
    assert "Payouts held for this suspension" in page and format_money(held) in page
    appeal = appeal_submit(actor=owner, organization=organization, statement="x")
    client.force_login(operator)
    page = client.get(reverse("organizations:appeal", args=[appeal.pk])).content.decode()
    assert "Payouts held for this suspension" in page and format_money(held) in page
    appeal_decide(actor=operator, appeal=appeal, decision=AppealDecision.FORFEIT, note="Fraud")
    figures = suspension_holds(operator, organization, appeal.suspension)
    assert figures["held_count"] == 0 and figures["forfeited_amount"] == held
    assert figures["forfeited_count"] == own_entries(organization).count()
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get(reverse("organizations:suspension"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "暂停期间扣留的款项" in page.content.decode()
