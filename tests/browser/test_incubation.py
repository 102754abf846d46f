"""An organization nominates, a manager accepts, the operator runs scoring, pins a creator, freezes
and publishes; the organization sees the result."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from creators.models import DailyMetric
from incubation.models import ScoreWeights
from organizations.models import OrgRole
from tests.accounts.factories import PASSWORD, ManagerFactory, OperatorFactory
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.organizations.factories import OrganizationFactory, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("邮箱地址").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def open_incubation(page, tab=None):
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Incubation"
    ).click()
    if tab:
        page.get_by_role("navigation", name="Incubation").get_by_role("link", name=tab).click()


def test_from_nomination_to_the_published_top_100(page, live_server, beauty):
    organization = OrganizationFactory(legal_name="杭州星河文化传媒有限公司", categories=[beauty])
    owner = make_member(organization, OrgRole.OWNER, email="owner@example.com")
    manager = ManagerFactory(email="mgr@example.com", categories=[beauty])
    operator = OperatorFactory(email="op@example.com")
    creator = CreatorFactory(primary_category=beauty, display_name="星河小美")
    BindingFactory(creator=creator, organization=organization)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    DailyMetric.objects.create(
        creator=creator, date=yesterday, plays=5000, counted_valid_plays=4000, new_followers=30
    )
    ScoreWeights.objects.create(
        number=1,
        effective_from=datetime.date(2020, 1, 1),
        status="published",
        created_by=operator,
    )
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The organization nominates its creator from the creator's page.
    sign_in(page, live_server, owner.email)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Creators"
    ).click()
    page.get_by_role("link", name="星河小美").click()
    page.get_by_role("link", name="Nominate for incubation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nominate 星河小美 for incubation")
    page.get_by_label("Why this creator").fill("Twelve originals a week, plays doubling.")
    page.get_by_role("button", name="Nominate").click()
    expect(page.locator(".messages")).to_contain_text("星河小美 is nominated")
    expect(page.get_by_role("main")).to_contain_text("Waiting for review")

    # The manager of beauty accepts.
    sign_in(page, live_server, manager.email)
    open_incubation(page, "Review")
    expect(page.get_by_role("main")).to_contain_text("Twelve originals a week")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".messages")).to_contain_text("星河小美 entered the reserve pool")

    # The operator scores the pool, pins the creator, freezes and publishes.
    sign_in(page, live_server, operator.email)
    open_incubation(page, "Ranking")
    page.get_by_role("button", name="Compute scores now").click()
    expect(page.locator(".messages")).to_contain_text("Scores computed for")
    expect(page.locator("#results")).to_contain_text("星河小美")
    page.get_by_role("navigation", name="Incubation").get_by_role("link", name="Shortlist").click()
    expect(page.get_by_role("heading", name="0 of 100 slots filled")).to_be_visible()
    pin = page.locator("form[action$='/shortlist/pin/']")
    pin.get_by_label("Creator's platform account id").fill(creator.platform_account_id)
    pin.get_by_label("Why they belong on the list").fill("The field's fastest riser")
    pin.get_by_role("button", name="Pin to the list").click()
    expect(page.locator(".messages")).to_contain_text("星河小美 is pinned to the shortlist")
    expect(page.get_by_role("heading", name="1 of 100 slots filled")).to_be_visible()
    expect(page.locator(".slot-grid .slot-pinned")).to_have_count(1)
    page.get_by_role("button", name="Freeze the list").click()
    expect(page.locator(".messages")).to_contain_text("The shortlist is frozen")
    page.get_by_role("button", name="Publish the list").click()
    expect(page.locator(".messages")).to_contain_text("The shortlist is published")

    # The organization reads the published list, its creator highlighted.
    sign_in(page, live_server, owner.email)
    open_incubation(page, f"Top 100 of {timezone.localdate().year}")
    main = page.get_by_role("main")
    expect(main).to_contain_text("1 of your organization's creators is on the list")
    expect(page.locator("tr.highlight")).to_contain_text("星河小美")
    expect(page.locator("tr.highlight")).to_contain_text("Your organization")
    assert not [e for e in errors if "Content Security Policy" in e], errors
