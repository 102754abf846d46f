"""The whole onboarding path, as people would walk it in a browser: sign up, verify, apply across
steps, leave and resume, submit; an operator approves; the owner invites a member who accepts."""

import re

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, ManagerFactory, OperatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "founder@xinghe-media.cn"
NEW_MEMBER = "editor@xinghe-media.cn"


def link_in_last_mail(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return re.search(r"https?://\S+", message.body).group(0)


def sign_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def licence_file(tmp_path):
    path = tmp_path / "licence.jpg"
    Image.new("RGB", (900, 640), "#f7f1e3").save(path, format="JPEG")
    return path


def test_a_new_organization_goes_from_sign_up_to_an_active_team(
    browser, live_server, settings, beauty, licence_file
):
    settings.PORTAL_BASE_URL = live_server.url
    OperatorFactory(email="ops@platform.cn")
    manager = ManagerFactory(
        email="beauty.manager@platform.cn", full_name="Lin Mei", categories=[beauty]
    )
    base = live_server.url
    applicant = browser.new_context(locale="en-US").new_page()

    # Sign up and verify the address.
    applicant.goto(f"{base}/accounts/login/")
    applicant.get_by_role("link", name="Create an account and apply").click()
    applicant.get_by_label("Your name").fill("Wang Fang")
    applicant.get_by_label("Work email").fill(APPLICANT)
    applicant.get_by_label("Mobile number").fill("13800138000")
    applicant.get_by_label("Password", exact=True).fill("Xinghe-2026-media")
    applicant.get_by_label("Password again").fill("Xinghe-2026-media")
    applicant.get_by_role("button", name="Create the account").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    applicant.goto(link_in_last_mail(APPLICANT))

    # Step 1 to 3, saved one by one.
    expect(applicant.get_by_role("heading", level=2)).to_have_text("Organization")
    applicant.get_by_label("Legal name").fill("杭州星河文化传媒有限公司")
    applicant.get_by_label("Unified social credit code").fill("91330106MA2H3K7Q5U")
    applicant.get_by_label("Legal representative").fill("王芳")
    applicant.get_by_role("button", name="Save and continue").click()
    expect(applicant.get_by_role("heading", level=2)).to_have_text("Business licence")
    applicant.locator("#id_licence").set_input_files(licence_file)
    applicant.get_by_role("button", name="Save and continue").click()
    expect(applicant.get_by_role("heading", level=2)).to_have_text("Contacts")
    applicant.get_by_label("Contact person").fill("王芳")
    applicant.get_by_label("Contact mobile number").fill("138 0013 8000")
    applicant.get_by_label("Contact email").fill(APPLICANT)
    applicant.get_by_role("button", name="Save and continue").click()
    expect(applicant.get_by_role("heading", level=2)).to_have_text("Categories and creators")

    # Leave, come back later: the wizard resumes at the first open step.
    applicant.goto(f"{base}/")
    applicant.get_by_role("link", name="Continue the application").click()
    expect(applicant.get_by_role("heading", level=2)).to_have_text("Categories and creators")
    applicant.get_by_label("Main category").select_option(label="Beauty")
    applicant.get_by_label("Personal care").check()
    applicant.get_by_label("Creators you work with").fill("120")
    applicant.get_by_label("Douyin").fill("2500000")
    applicant.get_by_role("button", name="Save and continue").click()

    # A missing tick is refused on the field; then the application goes in.
    expect(applicant.get_by_role("heading", level=2)).to_have_text("Terms and submit")
    applicant.get_by_role("button", name="Submit the application").click()
    expect(applicant.get_by_text("This field is required.")).to_be_visible()
    applicant.get_by_label("I have read the program terms").check()
    applicant.get_by_role("button", name="Submit the application").click()
    expect(applicant.get_by_text("Your application is submitted")).to_be_visible()

    # The operator reviews and approves.
    operator = browser.new_context(locale="en-US").new_page()
    sign_in(operator, base, "ops@platform.cn")
    operator.get_by_role("link", name="Review queue").click()
    operator.get_by_role("link", name="杭州星河文化传媒有限公司").click()
    operator.get_by_role("button", name="Start review").click()
    expect(operator.get_by_text("Decision recorded")).to_be_visible()
    for checkbox in operator.locator("#id_checks input[type=checkbox]").all():
        checkbox.check()
    operator.get_by_label("Reason or note to the organization").fill("Welcome aboard.")
    operator.get_by_role("button", name="Approve").click()
    expect(operator.get_by_text("Decision recorded")).to_be_visible()
    expect(operator.locator(".page-head .badge")).to_have_text("Approved")

    # The owner sees the decision and their category manager, then invites a colleague.
    applicant.goto(f"{base}/")
    expect(applicant.get_by_role("main")).to_contain_text(manager.full_name)
    expect(applicant.get_by_role("main")).to_contain_text("has been approved")
    applicant.get_by_role("link", name="Members", exact=True).first.click()
    applicant.get_by_label("Email address").fill(NEW_MEMBER)
    applicant.get_by_label("Role", exact=True).select_option("admin")
    applicant.get_by_role("button", name="Send the invitation").click()
    expect(applicant.get_by_text(f"Invitation sent to {NEW_MEMBER}")).to_be_visible()

    # The colleague accepts by creating an account on the invitation page.
    colleague = browser.new_context(locale="en-US").new_page()
    invitation = link_in_last_mail(NEW_MEMBER)
    colleague.goto(invitation)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Join 杭州星河文化传媒有限公司")
    colleague.get_by_label("Your name").fill("Chen Jie")
    colleague.get_by_label("Password", exact=True).fill("Editor-2026-xinghe")
    colleague.get_by_label("Password again").fill("Editor-2026-xinghe")
    colleague.get_by_role("button", name="Create the account and join").click()
    expect(colleague.get_by_role("heading", level=1)).to_have_text("杭州星河文化传媒有限公司")
    expect(colleague.get_by_role("main")).to_contain_text("You are Admin")

    # The link worked once.
    again = browser.new_context(locale="en-US").new_page()
    again.goto(invitation)
    expect(again.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
