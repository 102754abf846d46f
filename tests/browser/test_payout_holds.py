"""Payout trust in the browser (issue 18): the owner reads a held commission with its release
date; an operator releases the hold with a reason on the held entries page and exports; the entry
is in the payment file."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incentives.models import HoldingPeriod, LedgerEntry, PaymentStatus
from tests.browser.test_coaching import sign_in
from tests.incentives.test_computation import setup_cycle
from tests.incentives.test_holds import publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_sees_a_held_commission_and_the_operator_releases_it_into_the_next_export(
    page, live_server, operator, organization, owner, beauty
):
    cycle, version = setup_cycle(operator, organization, beauty)
    release_day = timezone.localdate() + datetime.timedelta(days=10)
    HoldingPeriod.objects.create(
        version=version, kind="commission", days=(release_day - cycle.ends_on).days
    )
    reward_list = publish(operator, cycle)
    commission = LedgerEntry.objects.get(kind="commission")
    assert commission.payment_status == PaymentStatus.HELD
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/statement/")
    row = page.get_by_role("main").locator("tbody tr", has_text="Sales commission")
    expect(row).to_contain_text("Held")
    expect(row).to_contain_text(f"Released on {release_day:%Y-%m-%d}")

    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/")
    page.get_by_role("link", name="Held entries: why, and the decisions").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Held entries of cycle 1")
    page.get_by_placeholder("Reason").first.fill("Returns window checked with the partner")
    page.get_by_role("button", name="Release (Holding period)").click()
    expect(page.locator(".messages")).to_contain_text("Hold released")
    commission.refresh_from_db()
    assert commission.payment_status == PaymentStatus.PENDING

    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/")
    page.get_by_label("Payment file").select_option("csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the entries to pay").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert f"\n{commission.pk}," in text
    commission.refresh_from_db()
    assert commission.payment_status == PaymentStatus.EXPORTED
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_owner_uploads_the_invoice_the_operator_verifies_it_and_the_entry_is_exported(
    page, live_server, operator, organization, owner, beauty, tmp_path
):
    from decimal import Decimal

    from incentives.models import Invoice, InvoiceStatus, RuleVersion
    from incentives.services.invoices import invoice_due
    from tests.core.test_uploads import pdf

    cycle, version = setup_cycle(operator, organization, beauty)
    release_day = timezone.localdate() + datetime.timedelta(days=10)
    HoldingPeriod.objects.create(
        version=version, kind="commission", days=(release_day - cycle.ends_on).days
    )
    RuleVersion.objects.filter(pk=version.pk).update(invoice_above=Decimal(1000))
    reward_list = publish(operator, cycle)
    tier = LedgerEntry.objects.get(kind="org_tier")
    assert tier.payment_status == PaymentStatus.HELD
    due = invoice_due(organization, cycle)
    scan = tmp_path / "fapiao.pdf"
    scan.write_bytes(pdf())

    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/statement/")
    main = page.get_by_role("main")
    commission = main.locator("tbody tr", has_text="Sales commission")
    expect(commission).to_contain_text(f"Released on {release_day:%Y-%m-%d}")
    expect(main.locator("tbody tr", has_text="Special incentive")).to_contain_text(
        "Invoice missing"
    )
    invoice = page.locator("#invoice")
    invoice.get_by_label("Invoice number").fill("No 44001234")
    invoice.get_by_label("Invoice amount (CNY)").fill(f"{due}")
    invoice.get_by_label("Invoice (PDF or image)").set_input_files(str(scan))
    invoice.get_by_role("button", name="Send the invoice").click()
    expect(page.locator(".messages")).to_contain_text("Invoice sent")
    expect(page.locator("#invoice")).to_contain_text("Awaiting verification")

    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/holds/")
    page.get_by_role("link", name="Invoices awaiting verification").click()
    row = page.get_by_role("main").locator("tbody tr", has_text="No 44001234")
    row.get_by_role("button", name="Verify and release").click()
    expect(page.locator(".messages")).to_contain_text("verified")
    assert Invoice.objects.get().status == InvoiceStatus.VERIFIED

    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/")
    page.get_by_label("Payment file").select_option("csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the entries to pay").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert f"\n{tier.pk}," in text
    tier.refresh_from_db()
    assert tier.payment_status == PaymentStatus.EXPORTED
