"""Browsing the roster in a browser: pages have their own URL (Back and reload included), and the
bulk action's "select all"."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_coaching import sign_in
from tests.creators.factories import BindingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roster(organization):
    """Two pages and a bit (25 a page)."""
    return [BindingFactory(organization=organization) for _ in range(30)]


def test_page_two_has_its_url_and_back_returns_to_the_whole_page_one(
    page, live_server, owner, roster
):
    sign_in(page, live_server, owner.email)
    url = f"{live_server.url}{reverse('creators:roster')}"
    page.goto(url)
    first = page.locator("#results tbody tr a").first.inner_text()
    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(f"{url}?page=2")
    expect(page.locator("#results tbody tr")).to_have_count(5)
    page.go_back()
    expect(page).to_have_url(url)
    # htmx restores the history entry from the server: the whole page, not the table alone
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("#results tbody tr a").first).to_have_text(first)
    page.go_forward()
    page.reload()
    expect(page.locator(".pagination")).to_contain_text("2")
    expect(page.locator("#results tbody tr")).to_have_count(5)


def test_select_all_ticks_every_creator_of_the_page(page, live_server, owner, roster):
    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}{reverse('creators:roster')}")
    select_all = page.locator("input[data-select-all=creators]")
    expect(select_all).to_be_visible()
    select_all.check()
    boxes = page.locator("#results input[name=creators]")
    expect(boxes).to_have_count(25)
    assert all(boxes.nth(i).is_checked() for i in range(25))
    expect(page.locator("[data-selected-count=creators]")).to_have_text("(25)")
    boxes.first.uncheck()
    assert select_all.evaluate("box => box.indeterminate && !box.checked")
    page.locator(".pagination a[rel=next]").click()
    expect(page.locator("#results input[name=creators]")).to_have_count(5)
    expect(page.locator("input[data-select-all=creators]")).not_to_be_checked()


def test_without_javascript_select_all_is_a_link(browser, live_server, owner, roster):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}{reverse('creators:roster')}")
    expect(page.locator("input[data-select-all=creators]")).to_be_hidden()
    page.locator("noscript a, .bulk a").first.click()
    boxes = page.locator("#results input[name=creators]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    context.close()
