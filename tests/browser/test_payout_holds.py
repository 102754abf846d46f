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
