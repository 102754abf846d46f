"""Invoices (发票) for an organization's cash above the program's threshold (issue 18)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incentives.models import (
    HoldReason,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    PaymentStatus,
    RuleVersion,
)
from incentives.services import exported_entries, settlement_export
from incentives.services.holds import hold_place
from incentives.services.invoices import (
    invoice_due,
    invoice_reject,
    invoice_upload,
    invoice_verify,
)
from portal.audit.models import AuditEntry
from portal.core.models import Notification
from tests.core.test_uploads import pdf
from tests.incentives.test_computation import setup_cycle
from tests.incentives.test_holds import publish


def invoice_file(name="invoice.pdf"):
    return SimpleUploadedFile(name, pdf(), content_type="application/pdf")


def with_threshold(operator, organization, beauty, above=Decimal(1000)):
    cycle, version = setup_cycle(operator, organization, beauty)
    RuleVersion.objects.filter(pk=version.pk).update(invoice_above=above)
    return publish(operator, cycle)


def own_cash(organization):
    return LedgerEntry.objects.filter(
        organization=organization, creator=None, pool__kind="cash", amount__gt=0
    )


def test_cash_above_the_threshold_is_held_for_an_invoice_and_verification_releases_it(
    operator, organization, beauty, owner
):
    reward_list = with_threshold(operator, organization, beauty)
    held = own_cash(organization)
    assert held.count() == 2 and all(e.payment_status == PaymentStatus.HELD for e in held)
    assert {h.reason for e in held for h in e.holds.all()} == {HoldReason.INVOICE}
    creators = LedgerEntry.objects.exclude(creator=None)
    assert not creators.filter(payment_status=PaymentStatus.HELD).exists()
    due = invoice_due(organization, reward_list.cycle)
    assert due == sum(e.amount for e in held)
    first = settlement_export(actor=operator, reward_list=reward_list)
    assert not {e.pk for e in held} & {e.pk for e in exported_entries(first)}

    invoice = invoice_upload(
        actor=owner,
        organization=organization,
        cycle=reward_list.cycle,
        number="No 12345678",
        amount=due,
        upload=invoice_file(),
    )
    assert invoice.status == InvoiceStatus.AWAITING and invoice.file.name.endswith(".pdf")
    with pytest.raises(PermissionDenied):
        invoice_verify(actor=owner, invoice=invoice)
    invoice_verify(actor=operator, invoice=invoice)
    assert all(e.payment_status == PaymentStatus.PENDING for e in own_cash(organization))
    assert AuditEntry.objects.filter(action="payouts.invoice_verify").count() == 1
    assert Notification.objects.filter(recipient=owner, event="invoice.verified").exists()
    second = settlement_export(actor=operator, reward_list=reward_list)
    assert {e.pk for e in exported_entries(second)} == {e.pk for e in held}
    with pytest.raises(ValidationError, match="Verified"):
        invoice_verify(actor=operator, invoice=invoice)


def test_a_wrong_amount_is_a_field_error_and_nothing_is_written(
    operator, organization, beauty, owner, member, other_owner
):
    reward_list = with_threshold(operator, organization, beauty)
    cycle = reward_list.cycle
    with pytest.raises(ValidationError) as refused:
        invoice_upload(
            actor=owner,
            organization=organization,
            cycle=cycle,
            number="N1",
            amount=Decimal("1.00"),
            upload=invoice_file(),
        )
    assert "amount" in refused.value.message_dict
    not_a_file = SimpleUploadedFile("x.pdf", b"<html>hi</html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        invoice_upload(
            actor=owner,
            organization=organization,
            cycle=cycle,
            number="",
            amount=invoice_due(organization, cycle),
            upload=not_a_file,
        )
    assert {"number", "file"} <= set(refused.value.message_dict)
    for someone in (member, other_owner):
        with pytest.raises(PermissionDenied):
            invoice_upload(
                actor=someone,
                organization=organization,
                cycle=cycle,
                number="N1",
                amount=invoice_due(organization, cycle),
                upload=invoice_file(),
            )
    assert not Invoice.objects.exists()


def test_a_rejected_invoice_keeps_the_hold_and_the_organization_sends_another(
    operator, organization, beauty, owner
):
    reward_list = with_threshold(operator, organization, beauty)
    cycle, due = reward_list.cycle, invoice_due(organization, reward_list.cycle)
    first = invoice_upload(
        actor=owner,
        organization=organization,
        cycle=cycle,
        number="A",
        amount=due,
        upload=invoice_file(),
    )
    with pytest.raises(ValidationError):
        invoice_upload(
            actor=owner,
            organization=organization,
            cycle=cycle,
            number="B",
            amount=due,
            upload=invoice_file(),
        )
    with pytest.raises(ValidationError):
        invoice_reject(actor=operator, invoice=first, note=" ")
    invoice_reject(actor=operator, invoice=first, note="Wrong company name")
    assert all(e.payment_status == PaymentStatus.HELD for e in own_cash(organization))
    assert Notification.objects.get(event="invoice.rejected").reason == "Wrong company name"
    second = invoice_upload(
        actor=owner,
        organization=organization,
        cycle=cycle,
        number="B",
        amount=due,
        upload=invoice_file(),
    )
    # Another hold (a risk review) keeps an entry held after the invoice is verified.
    tier = own_cash(organization).get(kind="org_tier")
    hold_place(actor=operator, entries=[tier], reason=HoldReason.RISK, note="Shared phone")
    invoice_verify(actor=operator, invoice=second)
    states = dict(own_cash(organization).values_list("kind", "payment_status"))
    assert states == {"org_basic": PaymentStatus.PENDING, "org_tier": PaymentStatus.HELD}


def test_no_threshold_holds_nothing_and_an_upload_is_refused(operator, organization, beauty, owner):
    cycle, _version = setup_cycle(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.HELD).exists()
    assert invoice_due(organization, reward_list.cycle) is None
    with pytest.raises(ValidationError, match="waiting for an invoice"):
        invoice_upload(
            actor=owner,
            organization=organization,
            cycle=cycle,
            number="A",
            amount=Decimal(1),
            upload=invoice_file(),
        )


def test_the_statement_asks_for_the_invoice_and_operators_decide_on_their_page(
    client, operator, organization, beauty, owner, other_owner
):
    reward_list = with_threshold(operator, organization, beauty)
    due = invoice_due(organization, reward_list.cycle)
    statement = reverse("incentives:statement", args=[reward_list.pk])
    client.force_login(owner)
    page = client.get(statement, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invoice missing" in page and "send it from the statement" in page
    upload = reverse("incentives:invoice_upload", args=[reward_list.pk])
    refused = client.post(
        upload,
        {"number": "N9", "amount": "1.00", "file": invoice_file()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 200
    assert refused.context["invoice"]["form"].errors["amount"]
    for bad in ("NaN", "Infinity", "1e400"):
        odd = client.post(upload, {"number": "N9", "amount": bad, "file": invoice_file()})
        assert odd.status_code == 200 and odd.context["invoice"]["form"].errors["amount"]
    sent = client.post(upload, {"number": "N9", "amount": str(due), "file": invoice_file()})
    assert sent.status_code == 302
    page = client.get(statement, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invoice awaiting verification" in page
    invoice = Invoice.objects.get()
    assert client.get(reverse("incentives:invoice_file", args=[invoice.pk])).status_code == 200
    client.force_login(other_owner)
    assert client.get(reverse("incentives:invoice_file", args=[invoice.pk])).status_code == 404
    # Another organization's owner posts for its own statement: nothing of its own is held.
    other = client.post(upload, {"number": "X", "amount": str(due), "file": invoice_file()})
    assert other.status_code == 200 and Invoice.objects.count() == 1
    client.force_login(operator)
    queue = client.get(reverse("incentives:invoices"), HTTP_ACCEPT_LANGUAGE="en")
    assert queue.status_code == 200 and "N9" in queue.content.decode()
    client.post(reverse("incentives:invoice_verify", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VERIFIED
