"""The application wizard's last step, submitted through HTMX as a browser does: the browser
goes to the dashboard, which is drawn once (it used to appear inside the wizard)."""

import pytest
from playwright.sync_api import expect

from organizations.models import Organization, OrganizationStatus, OrgRole
from tests.accounts.factories import PASSWORD
from tests.organizations.factories import OrganizationFactory, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_submitting_the_last_step_through_htmx_leaves_the_wizard_for_the_dashboard(
    browser, live_server, beauty
):
    draft = OrganizationFactory(
        legal_name="杭州星河文化传媒有限公司",
        status=OrganizationStatus.DRAFT,
        approved_at=None,
        submitted_at=None,
        terms_version=None,
        terms_accepted_at=None,
        categories=[beauty],
    )
    make_member(draft, OrgRole.OWNER, email="founder@xinghe-media.cn", full_name="Wang Fang")
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("founder@xinghe-media.cn")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/organizations/apply/submit/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Terms and submit")

    page.get_by_label("I have read the program terms").check()
    with page.expect_request(lambda r: r.method == "POST" and "/apply/submit/" in r.url) as sent:
        page.get_by_role("button", name="Submit the application").click()
    assert sent.value.headers.get("hx-request") == "true"  # htmx sent it, not a plain form post

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Your application is submitted")).to_be_visible()
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("body > header")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main navigation")).to_have_count(1)
    assert Organization.objects.get(pk=draft.pk).status == OrganizationStatus.SUBMITTED
