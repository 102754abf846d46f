"""Confirmations of the steps that move money, with the keyboard and without JavaScript."""

import pytest
from playwright.sync_api import expect

from incentives.models import LedgerEntry, ListStatus, Program, ProgramStatus, RewardList
from incentives.services import program_open, settlement_compute, settlement_submit
from tests.browser.test_coaching import sign_in
from tests.incentives.test_computation import setup_cycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_review(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    program_open(actor=operator, program=cycle.program)
    return settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )


def test_the_approval_dialog_works_with_the_keyboard(page, live_server, operator, in_review):
    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server.url}/rewards/lists/{in_review.pk}/")
    link = page.get_by_role("link", name="Approve…")
    link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Approve and post the ledger")
    expect(dialog).to_contain_text("Cannot be undone:")
    cancel = dialog.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()  # the safe choice has the focus
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()
    assert RewardList.objects.get(pk=in_review.pk).status == ListStatus.IN_REVIEW

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(cancel).to_be_focused()  # opened again, with the focus where it was the first time
    page.keyboard.press("Shift+Tab")  # from Cancel back to the step itself
    expect(dialog.get_by_role("button", name="Approve and post 8,924.69 CNY")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("the ledger entries are posted")
    assert LedgerEntry.objects.filter(cycle=in_review.cycle).count() == 6


def test_closing_without_javascript_is_a_confirmation_page_with_a_reason(
    browser, live_server, operator, in_review
):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, operator.email)
    program = in_review.cycle.program
    page.goto(f"{live_server.url}/rewards/programs/{program.pk}/")
    page.get_by_role("link", name="Close the program…").click()
    expect(page).to_have_url(f"{live_server.url}/rewards/programs/{program.pk}/close/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Close {program.name}")
    page.get_by_label("Reason").fill("The sponsor ended the program early")
    page.get_by_role("button", name="Close the program").click()
    expect(page.locator(".messages")).to_contain_text("The program is closed.")
    expect(page.get_by_role("button", name="Compute cycle 2")).to_have_count(0)
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.CLOSED
    context.close()
