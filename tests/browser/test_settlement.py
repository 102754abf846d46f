"""An operator computes a cycle, sends it to review, approves and publishes it; the organization's
owner reads the statement and why a line pays what it pays (in Chinese)."""

import pytest
from playwright.sync_api import expect

from incentives.models import LedgerEntry
from tests.browser.test_coaching import sign_in
from tests.incentives.test_computation import setup_cycle

pytestmark = pytest.mark.django_db(transaction=True)


def test_compute_review_approve_publish_and_read_the_statement(
    page, live_server, operator, organization, owner, beauty
):
    cycle, _version = setup_cycle(operator, organization, beauty)
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server, operator.email)
    page.get_by_role("navigation").get_by_role("link", name="Rewards").click()
    page.get_by_role("link", name=cycle.program.name, exact=True).click()
    expect(page.get_by_role("heading", name="Pool burn against plan")).to_be_visible()
    page.get_by_role("button", name="Compute cycle 1").click()
    expect(page.locator(".messages")).to_contain_text("Computation started")
    page.get_by_role("link", name="Draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reward list of cycle 1")
    page.get_by_label("Kind").select_option("playback")
    expect(page.locator("#lines tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Send to review").click()
    expect(page.locator(".messages")).to_contain_text("Sent to review")
    page.get_by_role("link", name="Approve…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("8,924.69 CNY")
    dialog.get_by_role("button", name="Approve and post 8,924.69 CNY").click()
    expect(page.locator(".messages")).to_contain_text("the ledger entries are posted")
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("dialog").get_by_role("button", name="Publish to the organizations").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    assert LedgerEntry.objects.filter(cycle=cycle).count() == 6

    sign_in(page, live_server, owner.email)
    page.get_by_role("navigation").get_by_role("link", name="奖励").click()
    page.get_by_role("link", name="本机构结算单").click()
    main = page.get_by_role("main")
    expect(main.locator("tbody tr")).to_have_count(6)
    playback = main.locator("tbody tr", has_text="播放补贴")
    playback.locator("summary").click()
    expect(playback).to_contain_text("3,000.00")
    page.get_by_role("link", name="专项激励榜单").click()
    expect(page.locator("tr.highlight")).to_contain_text(organization.legal_name)
    assert not [e for e in errors if "Content Security Policy" in e], errors
