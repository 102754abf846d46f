"""Issue 19 end to end: an owner binds a creator, the creator consents to share their metrics
only through the link the owner passed on, and the owner then sees the creator's figures but not
their earnings."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from creators.models import Creator
from tests.browser.test_coaching import sign_in
from tests.creators.factories import CreatorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def either(chinese: str, english: str):
    """The page's words in the reader's language (the owner's account reads English)."""
    return re.compile(f"{re.escape(chinese)}|{re.escape(english)}")


def test_the_creator_consents_to_metrics_only_and_the_owner_sees_just_that(
    page, live_server, owner
):
    creator = CreatorFactory(platform_account_id="consent-demo-1", display_name="同意测试达人")
    Creator.objects.filter(pk=creator.pk).update(plays_30d=987654)
    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}{reverse('creators:claim')}?platform_account_id=consent-demo-1")
    page.get_by_role(
        "button", name=either("自今天起绑定到我们机构", "Bind to our organization from today")
    ).click()
    message = page.locator(".messages").inner_text()
    link = re.search(r"https?://\S+/creators/consent/\d+/[0-9a-f]+/", message).group(0)
    # Before the creator answers: on the roster by name, no figures.
    page.goto(f"{live_server.url}{reverse('creators:roster')}")
    expect(page.get_by_text("同意测试达人")).to_be_visible()
    expect(page.get_by_text(either("等待达人同意", "Waiting for consent")).first).to_be_visible()
    expect(page.get_by_text("987,654")).to_have_count(0)

    page.context.clear_cookies()  # the creator, without an account
    page.goto(link)
    expect(page.get_by_role("heading", name=either("你的同意", "Your consent"))).to_be_visible()
    page.get_by_label(either("数据指标", "Metrics")).check()
    page.get_by_role(
        "button", name=either("我同意，并共享我勾选的内容", "I agree, and share")
    ).click()
    expect(page.get_by_text(either("谢谢", "Thank you"))).to_be_visible()

    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}{reverse('creators:detail', args=[creator.pk])}")
    expect(page.get_by_text("987,654").first).to_be_visible()
    consent = page.locator("dd", has_text=either("已同意", "Consented"))
    expect(consent.get_by_text(either("数据指标", "Metrics"))).to_be_visible()
    expect(consent.get_by_text(either("收益", "Earnings"))).to_have_count(0)
    # Earnings stay hidden (their pages are checked row by row in the access matrix).
    assert creator.bindings.get().consent.scopes == ["metrics"]
