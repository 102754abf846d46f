"""A manager opens the book, plans a session, records notes and action items; the organization's
member sees them and completes an item."""

import pytest
from playwright.sync_api import expect

from organizations.models import ManagerAssignment, OrgRole
from tests.accounts.factories import PASSWORD, ManagerFactory
from tests.organizations.factories import OrganizationFactory, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("邮箱地址").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_coaching_session_from_plan_to_a_completed_item(page, live_server, beauty):
    organization = OrganizationFactory(legal_name="杭州星河文化传媒有限公司", categories=[beauty])
    manager = ManagerFactory(email="mgr@example.com", categories=[beauty])
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    member = make_member(organization, OrgRole.MEMBER, email="member@example.com")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server, manager.email)
    page.get_by_role("link", name="My book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My book")
    page.get_by_role("link", name="杭州星河文化传媒有限公司").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching")

    page.get_by_text("Plan a session").click()
    page.get_by_label("Time").fill("2026-12-03T10:00")
    page.get_by_label("Channel").select_option("video")
    page.get_by_label("Agenda").fill("Original share and the next tier")
    page.get_by_role("button", name="Plan the session").click()
    expect(page.locator(".messages")).to_contain_text("Session planned")

    page.get_by_role("link", name="2026-12-03 10:00").click()
    page.get_by_label("Notes").fill("Agreed: five original videos a week.")
    page.get_by_label("Action item").first.fill("Publish five originals")
    page.get_by_label("Due").first.fill("2026-12-10")
    page.get_by_role("button", name="Save notes and items").click()
    expect(page.locator(".messages")).to_contain_text("Notes and action items saved")

    sign_in(page, live_server, member.email)
    page.get_by_role("navigation").get_by_role("link", name="Coaching", exact=True).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Agreed: five original videos a week.")
    expect(main).to_contain_text("Publish five originals")
    page.get_by_label("Comment").fill("Twelve are up")
    page.get_by_role("button", name="Mark done").click()
    expect(main).to_contain_text("Twelve are up")
    expect(main).to_contain_text("Done by")
    assert not [e for e in errors if "Content Security Policy" in e], errors
